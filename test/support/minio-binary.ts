import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { testCacheDir } from './cache-dir.js';

/**
 * The MinIO server the integration tests run, as a Go module version (MinIO no longer
 * publishes tagged modules, so this is a pseudo-version of a master commit). This one
 * answers 412 to `If-None-Match: *` on an existing key, which the commit protocol needs;
 * some 2024 builds answered 304.
 */
export const MINIO_MODULE = 'github.com/minio/minio';
export const MINIO_VERSION = 'v0.0.0-20260212201848-7aac2a2c5b7c';

function runGoInstall(gobin: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('go', ['install', `${MINIO_MODULE}@${MINIO_VERSION}`], {
      env: { ...process.env, GOBIN: gobin, GOFLAGS: `${process.env.GOFLAGS ?? ''} -trimpath`.trim() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-8000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (error) => reject(new Error(`cannot run go (is Go installed?): ${error.message}`)));
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`go install ${MINIO_MODULE}@${MINIO_VERSION} failed (${signal ?? code}):\n${output}`));
    });
  });
}

/**
 * The path of a MinIO server binary, built once from its Go module and cached under
 * ~/.cache/featurejob-test (a first build takes minutes; later ones reuse it). Needs Go and
 * the Go module proxy. FEATUREJOB_MINIO_BINARY points at a prebuilt binary instead.
 */
export async function ensureMinioBinary(): Promise<string> {
  const override = process.env.FEATUREJOB_MINIO_BINARY;
  if (override !== undefined && override !== '') return override;
  const binary = testCacheDir('bin', `minio-${MINIO_VERSION}`, 'minio');
  if (existsSync(binary)) return binary;
  await mkdir(dirname(binary), { recursive: true });
  // Build beside the target and rename into place, so a concurrent or interrupted build never
  // leaves a half-written binary at the cached path.
  const gobin = await mkdtemp(join(dirname(binary), 'build-'));
  try {
    await runGoInstall(gobin);
    await rename(join(gobin, 'minio'), binary);
  } finally {
    await rm(gobin, { recursive: true, force: true });
  }
  return binary;
}
