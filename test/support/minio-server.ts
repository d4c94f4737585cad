import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../../executor/storage/s3-client.js';
import { ensureMinioBinary } from './minio-binary.js';
import { freePort } from '../cluster/free-port.js';

export { freePort };

export interface MinioServer {
  /** `http://127.0.0.1:PORT` */
  readonly endpoint: string;
  readonly accessKey: string;
  readonly secretKey: string;
  readonly region: string;
  /** A client with the root credentials, path-style, for arranging test data. */
  readonly client: S3Client;
  /** Creates a bucket (idempotent). */
  createBucket(name: string): Promise<void>;
  /** Environment for a child process (the CLI) to reach this server through the standard chain. */
  env(): Record<string, string>;
  /** Stops the server and removes its data. */
  stop(): Promise<void>;
}

const ACCESS_KEY = 'featurejob-test';
const SECRET_KEY = 'featurejob-test-secret';
const REGION = 'us-east-1';
const STARTUP_TIMEOUT_MS = 60_000;

export interface MinioLaunch {
  readonly args: string[];
  readonly env: Record<string, string>;
}

/**
 * The argv and environment of a single-drive MinIO with the test root credentials, its data
 * and certs under `rootDir`: what startMinio() spawns and what `npm run cluster -- up` launches
 * detached.
 */
export function buildMinioLaunch(options: { rootDir: string; port: number; consolePort: number }): MinioLaunch {
  const { rootDir, port, consolePort } = options;
  return {
    args: [
      'server',
      join(rootDir, 'data'),
      '--address',
      `127.0.0.1:${port}`,
      '--console-address',
      `127.0.0.1:${consolePort}`,
      '--certs-dir',
      join(rootDir, 'certs'),
      '--quiet',
    ],
    // A clean environment: the developer's MINIO_* or AWS_* settings must not leak in.
    env: {
      PATH: process.env.PATH ?? '',
      HOME: rootDir,
      MINIO_ROOT_USER: ACCESS_KEY,
      MINIO_ROOT_PASSWORD: SECRET_KEY,
      MINIO_REGION: REGION,
      MINIO_BROWSER: 'off',
      MINIO_UPDATE: 'off',
      MINIO_CI_CD: 'on',
      MINIO_SCANNER_SPEED: 'slowest',
    },
  };
}

/** The environment that points the AWS SDK's standard chain at a test MinIO (root credentials). */
export function buildMinioClientEnv(endpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_ACCESS_KEY_ID: ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY: SECRET_KEY,
    AWS_REGION: REGION,
  };
}

async function waitUntilLive(endpoint: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`minio exited during startup (${child.exitCode ?? child.signalCode}):\n${output()}`);
    }
    try {
      const response = await fetch(`${endpoint}/minio/health/live`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await delay(100);
  }
  throw new Error(`minio did not become live within ${STARTUP_TIMEOUT_MS} ms:\n${output()}`);
}

async function launch(binary: string, rootDir: string): Promise<{ child: ChildProcess; endpoint: string }> {
  const port = await freePort();
  const consolePort = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const command = buildMinioLaunch({ rootDir, port, consolePort });
  const child = spawn(binary, command.args, { env: command.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-8000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  try {
    await waitUntilLive(endpoint, child, () => output);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return { child, endpoint };
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * Starts a single-drive MinIO on free loopback ports with a temporary data directory.
 * The process is killed and its data removed on stop() and, failing that, when this
 * process exits.
 */
export async function startMinio(): Promise<MinioServer> {
  const binary = await ensureMinioBinary();
  const tempDir = await mkdtemp(join(tmpdir(), 'featurejob-minio-'));
  let launched: { child: ChildProcess; endpoint: string };
  try {
    // A port taken between choosing and binding makes MinIO exit: choose again.
    launched = await launch(binary, tempDir).catch(() => launch(binary, tempDir));
  } catch (error) {
    await rm(tempDir, { recursive: true, force: true });
    throw error;
  }
  const { child, endpoint } = launched;
  const cleanupOnExit = (): void => {
    child.kill('SIGKILL');
    rmSync(tempDir, { recursive: true, force: true });
  };
  process.once('exit', cleanupOnExit);
  const client = createS3Client({
    endpoint,
    region: REGION,
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
  });
  let stopped = false;

  return {
    endpoint,
    accessKey: ACCESS_KEY,
    secretKey: SECRET_KEY,
    region: REGION,
    client,
    async createBucket(name) {
      try {
        await client.send(new CreateBucketCommand({ Bucket: name }));
      } catch (error) {
        if ((error as { name?: string }).name !== 'BucketAlreadyOwnedByYou') throw error;
      }
    },
    env() {
      return buildMinioClientEnv(endpoint);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      client.destroy();
      child.kill('SIGTERM');
      if (!(await waitForExit(child, 10_000))) {
        child.kill('SIGKILL');
        await waitForExit(child, 10_000);
      }
      process.removeListener('exit', cleanupOnExit);
      await rm(tempDir, { recursive: true, force: true });
    },
  };
}
