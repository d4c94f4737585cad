/**
 * The TensorFlow.js runner against real tfjs (wasm here, tfjs-node where installed) and,
 * for parity, against onnxruntime on the same full-size VGG16 weights.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { isFeatureJobError } from '../../../executor/errors.js';
import type { ErrorCode } from '../../../executor/errors.js';
import { exportVgg16TfjsLayersModel } from '../../../executor/model/export-vgg16-tfjs.js';
import { loadModelRunner } from '../../../executor/model/load-model-runner.js';
import { detectModelFormat } from '../../../executor/model/locate-model.js';
import { OnnxModelRunner } from '../../../executor/model/onnx-model-runner.js';
import { buildRandomVgg16Weights } from '../../../executor/model/random-vgg16-weights.js';
import { SeededRandom } from '../../../executor/util/seeded-random.js';
import { loadTfjsEngine } from '../../../executor/model/tfjs-engine.js';
import { computeTfjsModelSha256 } from '../../../executor/model/read-tfjs-model-files.js';
import { TfjsModelRunner } from '../../../executor/model/tfjs-model-runner.js';
import { buildVgg16Onnx } from '../../../executor/model/vgg16-graph.js';
import { prepareImage } from '../../../executor/pipeline/prepare-image.js';
import { maxRelativeErrorsPerRow } from '../../support/vector-metrics.js';

const INFO = { name: 'vgg16', layer: 'fc2', dimensions: 4096, weights: 'test' } as const;
const NARROW = { conv: [2, 4, 4, 8, 8], dense: 16 } as const;
const NARROW_INFO = { ...INFO, dimensions: NARROW.dense } as const;
const PER_IMAGE = 224 * 224 * 3;
const MAX_RELATIVE_ERROR = 1e-4;

function hasCode(code: ErrorCode, pattern?: RegExp): (error: unknown) => boolean {
  return (error) =>
    isFeatureJobError(error) && error.code === code && (pattern === undefined || pattern.test(error.message));
}

function isTfjsNodeInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}

/** Preprocessed values span BGR 0..255 minus the VGG16 means: about [-123.68, 151.06]. */
function randomInputs(count: number, seed: number): Float32Array {
  const random = new SeededRandom(seed);
  const batch = new Float32Array(count * PER_IMAGE);
  for (let i = 0; i < batch.length; i += 1) batch[i] = random.nextFloat() * 274.7 - 123.68;
  return batch;
}

/** A real JPEG (smooth colours plus noise, not square) through the production preprocessing. */
async function realImage(): Promise<Float32Array> {
  const width = 320;
  const height = 240;
  const random = new SeededRandom(7);
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const o = (y * width + x) * 3;
      const noise = random.nextUint32() % 32;
      pixels[o] = Math.min(255, (x * 255) / width + noise);
      pixels[o + 1] = Math.min(255, (y * 255) / height + noise);
      pixels[o + 2] = Math.min(255, ((x + y) * 127) / (width + height) + 64 + noise);
    }
  }
  const jpeg = await sharp(pixels, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
  return prepareImage(jpeg);
}

/**
 * A hand-written tfjs graph model: fc2 = mean over pixels (per channel) x W[3,16]. Its output
 * node declares no shape, so the runner has to find it by running the model once.
 */
async function writeGraphModel(dir: string, w: Float32Array): Promise<void> {
  const dims = (...sizes: number[]) => ({ dim: sizes.map((size) => ({ size: String(size) })) });
  const float = { type: 'DT_FLOAT' };
  const int32 = { type: 'DT_INT32' };
  const no = { b: false };
  const constant = (dtype: string, ...shape: number[]) => ({ tensor: { dtype, tensorShape: dims(...shape) } });
  const json = {
    format: 'graph-model',
    generatedBy: 'featurejob test',
    convertedBy: null,
    modelTopology: {
      node: [
        { name: 'input', op: 'Placeholder', attr: { dtype: float, shape: { shape: dims(-1, 224, 224, 3) } } },
        { name: 'axes', op: 'Const', attr: { dtype: int32, value: constant('DT_INT32', 2) } },
        { name: 'w', op: 'Const', attr: { dtype: float, value: constant('DT_FLOAT', 3, 16) } },
        { name: 'mean', op: 'Mean', input: ['input', 'axes'], attr: { keep_dims: no, T: float, Tidx: int32 } },
        {
          name: 'fc2/MatMul',
          op: 'MatMul',
          input: ['mean', 'w'],
          attr: { transpose_a: no, transpose_b: no, T: float },
        },
        { name: 'fc2', op: 'Identity', input: ['fc2/MatMul'], attr: { T: float } },
      ],
      library: {},
      versions: { producer: 1 },
    },
    weightsManifest: [
      {
        paths: ['weights.bin'],
        weights: [
          { name: 'axes', shape: [2], dtype: 'int32' },
          { name: 'w', shape: [3, 16], dtype: 'float32' },
        ],
      },
    ],
  };
  const bin = new Uint8Array(8 + w.byteLength);
  new Int32Array(bin.buffer, 0, 2).set([1, 2]);
  new Float32Array(bin.buffer, 8, w.length).set(w);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'weights.bin'), bin);
  await writeFile(join(dir, 'model.json'), JSON.stringify(json));
}

describe('TfjsModelRunner', () => {
  let dir = '';
  let narrowJson = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fj-tfjs-'));
    const narrow = buildRandomVgg16Weights({ widths: NARROW });
    narrowJson = (await exportVgg16TfjsLayersModel(narrow, join(dir, 'narrow'))).modelJsonPath;
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('says which engine runs: tfjs on the wasm backend when @tensorflow/tfjs-node is not installed', async (t) => {
    const runner = await TfjsModelRunner.load({ modelPath: narrowJson, info: NARROW_INFO, threads: 1 });
    try {
      t.diagnostic(runner.engine.note);
      assert.equal(runner.engine.format, 'tfjs-layers');
      if (isTfjsNodeInstalled()) {
        assert.equal(runner.engine.backend, 'tensorflow');
      } else {
        assert.equal(runner.engine.backend, 'wasm');
        assert.match(runner.engine.note, /wasm backend.*@tensorflow\/tfjs-node is not installed/);
      }
    } finally {
      await runner.close();
    }
  });

  it('refuses a model whose output is not [N,4096] with FJ_MODEL_INVALID before any image', async () => {
    await assert.rejects(
      TfjsModelRunner.load({ modelPath: narrowJson, info: INFO, threads: 1 }),
      hasCode('FJ_MODEL_INVALID', /output 'fc2' is float32 \[N,16\]; expected float32 \[N,4096\]/),
    );
  });

  it('names the loaded bytes by the sha256 of model.json followed by its weight shards in manifest order', async () => {
    const json = await readFile(narrowJson);
    const manifest = (JSON.parse(json.toString('utf8')) as { weightsManifest: { paths: string[] }[] }).weightsManifest;
    const hash = createHash('sha256').update(json);
    for (const path of manifest.flatMap((group) => group.paths)) hash.update(await readFile(join(dir, 'narrow', path)));
    const runner = await TfjsModelRunner.load({ modelPath: join(dir, 'narrow'), info: NARROW_INFO, threads: 1 });
    try {
      const expected = hash.digest('hex');
      assert.equal(runner.info.sha256, expected);
      assert.equal(await computeTfjsModelSha256(join(dir, 'narrow')), expected);
    } finally {
      await runner.close();
    }
  });

  it('refuses model files whose sha256 differs from the requested one with FJ_MODEL_INVALID', async () => {
    await assert.rejects(
      TfjsModelRunner.load({ modelPath: narrowJson, info: { ...NARROW_INFO, sha256: '0'.repeat(64) }, threads: 1 }),
      hasCode('FJ_MODEL_INVALID', /expected 0{64}: the files changed/),
    );
  });

  it('leaves no tensor behind across runs, and none after close', async () => {
    const { tf } = await loadTfjsEngine();
    const before = tf.memory().numTensors;
    const runner = await TfjsModelRunner.load({ modelPath: narrowJson, info: NARROW_INFO, threads: 1 });
    const loaded = tf.memory().numTensors;
    const batch = randomInputs(2, 1);
    const first = await runner.run(batch, 2);
    for (let i = 0; i < 2; i += 1) assert.deepEqual(await runner.run(batch, 2), first);
    assert.equal(tf.memory().numTensors, loaded);
    await runner.close();
    assert.equal(tf.memory().numTensors, before);
  });

  it('runs a tfjs graph model and checks the output shape it does not declare', async () => {
    const graph = join(dir, 'graph');
    const w = Float32Array.from({ length: 48 }, (_, i) => (i % 7) - 3);
    await writeGraphModel(graph, w);
    assert.equal(detectModelFormat(graph), 'tfjs-graph');
    await assert.rejects(
      TfjsModelRunner.load({ modelPath: graph, info: INFO, threads: 1 }),
      hasCode('FJ_MODEL_INVALID', /output 'fc2' is float32 \[N,16\]; expected float32 \[N,4096\]/),
    );
    const runner = await TfjsModelRunner.load({ modelPath: graph, info: NARROW_INFO, threads: 1 });
    try {
      assert.equal(runner.engine.format, 'tfjs-graph');
      // Every pixel is (1, 2, 3): fc2[j] = 1 * w[0][j] + 2 * w[1][j] + 3 * w[2][j].
      const batch = new Float32Array(PER_IMAGE).map((_, i) => (i % 3) + 1);
      const features = await runner.run(batch, 1);
      for (let j = 0; j < 16; j += 1) {
        const expected = (w[j] as number) + 2 * (w[16 + j] as number) + 3 * (w[32 + j] as number);
        assert.ok(Math.abs((features[j] as number) - expected) < 1e-4, `fc2[${j}] is ${features[j]}, not ${expected}`);
      }
    } finally {
      await runner.close();
    }
  });

  it('refuses a SavedModel with FJ_MODEL_INVALID when tfjs-node is not there to run it', async (t) => {
    if (isTfjsNodeInstalled()) return t.skip('@tensorflow/tfjs-node is installed');
    const savedModel = join(dir, 'saved');
    await mkdir(savedModel, { recursive: true });
    await writeFile(join(savedModel, 'saved_model.pb'), new Uint8Array([8, 1]));
    await assert.rejects(
      TfjsModelRunner.load({ modelPath: savedModel, info: INFO, threads: 1 }),
      hasCode('FJ_MODEL_INVALID', /needs @tensorflow\/tfjs-node/),
    );
  });

  it('detects ONNX, tfjs layers and SavedModel formats from the path and model.json', async () => {
    assert.equal(detectModelFormat(narrowJson), 'tfjs-layers');
    assert.equal(detectModelFormat(join(dir, 'narrow')), 'tfjs-layers');
    const onnx = join(dir, 'narrow.onnx');
    await writeFile(onnx, buildVgg16Onnx(buildRandomVgg16Weights({ widths: NARROW })));
    assert.equal(detectModelFormat(onnx), 'onnx');
    const savedModel = join(dir, 'saved-detect');
    await mkdir(savedModel, { recursive: true });
    await writeFile(join(savedModel, 'saved_model.pb'), new Uint8Array([8, 1]));
    assert.equal(detectModelFormat(savedModel), 'savedmodel');
    assert.throws(() => detectModelFormat(join(dir, 'absent.onnx')), hasCode('FJ_MODEL_NOT_FOUND'));
    await writeFile(join(dir, 'other.json'), '{"hello":1}');
    assert.throws(() => detectModelFormat(join(dir, 'other.json')), hasCode('FJ_MODEL_INVALID'));
  });

  it('gives the same features through loadModelRunner whichever engine the format picks', async () => {
    const weights = buildRandomVgg16Weights({ widths: NARROW });
    const onnx = join(dir, 'narrow-parity.onnx');
    await writeFile(onnx, buildVgg16Onnx(weights));
    const batch = randomInputs(2, 3);
    const results: Float32Array[] = [];
    for (const modelPath of [onnx, narrowJson]) {
      const runner = await loadModelRunner({ modelPath, info: NARROW_INFO, threads: 1 });
      try {
        results.push(await runner.run(batch, 2));
      } finally {
        await runner.close();
      }
    }
    const [fromOnnx, fromTfjs] = results as [Float32Array, Float32Array];
    for (const error of maxRelativeErrorsPerRow(fromTfjs, fromOnnx, NARROW.dense)) {
      assert.ok(error <= MAX_RELATIVE_ERROR, `max relative error ${error}`);
    }
  });
});

describe('onnxruntime and TensorFlow.js on the same full-size VGG16 weights', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fj-tfjs-parity-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('give the same fc2 features, within 1e-4 relative error per image, for random and real images', async (t) => {
    const images = 3;
    const batch = new Float32Array(images * PER_IMAGE);
    batch.set(randomInputs(2, 11));
    batch.set(await realImage(), 2 * PER_IMAGE);

    // One copy of the weights at a time: export both models, then let the weights go.
    let weights: ReturnType<typeof buildRandomVgg16Weights> | undefined = buildRandomVgg16Weights({ seed: 2 });
    const { modelJsonPath } = await exportVgg16TfjsLayersModel(weights, join(dir, 'tfjs'));
    const onnxPath = join(dir, 'vgg16.onnx');
    await writeFile(onnxPath, buildVgg16Onnx(weights));
    weights = undefined;

    const onnx = await OnnxModelRunner.load({ modelPath: onnxPath, info: INFO, threads: 2 });
    let expected: Float32Array;
    try {
      const started = performance.now();
      expected = Float32Array.from(await onnx.run(batch, images));
      t.diagnostic(`onnxruntime (2 threads): ${((performance.now() - started) / images).toFixed(0)} ms per image`);
    } finally {
      await onnx.close();
    }

    const tfjs = await TfjsModelRunner.load({ modelPath: modelJsonPath, info: INFO, threads: 2 });
    const actual = new Float32Array(images * INFO.dimensions);
    try {
      const times: string[] = [];
      for (let i = 0; i < images; i += 1) {
        const started = performance.now();
        const features = await tfjs.run(batch.subarray(i * PER_IMAGE, (i + 1) * PER_IMAGE), 1);
        times.push((performance.now() - started).toFixed(0));
        actual.set(features, i * INFO.dimensions);
      }
      t.diagnostic(`tfjs ${tfjs.engine.backend}, one image per run: ${times.join(', ')} ms`);
    } finally {
      await tfjs.close();
    }

    const errors = maxRelativeErrorsPerRow(actual, expected, INFO.dimensions);
    t.diagnostic(`max relative error per image: ${errors.map((e) => e.toExponential(2)).join(', ')}`);
    for (const [i, error] of errors.entries()) {
      assert.ok(error <= MAX_RELATIVE_ERROR, `image ${i}: max relative error ${error} exceeds ${MAX_RELATIVE_ERROR}`);
    }
    // Features that are all zero would agree trivially.
    assert.ok(
      expected.some((v) => v > 0),
      'the reference features are not all zero',
    );
  });
});
