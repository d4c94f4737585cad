import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { computeWorkerLayout } from '../../../executor/config/run-config.js';

describe('computeWorkerLayout', () => {
  test('gives each worker an equal share of the cores unless threads are set', () => {
    assert.deepEqual(computeWorkerLayout({ cores: 4 }), { workers: 1, threads: 4 });
    assert.deepEqual(computeWorkerLayout({ cores: 4, workers: 2 }), { workers: 2, threads: 2 });
    assert.deepEqual(computeWorkerLayout({ cores: 2, workers: 4 }), { workers: 4, threads: 1 });
    assert.deepEqual(computeWorkerLayout({ cores: 8, workers: 2, threads: 1 }), { workers: 2, threads: 1 });
  });
});
