import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCompletionIndex, parseExecutorConfig } from '../../../executor/cluster/run-executor.js';
import { encodeTerminationMessage, parseTerminationMessage } from '../../../executor/cluster/termination-message.js';
import { isFeatureJobError } from '../../../executor/errors.js';

const valid = {
  version: 1,
  input: 's3://in/x',
  output: 's3://out/y',
  format: 'parquet',
  weights: 'random',
  imagesPerPartition: 64,
  threads: 2,
  batchSize: 8,
};

describe('executor settings', () => {
  it('parses the JSON settings the operator writes, with defaults', () => {
    const config = parseExecutorConfig({ FEATUREJOB_EXECUTOR_CONFIG: JSON.stringify(valid) });
    assert.equal(config.fetchConcurrency, 16);
    assert.ok(Object.isFrozen(config));
  });

  it('refuses missing, malformed or invalid settings as a bad configuration naming the field', () => {
    for (const env of [
      {},
      { FEATUREJOB_EXECUTOR_CONFIG: '{nope' },
      { FEATUREJOB_EXECUTOR_CONFIG: JSON.stringify({ ...valid, threads: 0 }) },
    ]) {
      assert.throws(
        () => parseExecutorConfig(env),
        (error) => isFeatureJobError(error) && error.code === 'FJ_INVALID_CONFIG' && error.kind === 'terminal',
      );
    }
    assert.throws(
      () => parseExecutorConfig({ FEATUREJOB_EXECUTOR_CONFIG: JSON.stringify({ ...valid, threads: 0 }) }),
      /threads/,
    );
  });

  it('takes the partition from JOB_COMPLETION_INDEX and refuses anything else', () => {
    assert.equal(parseCompletionIndex({ JOB_COMPLETION_INDEX: '7' }), 7);
    for (const value of [undefined, '', '-1', 'x', '1.5']) {
      assert.throws(
        () => parseCompletionIndex(value === undefined ? {} : { JOB_COMPLETION_INDEX: value }),
        /JOB_COMPLETION_INDEX/,
      );
    }
  });
});

describe('termination message', () => {
  it('round-trips through a log tail whose last JSON line is the error', () => {
    const line = encodeTerminationMessage({
      code: 'FJ_STORAGE_UNREACHABLE',
      reason: 'StorageUnreachable',
      message: 'connect ECONNREFUSED',
    });
    assert.deepEqual(parseTerminationMessage(`starting\n{"level":30}\n${line}\n`), {
      code: 'FJ_STORAGE_UNREACHABLE',
      reason: 'StorageUnreachable',
      message: 'connect ECONNREFUSED',
    });
  });

  it('answers undefined when the container died without writing one', () => {
    assert.equal(parseTerminationMessage('Killed'), undefined);
    assert.equal(parseTerminationMessage(undefined), undefined);
  });
});
