/**
 * Downloads a weights file over HTTP(S), streaming it to a temp file next to `dest` while
 * md5 and sha256 are computed on the fly (the file is 537 MB: it never sits in memory).
 * Only a file whose md5 matches the published one is renamed to `dest`.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { FeatureJobError, isFeatureJobError } from '../errors.js';

export interface DownloadProgress {
  readonly receivedBytes: number;
  /** From Content-Length; undefined when the server does not say. */
  readonly totalBytes: number | undefined;
}

export interface DownloadWeightsOptions {
  readonly url: string;
  /** Published md5 (hex); a mismatch fails with FJ_WEIGHTS_CHECKSUM_MISMATCH and keeps nothing. */
  readonly expectedMd5?: string;
  /** Final path of the verified file (its directory is created). */
  readonly dest: string;
  readonly onProgress?: (progress: DownloadProgress) => void;
  /** Injected for tests; defaults to the global fetch. */
  readonly fetch?: typeof fetch;
  /** Give up when no byte (or no response) arrives for this long; default 30 s. */
  readonly stallTimeoutMs?: number;
}

export interface DownloadedWeights {
  readonly path: string;
  readonly bytes: number;
  readonly md5: string;
  readonly sha256: string;
}

const DEFAULT_STALL_TIMEOUT_MS = 30_000;

/** What to do without network, for every message about an unreachable weights URL. */
export function describeOfflineAlternatives(url: string): string {
  const file = fileNameOf(url);
  return (
    `without network access, download ${url} elsewhere and run ` +
    `'featurejob models pull vgg16 --from ./${file}', or pass '--weights ./${file}' ` +
    `(or --weights s3://bucket/key.h5, or a VGG16 fc2 .onnx file) to featurejob run`
  );
}

export function fileNameOf(url: string): string {
  try {
    return basename(new URL(url).pathname) || 'weights.h5';
  } catch {
    return basename(url) || 'weights.h5';
  }
}

export async function downloadWeights(options: DownloadWeightsOptions): Promise<DownloadedWeights> {
  const { url, dest } = options;
  const fetchImpl = options.fetch ?? fetch;
  const stallMs = options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
  const unavailable = (why: string, cause?: unknown): FeatureJobError =>
    new FeatureJobError(
      'FJ_WEIGHTS_UNAVAILABLE',
      `cannot download ${url}: ${why}; ${describeOfflineAlternatives(url)}`,
      {
        cause,
      },
    );

  // One timer covers both the wait for the response and each wait for the next chunk.
  const controller = new AbortController();
  let stalled = false;
  let timer: NodeJS.Timeout | undefined;
  const armStallTimer = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = true;
      controller.abort();
    }, stallMs);
    timer.unref();
  };

  await mkdir(dirname(dest), { recursive: true });
  const temp = `${dest}.${process.pid}.${randomUUID()}.part`;
  let keepTemp = false;
  try {
    armStallTimer();
    let response: Response;
    try {
      response = await fetchImpl(url, { signal: controller.signal, redirect: 'follow' });
    } catch (error) {
      throw unavailable(stalled ? `no response within ${stallMs / 1000} s` : describeNetworkError(error), error);
    }
    if (!response.ok || response.body === null) {
      await response.body?.cancel().catch(() => undefined);
      throw unavailable(
        `the server answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`,
      );
    }
    const declared = Number(response.headers.get('content-length') ?? Number.NaN);
    const totalBytes = Number.isSafeInteger(declared) && declared >= 0 ? declared : undefined;
    const md5 = createHash('md5');
    const sha256 = createHash('sha256');
    let received = 0;
    const file = await open(temp, 'wx');
    try {
      options.onProgress?.({ receivedBytes: 0, totalBytes });
      try {
        for await (const chunk of response.body) {
          armStallTimer();
          md5.update(chunk);
          sha256.update(chunk);
          for (let offset = 0; offset < chunk.byteLength; ) {
            offset += (await file.write(chunk, offset, chunk.byteLength - offset)).bytesWritten;
          }
          received += chunk.byteLength;
          options.onProgress?.({ receivedBytes: received, totalBytes });
        }
      } catch (error) {
        if (isFeatureJobError(error)) throw error;
        throw unavailable(
          stalled
            ? `the download stalled for ${stallMs / 1000} s after ${received} bytes`
            : `the download broke after ${received} bytes (${describeNetworkError(error)})`,
          error,
        );
      }
      clearTimeout(timer);
      await file.sync();
    } finally {
      await file.close();
    }
    if (totalBytes !== undefined && received !== totalBytes) {
      throw unavailable(`the download ended after ${received} of ${totalBytes} bytes`);
    }
    const result = { path: dest, bytes: received, md5: md5.digest('hex'), sha256: sha256.digest('hex') };
    if (options.expectedMd5 !== undefined && result.md5 !== options.expectedMd5.toLowerCase()) {
      throw new FeatureJobError(
        'FJ_WEIGHTS_CHECKSUM_MISMATCH',
        `${url} has md5 ${result.md5}, expected ${options.expectedMd5.toLowerCase()}: ` +
          'the download is corrupt or not the published file; nothing was kept',
      );
    }
    await rename(temp, dest);
    keepTemp = true;
    return result;
  } finally {
    clearTimeout(timer);
    if (!keepTemp) await unlink(temp).catch(() => undefined);
  }
}

/** undici hides the useful part (ECONNREFUSED, ENOTFOUND) in `cause`. */
function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as (Error & { code?: string }) | undefined;
  if (cause instanceof Error) {
    const code = cause.code ?? (cause as { errors?: Array<{ code?: string }> }).errors?.[0]?.code;
    return code !== undefined ? `${code} (${cause.message || error.message})` : cause.message || error.message;
  }
  return error.message;
}
