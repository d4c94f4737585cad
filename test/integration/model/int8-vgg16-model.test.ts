/**
 * The int8 path on onnxruntime: a narrow random VGG16 (the real graph, fewer filters, so a
 * test takes seconds) is calibrated on generated photos-to-be, quantized, and gated against
 * fp32 on other images. Random He-normal weights make features less structured than
 * ImageNet's; on this machine the narrow model measured median cosine ~0.9997 and kNN@k 1.0
 * (docs/performance.md), so the default thresholds hold and are what these tests use.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { isFeatureJobError } from '../../../executor/errors.js';
import { ensurePrecisionModel, type PrecisionSamples } from '../../../executor/model/ensure-int8-model.js';
import { DEFAULT_FIDELITY_THRESHOLDS } from '../../../executor/model/feature-fidelity.js';
import type { ModelInfo } from '../../../executor/model/model-runner.js';
import { buildOnnxModel } from '../../../executor/model/onnx-model-builder.js';
import { buildRandomVgg16Weights } from '../../../executor/model/random-vgg16-weights.js';
import { buildVgg16Graph } from '../../../executor/model/vgg16-graph.js';
import { computeFileSha256 } from '../../../executor/model/resolve-model.js';
import { prepareImage } from '../../../executor/pipeline/prepare-image.js';
import { writePlainImages } from '../../support/write-test-images.js';

const PER_IMAGE = 224 * 224 * 3;
const widths = { conv: [16, 32, 64, 128, 128], dense: 512 } as {
  conv: [number, number, number, number, number];
  dense: number;
};

async function prepareAll(files: readonly string[]): Promise<Float32Array> {
  const out = new Float32Array(files.length * PER_IMAGE);
  for (const [i, file] of files.entries()) await prepareImage(await readFile(file), { out, offset: i * PER_IMAGE });
  return out;
}

describe('int8 VGG16-fc2 on onnxruntime', () => {
  let root = '';
  let fp32: { path: string; info: ModelInfo };
  let samples: PrecisionSamples;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'fj-int8-'));
    const path = join(root, 'narrow.onnx');
    await writeFile(path, buildOnnxModel({ graph: buildVgg16Graph(buildRandomVgg16Weights({ seed: 0, widths })) }));
    fp32 = {
      path,
      info: {
        name: 'vgg16',
        layer: 'fc2',
        dimensions: widths.dense,
        weights: 'narrow random',
        sha256: await computeFileSha256(path),
      },
    };
    const images = join(root, 'images');
    await writePlainImages(images, { count: 32 });
    const files: string[] = [];
    for (const label of (await readdir(images)).sort())
      for (const name of (await readdir(join(images, label))).sort()) files.push(join(images, label, name));
    const calibration = files.filter((_, i) => i % 2 === 0);
    const gate = files.filter((_, i) => i % 2 === 1);
    samples = {
      calibration: { images: await prepareAll(calibration), count: calibration.length },
      gate: { images: await prepareAll(gate), count: gate.length },
    };
  });
  after(() => rm(root, { recursive: true, force: true }));

  const ensure = (options: {
    precision: 'int8' | 'auto';
    cacheDir: string;
    samples?: PrecisionSamples;
    onStatus?: (message: string) => void;
    path?: string;
  }) =>
    ensurePrecisionModel({
      precision: options.precision,
      model: options.path === undefined ? fp32 : { ...fp32, path: options.path },
      cacheDir: options.cacheDir,
      loadSamples: async () => options.samples ?? samples,
      thresholds: DEFAULT_FIDELITY_THRESHOLDS,
      threads: 2,
      ...(options.onStatus === undefined ? {} : { onStatus: options.onStatus }),
    });

  it('passes the fidelity gate with the default thresholds and hands the workers an int8 model', async () => {
    const cacheDir = join(root, 'cache-pass');
    const chosen = await ensure({ precision: 'int8', cacheDir });
    const gate = chosen.record?.gate;
    assert.ok(gate !== undefined, JSON.stringify(chosen.record));
    assert.equal(gate.passed, true);
    assert.ok(gate.cosineMedian >= 0.999 && gate.knnAgreement >= 0.95, JSON.stringify(gate));
    assert.equal(gate.images, 16);
    assert.equal(gate.k, 10);
    assert.equal(chosen.record?.used, 'int8');
    assert.deepEqual(
      chosen.record?.calibration && {
        images: chosen.record.calibration.images,
        method: chosen.record.calibration.method,
      },
      { images: 16, method: 'minmax' },
    );
    assert.match(chosen.path, /vgg16-fc2-int8-v1-[0-9a-f]{16}-minmax-[0-9a-f]{16}\.onnx$/);
    assert.equal(chosen.info.sha256, await computeFileSha256(chosen.path));
    assert.equal(chosen.record?.int8Sha256, chosen.info.sha256);
    assert.notEqual(chosen.info.sha256, fp32.info.sha256);
  });

  it('is fused by onnxruntime into integer kernels: QLinearConv for every conv, QGemm for both dense layers', async () => {
    const chosen = await ensure({ precision: 'int8', cacheDir: join(root, 'cache-pass') });
    const optimized = join(root, 'optimized.onnx');
    const session = await ort.InferenceSession.create(chosen.path, {
      graphOptimizationLevel: 'all',
      optimizedModelFilePath: optimized,
      intraOpNumThreads: 1,
    });
    await session.release();
    const text = (await readFile(optimized)).toString('latin1');
    const count = (op: string) => text.split(op).length - 1;
    assert.equal(count('QLinearConv'), 13);
    assert.equal(count('QGemm'), 2);
    assert.equal(count('DequantizeLinear'), 0);
  });

  it('reuses the cached model and gate on a second run: no recalibration, the same bytes', async () => {
    const cacheDir = join(root, 'cache-pass');
    const first = await ensure({ precision: 'int8', cacheDir });
    const statuses: string[] = [];
    const second = await ensure({ precision: 'int8', cacheDir, onStatus: (message) => statuses.push(message) });
    assert.deepEqual(statuses, []);
    assert.equal(second.path, first.path);
    assert.deepEqual(second.record, first.record);
    // Determinism: a fresh cache quantizes the same inputs into the same bytes.
    const fresh = await ensure({ precision: 'int8', cacheDir: join(root, 'cache-fresh') });
    assert.equal(fresh.info.sha256, first.info.sha256);
  });

  it('fails with FJ_PRECISION_FIDELITY, naming the figures, when calibrated on a constant image', async () => {
    // One flat grey image: every activation range is far narrower than real images need.
    const grey = new Float32Array(PER_IMAGE);
    for (let i = 0; i < PER_IMAGE; i += 3) grey.set([128 - 103.939, 128 - 116.779, 128 - 123.68], i);
    const bad = { calibration: { images: grey, count: 1 }, gate: samples.gate };
    await assert.rejects(ensure({ precision: 'int8', cacheDir: join(root, 'cache-bad'), samples: bad }), (error) => {
      assert.ok(isFeatureJobError(error) && error.code === 'FJ_PRECISION_FIDELITY', String(error));
      assert.match(error.message, /median cosine 0\.\d{5} < 0\.999|kNN@10 agreement 0\.\d{3} < 0\.95/);
      assert.match(error.message, /calibrated with minmax on 1/);
      return true;
    });
  });

  it('falls back to fp32 under auto and says why, recording the failed gate', async () => {
    const grey = new Float32Array(PER_IMAGE).fill(24);
    const chosen = await ensure({
      precision: 'auto',
      cacheDir: join(root, 'cache-auto'),
      samples: { calibration: { images: grey, count: 1 }, gate: samples.gate },
    });
    assert.equal(chosen.path, fp32.path);
    assert.equal(chosen.info.sha256, fp32.info.sha256);
    assert.match(chosen.warning ?? '', /--precision auto runs fp32: int8 features do not hold/);
    assert.equal(chosen.record?.used, 'fp32');
    assert.equal(chosen.record?.gate?.passed, false);
  });

  it('refuses another graph with FJ_PRECISION_UNSUPPORTED before reading any image', async () => {
    const chosen = await ensure({ precision: 'int8', cacheDir: join(root, 'cache-pass') });
    let read = false;
    await assert.rejects(
      ensurePrecisionModel({
        precision: 'int8',
        model: { path: chosen.path, info: chosen.info },
        cacheDir: join(root, 'cache-other'),
        loadSamples: async () => {
          read = true;
          return samples;
        },
        thresholds: DEFAULT_FIDELITY_THRESHOLDS,
        threads: 2,
      }),
      { code: 'FJ_PRECISION_UNSUPPORTED' },
    );
    assert.equal(read, false);
  });
});
