import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseRunArgs } from '../../../executor/cli/parse-run-args.js';
import { computeWorkerLayout } from '../../../executor/config/run-config.js';
import { FeatureJobError } from '../../../executor/errors.js';

describe('parseRunArgs', () => {
  test('turns flags into a frozen, typed configuration with defaults', () => {
    const parsed = parseRunArgs(['s3://bucket/in', '--out', './out', '-p', '8', '--batch-size', '32', '--format', 'csv']);
    assert.equal(parsed.help, false);
    if (parsed.help) return;
    assert.equal(parsed.config.input, 's3://bucket/in');
    assert.equal(parsed.config.partitions, 8);
    assert.equal(parsed.config.batchSize, 32);
    assert.equal(parsed.config.format, 'csv');
    assert.equal(parsed.config.weights, 'auto');
    assert.equal(parsed.config.workers, 1);
    assert.ok(Object.isFrozen(parsed.config));
  });

  test('names the offending flag in FJ_INVALID_ARGUMENT errors', () => {
    const invalid = (args: string[], message: RegExp): void =>
      assert.throws(() => parseRunArgs(args), (error: unknown) => error instanceof FeatureJobError && error.code === 'FJ_INVALID_ARGUMENT' && message.test(error.message));
    invalid(['in', '--out', 'o', '--workers', 'two'], /--workers/);
    invalid(['in', '--out', 'o', '--s3-endpoint', 'ftp://x'], /--s3-endpoint/);
    invalid(['in', '--out', 'o', '--max-pixels', '-1'], /--max-pixels/);
    invalid(['in', 'extra', '--out', 'o'], /expected one <input>/);
  });
});

describe('computeWorkerLayout', () => {
  test('gives each worker an equal share of the cores unless threads are set', () => {
    assert.deepEqual(computeWorkerLayout({ cores: 4 }), { workers: 1, threads: 4 });
    assert.deepEqual(computeWorkerLayout({ cores: 4, workers: 2 }), { workers: 2, threads: 2 });
    assert.deepEqual(computeWorkerLayout({ cores: 2, workers: 4 }), { workers: 4, threads: 1 });
    assert.deepEqual(computeWorkerLayout({ cores: 8, workers: 2, threads: 1 }), { workers: 2, threads: 1 });
  });
});
