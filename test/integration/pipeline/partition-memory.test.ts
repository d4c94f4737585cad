/**
 * An executor refuses a partition its memory cannot hold, before reading any image: with
 * `--partitions` / spec.partitions the partition size is known only from the plan, so the
 * admission of the settings cannot check it and the extract task does (FJ_MEMORY_INSUFFICIENT).
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readCommitMarker } from '../../../executor/commit/commit-partition.js';
import {
  DEFAULT_DECODE_BUDGET_BYTES,
  DEFAULT_MAX_OBJECT_BYTES,
  DEFAULT_MAX_PIXELS,
} from '../../../executor/config/limits.js';
import { estimateWorkerMemory } from '../../../executor/config/worker-memory.js';
import { isFeatureJobError } from '../../../executor/errors.js';
import { createLogger } from '../../../executor/log/logger.js';
import { OnnxModelRunner } from '../../../executor/model/onnx-model-runner.js';
import { buildRandomVgg16Weights } from '../../../executor/model/random-vgg16-weights.js';
import { buildVgg16Onnx } from '../../../executor/model/vgg16-graph.js';
import { FileStore } from '../../../executor/storage/file-store.js';
import { extractPartition, type ExtractPartitionConfig } from '../../../executor/tasks/extract-partition.js';
import { planJob } from '../../../executor/tasks/plan-job.js';
import { FP32_PRECISION } from '../../../executor/output/shard-precision.js';

const IMAGES = 40;

describe('an executor and a partition too large for its memory', () => {
  let root = '';
  let model: OnnxModelRunner;
  let stores: { input: FileStore; output: FileStore };
  const config: ExtractPartitionConfig = {
    format: 'parquet',
    threads: 1,
    batchSize: 8,
    fetchConcurrency: 4,
    maxPixels: DEFAULT_MAX_PIXELS,
    maxObjectBytes: DEFAULT_MAX_OBJECT_BYTES,
    decodeBudgetBytes: DEFAULT_DECODE_BUDGET_BYTES,
  };
  // Enough for everything but the partition's rows: what admission sees with --partitions.
  const withoutRows = estimateWorkerMemory({ ...config, imagesPerPartition: 0, pca: false }).totalBytes;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'fj-partition-memory-'));
    const input = join(root, 'in');
    const output = join(root, 'out');
    await mkdir(input);
    // Not images at all: read, each would become an error line, so a refusal shows none was read.
    for (let i = 0; i < IMAGES; i += 1) await writeFile(join(input, `img-${String(i).padStart(3, '0')}.jpg`), 'x');
    stores = { input: new FileStore({ dir: input }), output: new FileStore({ dir: output }) };
    model = await OnnxModelRunner.load({
      modelBytes: buildVgg16Onnx(buildRandomVgg16Weights({ widths: { conv: [2, 4, 4, 8, 8], dense: 16 } })),
      info: { name: 'vgg16', layer: 'fc2', dimensions: 16, weights: 'test' },
      threads: 1,
    });
    await planJob({
      stores,
      config: { input, output, format: 'parquet', imagesPerPartition: 256, partitions: 1 },
      model: model.info,
      logger: createLogger({ level: 'silent' }),
    });
  });
  after(async () => {
    await model?.close();
    await rm(root, { recursive: true, force: true });
  });

  it('refuses it with FJ_MEMORY_INSUFFICIENT (terminal), naming the partition and its rows, and writes nothing', async () => {
    await assert.rejects(
      extractPartition({
        stores,
        config: { ...config, memoryLimitBytes: withoutRows + 1024 },
        model,
        precision: FP32_PRECISION,
        index: 0,
        attempt: 'a',
      }),
      (error) =>
        isFeatureJobError(error) &&
        error.code === 'FJ_MEMORY_INSUFFICIENT' &&
        !error.isTransient &&
        /partition 0 has 40 images: .*partition rows and shard \(40 x 80 KiB\)/.test(error.message),
    );
    assert.equal(await readCommitMarker(stores.output, 0), undefined);
  });

  it('runs the same partition when the limit holds its rows', async () => {
    const outcome = await extractPartition({
      stores,
      config: { ...config, memoryLimitBytes: withoutRows + IMAGES * 80 * 1024 },
      model,
      precision: FP32_PRECISION,
      index: 0,
      attempt: 'b',
    });
    assert.equal(outcome.marker.failed, IMAGES, 'every file was read and became an error line');
  });
});
