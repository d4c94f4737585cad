/**
 * End-to-end parity with Keras itself: the same legacy .h5 weights and the same image files
 * go through (a) TensorFlow/Keras: VGG16 cut at fc2, fed by load_img(target_size=(224,224)) +
 * img_to_array + vgg16.preprocess_input + predict, and (b) ours: convertKerasH5ToOnnx +
 * prepareImage + OnnxModelRunner. The weights are random (seeded, He-normal, non-zero
 * biases) because ImageNet weights are not bundled; the file layout is the official one.
 *
 * Metrics per image, with k = Keras' fc2 vector and o = ours:
 *   cosine similarity  = (o . k) / (|o| |k|)                       must be >= 0.99999
 *   max relative error = max_i |o_i - k_i| / max_i |k_i|            must be <= 1e-4
 * The preprocessed input tensors are compared too, so a mismatch is placed either before
 * the model (decode, resize, normalise) or inside it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import sharp, { type Sharp } from 'sharp';
import { convertKerasH5ToOnnx } from '../../../executor/model/convert-keras-h5.js';
import { OnnxModelRunner } from '../../../executor/model/onnx-model-runner.js';
import { prepareImage } from '../../../executor/pipeline/prepare-image.js';
import { KERAS_VALUES_PER_IMAGE } from '../../../executor/pipeline/preprocess-keras.js';
import { ensurePythonVenv } from '../../support/python-venv.js';
import { cosineSimilarity, maxRelativeError } from '../../support/vector-metrics.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const SCRIPT = join(repoRoot, 'test', 'support', 'keras_reference.py');
// Optional real photographs; the test passes without them (they are never copied into the repository).
const FRUITS = join(repoRoot, '..', 'shared', 'datasets', 'fruits360', 'Training');
const MAX_FRUITS = 20;
const SEED = 1234;
const DIMENSIONS = 4096;
const BATCH = 8;
const MIN_COSINE = 0.99999;
const MAX_RELATIVE_ERROR = 1e-4;

/** One test image: its file and the kind it stands for in the report. */
interface TestImage {
  readonly path: string;
  readonly kind: string;
}

interface Comparison {
  readonly image: TestImage;
  readonly cosine: number;
  readonly relativeError: number;
  readonly inputMaxAbsDiff: number;
}

/** Smooth, seed-dependent content with some noise: image-like, and distinct per seed. */
function pattern(width: number, height: number, channels: 1 | 3 | 4, seed: number): Buffer {
  const data = Buffer.alloc(width * height * channels);
  let state = seed * 7919 + 1;
  const fx = 3 + (seed % 5);
  const fy = 2 + ((seed * 3) % 7);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      for (let c = 0; c < channels; c += 1) {
        state = (Math.imul(state, 1103515245) + 12345) >>> 0;
        const i = (y * width + x) * channels + c;
        if (c === 3) {
          data[i] = (40 + ((x * 5 + y * 3 + seed) % 216)) & 0xff; // varying alpha, never fully opaque
          continue;
        }
        const u = x / width;
        const v = y / height;
        const wave = Math.sin(2 * Math.PI * (fx * u + c * 0.3)) * Math.cos(2 * Math.PI * (fy * v - c * 0.2));
        const blob = Math.exp(-(((u - 0.3 - (seed % 4) * 0.1) ** 2 + (v - 0.6) ** 2) * 12)) * 90;
        data[i] = Math.max(0, Math.min(255, Math.round(128 + 80 * wave + blob - 45 + (state >>> 27))));
      }
    }
  }
  return data;
}

function raw(width: number, height: number, channels: 1 | 3 | 4, seed: number): Sharp {
  return sharp(pattern(width, height, channels, seed), { raw: { width, height, channels } });
}

// Sizes below 224 (upscaled), 224 itself, boundary sizes of Pillow's nearest mapping, and
// large non-square photos in both orientations.
const SIZES: readonly (readonly [number, number])[] = [
  [20, 30],
  [100, 100],
  [64, 100],
  [224, 224],
  [256, 256],
  [300, 200],
  [500, 120],
  [875, 600],
  [600, 875],
  [1500, 1000],
];

/** Each kind of file, encoded from a seed and a size. */
const KINDS: Record<string, (w: number, h: number, seed: number) => Promise<Buffer>> = {
  jpeg: (w, h, s) => raw(w, h, 3, s).jpeg({ quality: 90 }).toBuffer(),
  png: (w, h, s) => raw(w, h, 3, s).png().toBuffer(),
  'gray-jpeg': (w, h, s) => raw(w, h, 1, s).jpeg({ quality: 90 }).toBuffer(),
  'gray-png': (w, h, s) => raw(w, h, 1, s).png().toBuffer(),
  'alpha-png': (w, h, s) => raw(w, h, 4, s).png().toBuffer(),
  'palette-png': (w, h, s) => raw(w, h, 3, s).png({ palette: true, colours: 64, dither: 0 }).toBuffer(),
};

async function writeGeneratedImages(dir: string): Promise<TestImage[]> {
  const images: TestImage[] = [];
  let seed = 0;
  for (const [kind, encode] of Object.entries(KINDS)) {
    for (const [width, height] of SIZES) {
      seed += 1;
      const path = join(dir, kind, `${width}x${height}-s${seed}.${kind.endsWith('jpeg') ? 'jpg' : 'png'}`);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, await encode(width, height, seed));
      images.push({ path, kind });
    }
  }
  return images;
}

/** Up to MAX_FRUITS photos, taken round-robin across the classes in name order. */
function listFruitImages(): TestImage[] {
  if (!existsSync(FRUITS)) return [];
  const classes = readdirSync(FRUITS, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const perClass = classes.map((name) =>
    readdirSync(join(FRUITS, name))
      .filter((file) => /\.jpe?g$/i.test(file))
      .sort()
      .map((file) => join(FRUITS, name, file)),
  );
  const chosen: TestImage[] = [];
  for (let round = 0; chosen.length < MAX_FRUITS && perClass.some((files) => files.length > round); round += 1) {
    for (const files of perClass) {
      const path = files[round];
      if (path !== undefined && chosen.length < MAX_FRUITS) chosen.push({ path, kind: 'fruits360' });
    }
  }
  return chosen;
}

/** Runs keras_reference.py in the test venv; stderr (TensorFlow's chatter) only on failure. */
function runKerasReference(args: string[]): Promise<string> {
  const { python } = ensurePythonVenv();
  return new Promise((resolve, reject) => {
    const child = spawn(python, [SCRIPT, ...args], {
      env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3', CUDA_VISIBLE_DEVICES: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`keras_reference.py ${args[0]} exited with ${code}:\n${stderr.slice(-4000)}`));
    });
  });
}

async function readFloat32(path: string): Promise<Float32Array> {
  const bytes = await readFile(path);
  // Little-endian on disk, as on every platform onnxruntime-node ships for. A Buffer may
  // start at any offset of its ArrayBuffer; a copy is aligned.
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : Uint8Array.prototype.slice.call(bytes);
  return new Float32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 4);
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i += 1) max = Math.max(max, Math.abs((a[i] as number) - (b[i] as number)));
  return max;
}

function nameOf(image: TestImage): string {
  return `${image.kind}/${image.kind === 'fruits360' ? `${basename(dirname(image.path))}/` : ''}${basename(image.path)}`;
}

describe('VGG16 fc2 features against Keras itself (same .h5 weights, same files)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fj-keras-parity-'));
  let images: TestImage[] = [];
  let kerasFeatures: Float32Array = new Float32Array(0);
  let kerasInputs: Float32Array = new Float32Array(0);
  const comparisons: Comparison[] = [];
  const seconds: Record<string, number> = {};
  const timed = async <T>(phase: string, work: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    try {
      return await work();
    } finally {
      seconds[phase] = (performance.now() - start) / 1000;
    }
  };

  before(async () => {
    const generated = await writeGeneratedImages(join(dir, 'images'));
    images = [...generated, ...listFruitImages()];
    const weights = join(dir, 'vgg16-random.h5');
    const list = join(dir, 'images.txt');
    await writeFile(list, images.map((image) => `${image.path}\n`).join(''));
    await timed('keras weights', () => runKerasReference(['make-weights', '--seed', String(SEED), '--out', weights]));
    const summary = JSON.parse(
      await timed('keras features', () =>
        runKerasReference([
          'features',
          '--weights',
          weights,
          '--images',
          list,
          '--out',
          join(dir, 'keras-fc2.f32'),
          '--inputs-out',
          join(dir, 'keras-inputs.f32'),
        ]),
      ),
    ) as { count: number; dimensions: number };
    assert.deepEqual(summary, { count: images.length, dimensions: DIMENSIONS });
    kerasFeatures = await readFloat32(join(dir, 'keras-fc2.f32'));
    kerasInputs = await readFloat32(join(dir, 'keras-inputs.f32'));

    const model = await timed('convert', async () =>
      convertKerasH5ToOnnx(await readFile(weights), { source: weights }),
    );
    const runner = await OnnxModelRunner.load({
      modelBytes: model,
      info: { name: 'vgg16', layer: 'fc2', dimensions: DIMENSIONS, weights: `keras-random(seed=${SEED})` },
      threads: 2,
    });
    const oursStart = performance.now();
    try {
      const batch = new Float32Array(BATCH * KERAS_VALUES_PER_IMAGE);
      for (let start = 0; start < images.length; start += BATCH) {
        const chunk = images.slice(start, start + BATCH);
        const inputDiffs: number[] = [];
        for (const [i, image] of chunk.entries()) {
          const ours = await prepareImage(await readFile(image.path), {
            out: batch,
            offset: i * KERAS_VALUES_PER_IMAGE,
          });
          const n = start + i;
          inputDiffs.push(
            maxAbsDiff(ours, kerasInputs.subarray(n * KERAS_VALUES_PER_IMAGE, (n + 1) * KERAS_VALUES_PER_IMAGE)),
          );
        }
        const features = await runner.run(batch, chunk.length);
        chunk.forEach((image, i) => {
          const n = start + i;
          const ours = features.subarray(i * DIMENSIONS, (i + 1) * DIMENSIONS);
          const keras = kerasFeatures.subarray(n * DIMENSIONS, (n + 1) * DIMENSIONS);
          comparisons.push({
            image,
            cosine: cosineSimilarity(ours, keras),
            relativeError: maxRelativeError(ours, keras),
            inputMaxAbsDiff: inputDiffs[i] as number,
          });
        });
      }
    } finally {
      await runner.close();
      seconds['ours'] = (performance.now() - oursStart) / 1000;
    }
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('covers at least 50 generated images of every kind, plus the real photos when present', (t) => {
    // Reported, never asserted: where the test's time goes.
    t.diagnostic(
      Object.entries(seconds)
        .map(([phase, s]) => `${phase} ${s.toFixed(1)} s`)
        .join(', '),
    );
    const generated = images.filter((image) => image.kind !== 'fruits360');
    assert.ok(generated.length >= 50, `${generated.length} generated images`);
    assert.deepEqual([...new Set(generated.map((image) => image.kind))].sort(), Object.keys(KINDS).sort());
    assert.equal(comparisons.length, images.length);
  });

  it('feeds the model exactly the tensor load_img + img_to_array + preprocess_input gives', () => {
    const differing = comparisons.filter((c) => c.inputMaxAbsDiff !== 0);
    assert.deepEqual(
      differing.map((c) => `${nameOf(c.image)}: max |diff| ${c.inputMaxAbsDiff}`),
      [],
      'preprocessed inputs differ from Keras (decode or resize), before the model',
    );
  });

  it('gives fc2 features within cosine 0.99999 and max relative error 1e-4 of Keras for every image', (t) => {
    const worstCosine = comparisons.reduce((a, b) => (b.cosine < a.cosine ? b : a));
    const worstRelative = comparisons.reduce((a, b) => (b.relativeError > a.relativeError ? b : a));
    t.diagnostic(
      `${comparisons.length} images; worst cosine 1 - ${(1 - worstCosine.cosine).toExponential(3)} (${nameOf(worstCosine.image)})`,
    );
    t.diagnostic(
      `worst max relative error ${worstRelative.relativeError.toExponential(3)} (${nameOf(worstRelative.image)})`,
    );
    for (const kind of [...new Set(comparisons.map((c) => c.image.kind))]) {
      const ofKind = comparisons.filter((c) => c.image.kind === kind);
      const cos = Math.min(...ofKind.map((c) => c.cosine));
      const rel = Math.max(...ofKind.map((c) => c.relativeError));
      t.diagnostic(
        `${kind} (${ofKind.length}): worst cosine 1 - ${(1 - cos).toExponential(3)}, worst relative error ${rel.toExponential(3)}`,
      );
    }
    const failing = comparisons.filter((c) => !(c.cosine >= MIN_COSINE && c.relativeError <= MAX_RELATIVE_ERROR));
    assert.deepEqual(
      failing.map(
        (c) =>
          `${nameOf(c.image)}: cosine ${c.cosine}, relative error ${c.relativeError}, ` +
          `input max |diff| ${c.inputMaxAbsDiff} (${c.inputMaxAbsDiff === 0 ? 'inputs equal: the model differs' : 'inputs differ'})`,
      ),
      [],
    );
  });

  it('uses a tolerance that tells different images apart', (t) => {
    // Otherwise the comparison above could pass with the wrong image's features.
    let closest = { cosine: -1, pair: '' };
    for (let a = 0; a < images.length; a += 1) {
      const fa = kerasFeatures.subarray(a * DIMENSIONS, (a + 1) * DIMENSIONS);
      for (let b = a + 1; b < images.length; b += 1) {
        const c = cosineSimilarity(fa, kerasFeatures.subarray(b * DIMENSIONS, (b + 1) * DIMENSIONS));
        if (c > closest.cosine)
          closest = { cosine: c, pair: `${nameOf(images[a] as TestImage)} ~ ${nameOf(images[b] as TestImage)}` };
      }
    }
    t.diagnostic(`closest distinct images: cosine ${closest.cosine.toFixed(6)} (${closest.pair})`);
    assert.ok(closest.cosine < MIN_COSINE, `closest distinct images: cosine ${closest.cosine} (${closest.pair})`);
  });
});
