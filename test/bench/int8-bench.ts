/**
 * `npm run bench:int8`: the numbers behind docs/performance.md, "Precision". Calibrates the
 * full-size random VGG16 on N photos, gates it on N others (the same code as
 * `run --precision int8`, into a fresh cache), then measures raw inference (tensors in
 * memory, batch 8) of fp32 and int8 on the same images, a few batches each.
 *
 *   npm run bench:int8 -- [--images N] [--batches B] [--threads T] [--dir PATH]
 *
 * Images: ../shared/datasets/fruits360/Training when present (or --dir), else generated.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ensurePrecisionModel } from '../../executor/model/ensure-int8-model.js';
import { DEFAULT_FIDELITY_THRESHOLDS, formatFidelityFigures } from '../../executor/model/feature-fidelity.js';
import { OnnxModelRunner } from '../../executor/model/onnx-model-runner.js';
import { resolveModel } from '../../executor/model/resolve-model.js';
import { computeSeededShuffle } from '../../executor/pipeline/load-precision-samples.js';
import { prepareImage } from '../../executor/pipeline/prepare-image.js';
import { writePlainImages } from '../support/write-test-images.js';

const PER_IMAGE = 224 * 224 * 3;
const BATCH = 8;

const { values } = parseArgs({
  options: {
    images: { type: 'string', default: '32' },
    batches: { type: 'string', default: '3' },
    threads: { type: 'string', default: String(availableParallelism()) },
    dir: { type: 'string' },
  },
});
const count = Number(values.images);
const batches = Number(values.batches);
const threads = Number(values.threads);

async function listImages(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && /\.(jpe?g|png)$/i.test(entry.name)) out.push(join(entry.parentPath, entry.name));
  }
  return out.sort();
}

async function prepare(files: readonly string[]): Promise<Float32Array> {
  const out = new Float32Array(files.length * PER_IMAGE);
  for (const [i, file] of files.entries()) await prepareImage(await readFile(file), { out, offset: i * PER_IMAGE });
  return out;
}

async function measureImagesPerSecond(runner: OnnxModelRunner, batch: Float32Array): Promise<number> {
  await runner.run(batch, BATCH); // warm-up
  const started = performance.now();
  for (let i = 0; i < batches; i += 1) await runner.run(batch, BATCH);
  return (BATCH * batches) / ((performance.now() - started) / 1000);
}

const root = await mkdtemp(join(tmpdir(), 'fj-int8-bench-'));
try {
  const shared = resolve('..', 'shared', 'datasets', 'fruits360', 'Training');
  const dir = values.dir ?? (existsSync(shared) ? shared : join(root, 'images'));
  if (dir === join(root, 'images')) await writePlainImages(dir, { count: 2 * count });
  const files = computeSeededShuffle(await listImages(dir), 0).slice(0, 2 * count);
  const calibration = files.slice(0, count);
  const gate = files.slice(count);
  const model = await resolveModel({ weights: 'random', seed: 0 });
  const samples = {
    calibration: { images: await prepare(calibration), count: calibration.length },
    gate: { images: await prepare(gate), count: gate.length },
  };
  const started = performance.now();
  const chosen = await ensurePrecisionModel({
    precision: 'int8',
    model,
    cacheDir: join(root, 'cache'),
    loadSamples: async () => samples,
    thresholds: DEFAULT_FIDELITY_THRESHOLDS,
    threads,
  });
  const quantizeSeconds = (performance.now() - started) / 1000;
  const batch = samples.gate.images.slice(0, BATCH * PER_IMAGE);
  const rates: Record<string, number> = {};
  for (const [name, path, info] of [
    ['fp32', model.path, model.info],
    ['int8', chosen.path, chosen.info],
  ] as const) {
    const runner = await OnnxModelRunner.load({ modelPath: path, info, threads });
    rates[name] = await measureImagesPerSecond(runner, batch);
    await runner.close();
  }
  const gateRecord = chosen.record?.gate;
  console.log(
    `images: ${dir} (${count} calibration, ${gate.length} gate), ${threads} threads, batch ${BATCH}, ${batches} timed batches`,
  );
  console.log(`calibrate + quantize + gate: ${quantizeSeconds.toFixed(1)} s`);
  if (gateRecord !== undefined) console.log(`fidelity: ${formatFidelityFigures(gateRecord)}`);
  console.log(
    `raw inference: fp32 ${rates.fp32?.toFixed(2)} images/s, int8 ${rates.int8?.toFixed(2)} images/s, ` +
      `x${((rates.int8 ?? 0) / (rates.fp32 ?? 1)).toFixed(2)}`,
  );
  console.log(`CPU: ${chosen.record?.cpuFlags.join(' ')}; onnxruntime ${chosen.record?.onnxruntime}`);
} finally {
  await rm(root, { recursive: true, force: true });
}
