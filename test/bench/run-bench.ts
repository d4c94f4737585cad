/**
 * `npm run bench`: measures, in one run, raw inference throughput (tensors already in
 * memory, same model, batch size and threads) against end-to-end `featurejob run` from a
 * local MinIO (so the S3 path is what is measured), their ratio, peak RSS per worker and
 * time from start to the first image.
 *
 *   npm run bench -- [--images N] [--batch-size B] [--workers W] [--dir PATH]
 *
 * Images: ../shared/datasets/fruits360/Training when present (or --dir), else generated.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { computeWorkerLayout } from '../../executor/config/run-config.js';
import { OnnxModelRunner } from '../../executor/model/onnx-model-runner.js';
import { resolveModel } from '../../executor/model/resolve-model.js';
import { S3Store } from '../../executor/storage/s3-store.js';
import { startMinio } from '../support/minio-server.js';
import { CLI_PATH } from '../support/run-cli.js';
import { writePlainImages } from '../support/write-test-images.js';

const { values } = parseArgs({
  options: {
    images: { type: 'string', default: '600' },
    'batch-size': { type: 'string', default: '8' },
    workers: { type: 'string', default: '1' },
    dir: { type: 'string' },
  },
});
const limit = Number(values.images);
const batchSize = Number(values['batch-size']);
const { workers, threads } = computeWorkerLayout({ cores: availableParallelism(), workers: Number(values.workers) });

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && /\.(jpe?g|png)$/i.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** Spreads the limit evenly over the sorted files so every class is represented. */
function sample<T>(items: T[], count: number): T[] {
  if (items.length <= count) return items;
  const step = items.length / count;
  return Array.from({ length: count }, (_, i) => items[Math.floor(i * step)] as T);
}

async function rawInference(
  modelPath: string,
  info: Parameters<typeof OnnxModelRunner.load>[0]['info'],
): Promise<number> {
  const runner = await OnnxModelRunner.load({ modelPath, info, threads });
  const batch = new Float32Array(batchSize * 224 * 224 * 3).map((_, i) => ((i * 2654435761) % 255) - 120);
  await runner.run(batch, batchSize); // warm-up: first run pays for allocation and kernel selection
  const batches = Math.max(3, Math.ceil(Math.min(limit, 192) / batchSize));
  const started = performance.now();
  for (let i = 0; i < batches; i += 1) await runner.run(batch, batchSize);
  const seconds = (performance.now() - started) / 1000;
  await runner.close();
  return (batches * batchSize) / seconds;
}

function runCliTimed(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string; seconds: number }> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [CLI_PATH, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      resolvePromise({ code, stdout, stderr, seconds: (performance.now() - started) / 1000 }),
    );
  });
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'fj-bench-'));
  const minio = await startMinio();
  try {
    const datasetDir = resolve(values.dir ?? join(process.cwd(), '..', 'shared', 'datasets', 'fruits360', 'Training'));
    let sourceDir = datasetDir;
    let source = `${datasetDir}`;
    if (!existsSync(datasetDir)) {
      sourceDir = join(work, 'generated');
      await writePlainImages(sourceDir, { count: limit, labels: ['Apple', 'Banana', 'Cherry', 'Plum', 'Orange'] });
      source = `generated images (${datasetDir} not found)`;
    }
    const files = sample(await listFiles(sourceDir), limit);
    await minio.createBucket('bench');
    const store = new S3Store({ client: minio.client, bucket: 'bench', prefix: 'images' });
    for (const file of files) await store.put(relative(sourceDir, file).split(sep).join('/'), await readFile(file));

    const model = await resolveModel({ weights: 'random', seed: 0 });
    const raw = await rawInference(model.path, model.info);

    const run = await runCliTimed(
      [
        'run',
        's3://bench/images',
        '--out',
        's3://bench/out',
        '--weights',
        'random',
        '--batch-size',
        String(batchSize),
        '--workers',
        String(workers),
        '--threads',
        String(threads),
        '--progress',
        'none',
      ],
      { ...process.env, ...minio.env() },
    );
    if (run.code !== 0) throw new Error(`featurejob run failed:\n${run.stderr}`);
    const endToEnd = files.length / run.seconds;
    const firstImage = /first image after ([\d.]+) s/.exec(run.stdout)?.[1] ?? 'n/a';
    const rss = /worker peak RSS: ([^\n]+)/.exec(run.stdout)?.[1] ?? 'n/a';
    const lines = [
      `featurejob bench: ${files.length} images from ${source}, via MinIO (S3 API on 127.0.0.1)`,
      `machine: ${availableParallelism()} vCPUs; ${workers} worker(s) x ${threads} inference thread(s); batch size ${batchSize}; ` +
        `model ${model.info.name}/${model.info.layer}, ${model.info.weights}`,
      `raw inference:        ${raw.toFixed(2)} images/s (tensors in memory, after one warm-up batch)`,
      `end-to-end run:       ${endToEnd.toFixed(2)} images/s ` +
        `(${files.length} images in ${run.seconds.toFixed(1)} s wall, whole command incl. start-up and manifest)`,
      `ratio end-to-end/raw: ${((endToEnd / raw) * 100).toFixed(1)} %`,
      `images/hour/vCPU:     ${Math.round((endToEnd * 3600) / availableParallelism()).toLocaleString('en-US')} ` +
        '(reference PySpark job: ~4,400)',
      `peak RSS per worker:  ${rss}`,
      `time to first image:  ${firstImage} s from process start`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await minio.stop();
    await rm(work, { recursive: true, force: true });
  }
}

await main();
