import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatBytes, parseByteQuantity } from '../../../executor/config/byte-quantity.js';
import { DEFAULT_DECODE_BUDGET_BYTES, DEFAULT_MAX_PIXELS } from '../../../executor/config/limits.js';
import { parseRunConfig } from '../../../executor/config/run-config.js';
import {
  INPUT_TENSOR_BYTES,
  VGG16_FC2_WEIGHT_BYTES,
  describeMemoryShortfall,
  estimateWorkerMemory,
} from '../../../executor/config/worker-memory.js';
import { isFeatureJobError } from '../../../executor/errors.js';
import { computeVgg16Layers } from '../../../executor/model/vgg16-graph.js';
import { KERAS_INPUT_SIZE } from '../../../executor/pipeline/preprocess-keras.js';

const GiB = 2 ** 30;
const defaults = {
  batchSize: 8,
  imagesPerPartition: 256,
  fetchConcurrency: 16,
  decodeBudgetBytes: DEFAULT_DECODE_BUDGET_BYTES,
  maxPixels: DEFAULT_MAX_PIXELS,
  format: 'parquet',
  pca: false,
} as const;

describe('byte quantities', () => {
  test('reads Kubernetes suffixes, decimals and plain bytes, and refuses anything else', () => {
    assert.equal(parseByteQuantity('16Gi'), 16 * GiB);
    assert.equal(parseByteQuantity('512Mi'), 512 * 2 ** 20);
    assert.equal(parseByteQuantity('2.5G'), 2_500_000_000);
    assert.equal(parseByteQuantity('1e9'), 1_000_000_000);
    assert.equal(parseByteQuantity('123'), 123);
    for (const bad of ['', '16 GB', '-1', 'lots', '3500m']) assert.equal(parseByteQuantity(bad), undefined, bad);
    assert.equal(formatBytes(DEFAULT_DECODE_BUDGET_BYTES), '2.5 GiB');
  });
});

describe('the memory one extraction process holds', () => {
  test('counts the fc2 model by its real parameters, and one input tensor per image', () => {
    const parameters = computeVgg16Layers().reduce(
      (sum, layer) =>
        sum +
        layer.kernelShape.reduce((a, b) => a * b, 1) +
        (layer.kind === 'conv' ? layer.outChannels : layer.outUnits),
      0,
    );
    assert.equal(VGG16_FC2_WEIGHT_BYTES, parameters * 4);
    assert.equal(INPUT_TENSOR_BYTES, KERAS_INPUT_SIZE * KERAS_INPUT_SIZE * 3 * 4);
  });

  test('fits the default settings in the 16Gi pod limit, with room for the 12Gi request', () => {
    const estimate = estimateWorkerMemory(defaults);
    assert.ok(estimate.totalBytes < 5 * GiB, formatBytes(estimate.totalBytes));
    assert.equal(describeMemoryShortfall(estimate, 16 * GiB, 'the pod limit'), undefined);
  });

  test('grows with the batch and the partition, and names the terms when they do not fit', () => {
    const big = estimateWorkerMemory({ ...defaults, batchSize: 256 });
    const message = describeMemoryShortfall(big, 16 * GiB, 'the pod limit (16Gi)');
    assert.match(message ?? '', /need about 19\.\d GiB per executor, more than the 16 GiB of the pod limit \(16Gi\)/);
    assert.match(message ?? '', /\(16Gi\): batch \(256 slots x 64 MiB\) 16 GiB, decode budget 2\.5 GiB/);
    const rows = estimateWorkerMemory({ ...defaults, imagesPerPartition: 200_000 });
    assert.ok(rows.totalBytes > 16 * GiB);
    const csv = estimateWorkerMemory({ ...defaults, imagesPerPartition: 200_000, format: 'csv' });
    assert.ok(csv.totalBytes > rows.totalBytes, 'a CSV row costs more to encode than a Parquet row');
  });

  test('counts a lone image over the budget: lowering the budget below one --max-pixels decode saves nothing', () => {
    const small = estimateWorkerMemory({ ...defaults, decodeBudgetBytes: 256 * 2 ** 20 });
    assert.equal(small.totalBytes, estimateWorkerMemory(defaults).totalBytes);
    const lower = estimateWorkerMemory({ ...defaults, decodeBudgetBytes: 256 * 2 ** 20, maxPixels: 10_000_000 });
    assert.ok(lower.totalBytes < small.totalBytes - 2 * GiB);
  });
});

describe('featurejob run admission', () => {
  const base = { input: './in', output: './out', cores: 2, memoryBytes: 24 * GiB };

  test('accepts the defaults and takes the worker memory as the machine memory shared by the workers', () => {
    const config = parseRunConfig({ ...base, workers: 4 });
    assert.equal(config.workerMemoryBytes, 6 * GiB);
    assert.equal(config.decodeBudgetBytes, DEFAULT_DECODE_BUDGET_BYTES);
    assert.equal(parseRunConfig({ ...base, decodeBudgetBytes: '512Mi' }).decodeBudgetBytes, 512 * 2 ** 20);
  });

  test('refuses a batch or a partition the worker memory cannot hold, with the reason and what to lower', () => {
    const refused = (input: Parameters<typeof parseRunConfig>[0], pattern: RegExp): void => {
      assert.throws(
        () => parseRunConfig(input),
        (error) => isFeatureJobError(error) && error.code === 'FJ_INVALID_ARGUMENT' && pattern.test(error.message),
      );
    };
    refused({ ...base, batchSize: 128, workerMemoryBytes: '8Gi' }, /more than the 8 GiB of --worker-memory: batch/);
    refused(
      { ...base, imagesPerPartition: 400_000, workers: 2 },
      /of --worker-memory \(this machine's memory shared by 2 workers\): partition rows and shard \(400000 x 80 KiB\)/,
    );
    refused({ ...base, workerMemoryBytes: '1Gi' }, /lower --batch-size, --images-per-partition/);
    // With --partitions the size is known once listed: the extract task checks it there.
    assert.ok(parseRunConfig({ ...base, partitions: 1, imagesPerPartition: 400_000, workers: 2 }));
  });
});
