import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { computeExitCode } from '../../../executor/cluster/executor-exit-codes.js';
import { readCommitMarker } from '../../../executor/commit/commit-partition.js';
import { finishReduce } from '../../../executor/reduce/finish-reduce.js';
import { PROJECTION_MARKERS_PREFIX } from '../../../executor/reduce/projection-marker.js';
import {
  computeReduceTaskCounts,
  isProjectionComplete,
  isReduceComplete,
  observeReduce,
} from '../../../executor/reduce/observe-reduce.js';
import { runExecutor, type ExecutorMode, type ExecutorResult } from '../../../executor/cluster/run-executor.js';
import type { ExecutorConfigInput } from '../../../executor/config/executor-config.js';
import { isFeatureJobError, type ErrorCode } from '../../../executor/errors.js';
import { runLocalReduce } from '../../../executor/local/run-local-reduce.js';
import { createLogger } from '../../../executor/log/logger.js';
import { buildFeatureRows } from '../../../executor/output/feature-rows.js';
import { parseManifestText, type Manifest } from '../../../executor/output/manifest-schema.js';
import { resolveModel } from '../../../executor/model/resolve-model.js';
import { SeededRandom } from '../../../executor/util/seeded-random.js';
import { statisticsKey } from '../../../executor/plan/partition-naming.js';
import { computeRowStatistics } from '../../../executor/reduce/partition-statistics.js';
import { decodePcaModel, type PcaModel } from '../../../executor/reduce/pca-model.js';
import { decodeStatisticsFile, encodeStatisticsFile } from '../../../executor/reduce/statistics-file.js';
import { FileStore } from '../../../executor/storage/file-store.js';
import { testCacheDir } from '../../support/cache-dir.js';
import { writeFeatureOutput, type SyntheticPartition } from '../../support/write-feature-output.js';
import { writePlainImages } from '../../support/write-test-images.js';

const DIMENSIONS = 16;
// At 16 dimensions a partition of ≥ 9 rows keeps its own statistics and small ones are grouped
// by ≥ 32 rows: groups [0], [1,3,4,5,6], [7], [8,9] (partition 2 is empty).
const ROWS_PER_PARTITION = [50, 6, 0, 8, 7, 5, 8, 30, 4, 3];
const SPECTRUM = Array.from({ length: DIMENSIONS }, (_, i) => 30 * 0.7 ** i);
const logger = createLogger({ level: 'silent' });

/** Rows whose covariance has SPECTRUM as eigenvalues, along the axes of a Householder reflection. */
function makePartitions(): SyntheticPartition[] {
  const random = new SeededRandom(11);
  const reflector = random.fillNormal(new Float32Array(DIMENSIONS));
  const norm2 = reflector.reduce((sum, value) => sum + value * value, 0);
  let row = 0;
  return ROWS_PER_PARTITION.map((rows) => {
    const features = new Float32Array(rows * DIMENSIONS);
    const z = new Float32Array(DIMENSIONS);
    for (let r = 0; r < rows; r++) {
      random.fillNormal(z);
      const x = Array.from(z, (value, i) => value * Math.sqrt(SPECTRUM[i]!));
      const dot = x.reduce((sum, value, i) => sum + value * reflector[i]!, 0);
      x.forEach((value, i) => (features[r * DIMENSIONS + i] = value - (2 * dot * reflector[i]!) / norm2 + 5 + i));
    }
    const paths = Array.from({ length: rows }, () => `class ${row % 3}/row ${String(row++).padStart(4, '0')}.jpg`);
    return { paths, features };
  });
}

async function snapshot(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(
      relative(dir, path),
      createHash('sha256')
        .update(await readFile(path))
        .digest('hex'),
    );
  }
  return files;
}

function settingsFor(dir: string, pca?: { components: number; whiten: boolean }): ExecutorConfigInput {
  return {
    version: 1,
    input: dir,
    output: dir,
    format: 'parquet',
    weights: 'random',
    imagesPerPartition: 64,
    threads: 1,
    batchSize: 8,
    ...(pca === undefined ? {} : { pca }),
  };
}

function runTask(mode: ExecutorMode, settings: ExecutorConfigInput, index?: number): Promise<ExecutorResult> {
  const env = {
    FEATUREJOB_EXECUTOR_CONFIG: JSON.stringify(settings),
    ...(index === undefined ? {} : { JOB_COMPLETION_INDEX: String(index) }),
  };
  return runExecutor({ mode, env, logger });
}

/** Every PCA task, as the operator runs them: each statistics index, the fit, each project index, then finishReduce. */
async function runAllTasks(
  dir: string,
  manifest: Manifest,
  pca: { components: number; whiten: boolean },
): Promise<{ results: ExecutorResult[]; manifest: Manifest }> {
  const settings = settingsFor(dir, pca);
  const counts = computeReduceTaskCounts(manifest);
  const results: ExecutorResult[] = [];
  for (let index = 0; index < counts.statisticsGroups; index++)
    results.push(await runTask('pca-statistics', settings, index));
  results.push(await runTask('pca-fit', settings));
  for (let index = 0; index < counts.partitions; index++) results.push(await runTask('pca-project', settings, index));
  return { results, manifest: await finishReduce({ output: new FileStore({ dir }), ...pca }) };
}

async function rejectsWith(promise: Promise<unknown>, code: ErrorCode, exitCode: number): Promise<void> {
  await assert.rejects(promise, (error) => {
    assert.ok(isFeatureJobError(error), String(error));
    assert.equal(error.code, code, error.message);
    assert.equal(computeExitCode(error), exitCode);
    return true;
  });
}

describe('the executor PCA tasks (pca-statistics, pca-fit, pca-project, then finishReduce)', () => {
  let root: string;
  let clusterDir: string;
  let localDir: string;
  let manifest: Manifest;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'fj-pca-tasks-'));
    clusterDir = join(root, 'cluster');
    localDir = join(root, 'local');
    const partitions = makePartitions();
    const output = new FileStore({ dir: clusterDir });
    manifest = await writeFeatureOutput({ output, dimensions: DIMENSIONS, partitions });
    // Partition 0 was extracted with PCA ahead: its statistics were committed with its shard.
    const rows = buildFeatureRows({
      paths: partitions[0]!.paths,
      features: partitions[0]!.features,
      dimensions: DIMENSIONS,
    });
    await output.put(statisticsKey(0, 'a0'), encodeStatisticsFile(await computeRowStatistics(rows, 1)));
    await cp(clusterDir, localDir, { recursive: true });
  });
  after(() => rm(root, { recursive: true, force: true }));

  test('fit and projection equal the local runner on an identical copy, and every task repeated changes nothing', async () => {
    const output = new FileStore({ dir: clusterDir });
    const pca = { components: 5, whiten: false };
    assert.deepEqual(computeReduceTaskCounts(manifest), { statisticsGroups: 4, partitions: ROWS_PER_PARTITION.length });
    assert.deepEqual(await observeReduce(output, manifest), {
      statisticsGroups: 4,
      partitions: 10,
      modelWritten: false,
      projected: 0,
      finished: false,
    });

    const first = await runAllTasks(clusterDir, manifest, pca);
    const statistics = first.results.filter((result) => result.mode === 'pca-statistics');
    assert.deepEqual(
      statistics.map((result) => [result.partitions, result.computed]),
      [
        [[0], false],
        [[1, 3, 4, 5, 6], true],
        [[7], true],
        [[8, 9], true],
      ],
    );
    assert.deepEqual(
      first.results.filter((result) => result.mode === 'pca-fit').map((result) => result.created),
      [true],
    );
    assert.ok(
      first.results.filter((result) => result.mode === 'pca-project').every((result) => result.outcome === 'projected'),
    );
    const observed = await observeReduce(output, first.manifest);
    assert.equal(observed.projected, 10);
    assert.ok(observed.finished && isProjectionComplete(observed) && isReduceComplete(first.manifest, pca));
    assert.deepEqual(
      { ...observed.model, sha256: undefined },
      { components: 5, whiten: false, rows: 121, sha256: undefined },
    );

    const local = await runLocalReduce({
      output: new FileStore({ dir: localDir }),
      ...pca,
      workers: 1,
      threads: 1,
      maxAttempts: 1,
      logger,
    });
    const model: PcaModel = decodePcaModel(await readFile(join(clusterDir, 'pca', 'model.json')), 'model.json');
    assert.equal(model.rows, local.model.rows);
    local.model.componentVectors.forEach((vector, c) =>
      vector.forEach((value, i) =>
        assert.ok(Math.abs(value - model.componentVectors[c]![i]!) <= 1e-9, `component ${c} [${i}]`),
      ),
    );
    local.model.explainedVariance.forEach((value, c) =>
      assert.ok(Math.abs(value - model.explainedVariance[c]!) <= 1e-9 * value),
    );
    model.explainedVariance.forEach((value, c) =>
      assert.ok(Math.abs(value / SPECTRUM[c]! - 1) < 0.5, `λ${c + 1} = ${value}, built ${SPECTRUM[c]}`),
    );
    const comparable = (m: Manifest, dir: string) => ({
      ...m.pca,
      fittedAt: undefined,
      modelUri: relative(dir, m.pca!.modelUri),
      partitions: m.pca!.partitions.map((shard) => ({ ...shard, uri: relative(dir, shard.uri) })),
    });
    assert.deepEqual(comparable(first.manifest, clusterDir), comparable(local.manifest, localDir));
    const reduced = async (dir: string) => [...(await snapshot(join(dir, 'pca')))].sort();
    assert.deepEqual(
      await reduced(clusterDir),
      await reduced(localDir),
      'the same model and reduced shards, byte for byte',
    );

    const before = await snapshot(clusterDir);
    const again = await runAllTasks(clusterDir, first.manifest, pca);
    assert.deepEqual(await snapshot(clusterDir), before, 'a second run of every task writes nothing');
    assert.deepEqual(again.manifest, first.manifest);
    for (const result of again.results) {
      if (result.mode === 'pca-statistics') assert.equal(result.computed, false);
      if (result.mode === 'pca-fit') assert.equal(result.created, false);
      if (result.mode === 'pca-project') assert.equal(result.outcome, 'already-projected');
    }
  });

  test('settings for another K refit, ignore the earlier projections and replace the pca block', async () => {
    const output = new FileStore({ dir: clusterDir });
    const pca = { components: 3, whiten: true };
    const current = parseManifestText(await readFile(join(clusterDir, 'manifest.json'), 'utf8'));
    await runTask('pca-fit', settingsFor(clusterDir, pca));
    const refitted = await observeReduce(output, current);
    assert.deepEqual(
      [refitted.model?.components, refitted.model?.whiten, refitted.projected, refitted.finished],
      [3, true, 0, false],
    );
    // Not finished yet is transient: the operator looks again later.
    await rejectsWith(finishReduce({ output, ...pca }), 'FJ_PARTITION_FAILED', 75);

    const { manifest: updated } = await runAllTasks(clusterDir, current, pca);
    assert.deepEqual([updated.pca?.components, updated.pca?.whiten, updated.pca?.rows], [3, true, 121]);
    assert.ok(isReduceComplete(updated, pca) && !isReduceComplete(updated, { components: 5, whiten: false }));
    const markers: string[] = [];
    for await (const object of output.list(PROJECTION_MARKERS_PREFIX)) markers.push(object.key);
    assert.equal(markers.length, 10);
    assert.equal(new Set(markers.map((key) => key.split('/')[3])).size, 1, 'the markers of the first model are gone');
  });

  test('settings without pca, or with a K the output cannot give, are a bad configuration (exit 78)', async () => {
    for (const [mode, index] of [
      ['pca-statistics', 0],
      ['pca-fit', undefined],
      ['pca-project', 0],
    ] as const) {
      await rejectsWith(runTask(mode, settingsFor(clusterDir), index), 'FJ_INVALID_CONFIG', 78);
      await rejectsWith(
        runTask(mode, settingsFor(clusterDir, { components: DIMENSIONS + 1, whiten: false }), index),
        'FJ_PCA_INVALID_COMPONENTS',
        78,
      );
    }
    // An index past the last group, and a projection before its model is fitted.
    await rejectsWith(
      runTask('pca-statistics', settingsFor(clusterDir, { components: 2, whiten: false }), 4),
      'FJ_INVALID_CONFIG',
      78,
    );
    await rejectsWith(
      runTask('pca-project', settingsFor(clusterDir, { components: 2, whiten: false }), 0),
      'FJ_INVALID_CONFIG',
      78,
    );
  });

  test("extract with pca in the settings commits the partition's statistics with its shard", async () => {
    const input = join(root, 'images');
    const dir = join(root, 'extracted');
    await writePlainImages(input, { count: 2, labels: ['Apple', 'Banana'] });
    // The cached random VGG16 (built once by the test suite); the knob gives a 2-image partition its own file.
    const model = await resolveModel({ weights: 'random', cacheDir: testCacheDir('featurejob') });
    const settings = {
      ...settingsFor(dir, { components: 1, whiten: false }),
      input,
      weights: model.path,
      imagesPerPartition: 2,
    };
    const previous = process.env.FEATUREJOB_PCA_OWN_STATISTICS_MIN_ROWS;
    process.env.FEATUREJOB_PCA_OWN_STATISTICS_MIN_ROWS = '1';
    try {
      await runTask('plan', settings);
      const extracted = await runTask('extract', settings, 0);
      assert.deepEqual(extracted.mode === 'extract' && [extracted.outcome, extracted.rows], ['committed', 2]);
      const marker = await readCommitMarker(new FileStore({ dir }), 0);
      const statistics = decodeStatisticsFile(
        await readFile(join(dir, statisticsKey(0, marker!.attempt))),
        'statistics',
      );
      assert.deepEqual([statistics.rows, statistics.dimensions], [2, 4096]);
    } finally {
      if (previous === undefined) delete process.env.FEATUREJOB_PCA_OWN_STATISTICS_MIN_ROWS;
      else process.env.FEATUREJOB_PCA_OWN_STATISTICS_MIN_ROWS = previous;
    }
  });
});
