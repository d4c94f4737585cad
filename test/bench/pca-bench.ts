/**
 * `npm run bench:pca`: time and peak memory of PCA's three phases (statistics, fit,
 * projection) through the real `featurejob reduce`, on generated fc2-like features: ReLU of
 * a 64-dimensional latent signal spread over 4,096 dimensions plus noise, so the spectrum
 * decays like real features' and most values are zero.
 *
 *   npm run bench:pca -- [--rows N] [--dimensions D] [--components K] [--rows-per-partition P] [--workers W] [--keep DIR]
 *
 * The output is written to a temporary directory (4·N·D bytes of float32 before compression,
 * 3.3 GB for 200,000 × 4,096) and removed afterwards unless --keep names a directory.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SeededRandom } from '../../executor/util/seeded-random.js';
import { FileStore } from '../../executor/storage/file-store.js';
import { CLI_PATH } from '../support/run-cli.js';
import { writeGeneratedFeatureOutput } from '../support/write-feature-output.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '5000' },
    dimensions: { type: 'string', default: '4096' },
    components: { type: 'string', default: '50' },
    'rows-per-partition': { type: 'string', default: '256' },
    workers: { type: 'string', default: '1' },
    keep: { type: 'string' },
  },
});
const rows = Number(values.rows);
const dimensions = Number(values.dimensions);
const perPartition = Number(values['rows-per-partition']);
const LATENT = 64;

function makeGenerator(seed: number): (count: number, firstRow: number) => { paths: string[]; features: Float32Array } {
  const random = new SeededRandom(seed);
  const gaussian = (): number => {
    const u = (random.nextUint32() + 1) / 2 ** 32;
    const v = random.nextUint32() / 2 ** 32;
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  // Latent directions with decaying strength, and a per-dimension bias around zero.
  const mixing = Float32Array.from(
    { length: LATENT * dimensions },
    (_, i) => gaussian() * 0.9 ** Math.floor(i / dimensions),
  );
  const bias = Float32Array.from({ length: dimensions }, () => gaussian() * 0.5);
  return (count, firstRow) => {
    const features = new Float32Array(count * dimensions);
    const latent = new Float32Array(LATENT);
    for (let row = 0; row < count; row++) {
      for (let l = 0; l < LATENT; l++) latent[l] = gaussian();
      const out = row * dimensions;
      for (let i = 0; i < dimensions; i++) features[out + i] = bias[i]! + 0.3 * gaussian();
      for (let l = 0; l < LATENT; l++) {
        const weight = latent[l]!;
        const base = l * dimensions;
        for (let i = 0; i < dimensions; i++) features[out + i]! += weight * mixing[base + i]!;
      }
      for (let i = 0; i < dimensions; i++) features[out + i] = Math.max(0, features[out + i]!);
    }
    return {
      paths: Array.from({ length: count }, (_, i) => `class ${(firstRow + i) % 10}/${firstRow + i}.jpg`),
      features,
    };
  };
}

function runReduce(dir: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [CLI_PATH, 'reduce', dir, '--pca', values.components!, '--workers', values.workers!],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`featurejob reduce exited with ${code}`)),
    );
  });
}

const dir = values.keep ?? (await mkdtemp(join(tmpdir(), 'fj-pca-bench-')));
try {
  const generate = makeGenerator(42);
  const partitions = Math.ceil(rows / perPartition);
  const rowsPerPartition = Array.from({ length: partitions }, (_, i) =>
    Math.min(perPartition, rows - i * perPartition),
  );
  let started = performance.now();
  await writeGeneratedFeatureOutput({
    output: new FileStore({ dir }),
    dimensions,
    rowsPerPartition,
    makePartition: (index) => generate(rowsPerPartition[index]!, index * perPartition),
  });
  process.stdout.write(
    `generated ${rows} × ${dimensions} features in ${partitions} partitions ` +
      `in ${((performance.now() - started) / 1000).toFixed(1)} s (${dir})\n`,
  );
  started = performance.now();
  const summary = await runReduce(dir);
  process.stdout.write(summary);
  process.stdout.write(`featurejob reduce wall time: ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
} finally {
  if (values.keep === undefined) await rm(dir, { recursive: true, force: true });
}
