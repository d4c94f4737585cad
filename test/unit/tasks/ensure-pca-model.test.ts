import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '../../../executor/log/logger.js';
import type { Manifest } from '../../../executor/output/manifest-schema.js';
import { PCA_STATISTICS_PREFIX } from '../../../executor/plan/partition-naming.js';
import { computeReduceTaskCounts } from '../../../executor/reduce/observe-reduce.js';
import { FileStore } from '../../../executor/storage/file-store.js';
import { ensurePcaModel } from '../../../executor/tasks/ensure-pca-model.js';
import { ensurePcaStatistics } from '../../../executor/tasks/ensure-pca-statistics.js';
import { writeFeatureOutput } from '../../support/write-feature-output.js';

const DIMENSIONS = 4;
const logger = createLogger({ level: 'silent' });
const pca = { components: 2, whiten: false };

function rows(count: number, offset: number): { paths: string[]; features: Float32Array } {
  return {
    paths: Array.from({ length: count }, (_, i) => `c/${offset + i}.jpg`),
    features: Float32Array.from(
      { length: count * DIMENSIONS },
      (_, i) => Math.sin((offset * DIMENSIONS + i) * 0.71) * (1 + (i % DIMENSIONS)),
    ),
  };
}

async function listStatistics(output: FileStore): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of output.list(PCA_STATISTICS_PREFIX)) keys.push(object.key);
  return keys;
}

/** Every statistics task, then the fit: what both the local runner and the operator run. */
async function statisticsThenFit(output: FileStore, manifest: Manifest) {
  for (let index = 0; index < computeReduceTaskCounts(manifest).statisticsGroups; index++)
    await ensurePcaStatistics({ output, manifest, index, threads: 1 });
  return ensurePcaModel({ output, manifest, pca, threads: 1, logger });
}

describe('ensurePcaModel, the pca-fit task', () => {
  let root: string;
  let output: FileStore;
  let manifest: Manifest;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'fj-pca-fit-'));
    output = new FileStore({ dir: root });
    // At 4 dimensions a partition of ≥ 3 rows keeps its own statistics file.
    manifest = await writeFeatureOutput({
      output,
      dimensions: DIMENSIONS,
      partitions: [rows(5, 0), rows(4, 5), rows(6, 9)],
    });
  });
  after(() => rm(root, { recursive: true, force: true }));

  test('keeps a model fitted from the current statistics, so a rerun writes nothing', async () => {
    const first = await statisticsThenFit(output, manifest);
    assert.equal(first.created, true);
    const bytes = await readFile(join(root, 'pca', 'model.json'));
    const again = await statisticsThenFit(output, manifest);
    assert.deepEqual([again.created, again.modelSha256], [false, first.modelSha256]);
    assert.deepEqual(await readFile(join(root, 'pca', 'model.json')), bytes);
  });

  test('refits when the statistics changed since (another grouping), deleting the stale files', async () => {
    const before = await listStatistics(output);
    assert.equal(before.length, 3);
    const previous = process.env.FEATUREJOB_PCA_OWN_STATISTICS_MIN_ROWS;
    // Every partition now falls below the threshold: groups close at 2·d = 8 rows, [0, 1] and [2].
    process.env.FEATUREJOB_PCA_OWN_STATISTICS_MIN_ROWS = '100';
    try {
      const refitted = await statisticsThenFit(output, manifest);
      assert.equal(refitted.created, true);
      assert.equal(refitted.statisticsFiles, 2);
      const after = await listStatistics(output);
      assert.equal(after.length, 2);
      assert.ok(
        after.every((key) => !before.includes(key) || key === before[2]),
        `stale files gone: ${after.join(', ')}`,
      );
      assert.equal((await statisticsThenFit(output, manifest)).created, false, 'and keeps that model on the next run');
    } finally {
      if (previous === undefined) delete process.env.FEATUREJOB_PCA_OWN_STATISTICS_MIN_ROWS;
      else process.env.FEATUREJOB_PCA_OWN_STATISTICS_MIN_ROWS = previous;
    }
  });

  test('refits for other settings', async () => {
    const other = await ensurePcaModel({ output, manifest, pca: { components: 1, whiten: true }, threads: 1, logger });
    assert.deepEqual([other.created, other.components, other.whiten], [true, 1, true]);
  });
});
