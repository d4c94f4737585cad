/**
 * `featurejob models pull vgg16 [...]` and `featurejob models list`: the model cache from the
 * command line. Pulling is idempotent: a model already in the cache is never fetched again.
 */
import { parseArgs } from 'node:util';
import type { S3Client } from '@aws-sdk/client-s3';
import { ProgressModes, type ProgressMode } from '../config/run-config.js';
import { FeatureJobError } from '../errors.js';
import type { DownloadProgress } from '../model/download-weights.js';
import { listCachedModels, type CachedModel } from '../model/model-cache.js';
import { computeImagenetSource, defaultCacheDir, ensureImagenetModel, IMAGENET_VGG16_MD5, IMAGENET_VGG16_URL } from '../model/resolve-model.js';
import { formatDuration } from '../progress/format-duration.js';
import type { Location } from '../storage/location.js';
import { openStore } from '../storage/open-store.js';
import { createS3Client } from '../storage/s3-client.js';

export const MODELS_HELP = `Usage: featurejob models pull vgg16 [--from <file.h5|s3://bucket/key.h5>] [--url <url>] [--md5 <hex>]
       featurejob models list

Manages the model cache ($FEATUREJOB_CACHE, default ~/.cache/featurejob): models/<name>-<sha256>.onnx,
each with a JSON sidecar saying where its weights came from.

pull vgg16   downloads Keras' VGG16 ImageNet weights, verifies their md5, converts them to
             the VGG16-fc2 ONNX model and caches it; does nothing when it is already cached.
               --from <file.h5|s3://…>   use a copy of the weights file instead of downloading
                                         (air-gapped machines); its md5 is still verified
               --url <url>               download from a mirror (default $FEATUREJOB_VGG16_URL,
                                         else Keras' URL, below)
               --md5 <hex>               the expected md5 (default $FEATUREJOB_VGG16_MD5, else
                                         Keras' published md5, below)
               --progress <auto|bar|log|none>  download progress (default auto: a bar on a terminal)
               --s3-endpoint <url>, --region <name>   for --from s3://… (AWS variables work too)
list         shows the cached models: name, weights, sha256, size and path.

'featurejob run --weights imagenet' (and the default, --weights auto) uses the cached model.

Keras' VGG16 ImageNet weights (keras.applications.vgg16, include_top):
  ${IMAGENET_VGG16_URL}
  md5 ${IMAGENET_VGG16_MD5}
`;

export interface ModelsCommandOptions {
  readonly out?: NodeJS.WritableStream;
  readonly err?: NodeJS.WriteStream;
  readonly cacheDir?: string;
  readonly fetch?: typeof fetch;
}

const pullOptions = {
  from: { type: 'string' },
  url: { type: 'string' },
  md5: { type: 'string' },
  progress: { type: 'string' },
  's3-endpoint': { type: 'string' },
  region: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Runs `featurejob models …`; invalid arguments throw FJ_INVALID_ARGUMENT (exit code 2). */
export async function modelsCommand(argv: string[], options: ModelsCommandOptions = {}): Promise<number> {
  const out = options.out ?? process.stdout;
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    out.write(MODELS_HELP);
    return sub === undefined ? 2 : 0;
  }
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  if (sub === 'list') {
    const { values } = parseOrThrow(() => parseArgs({ args: rest, options: { help: { type: 'boolean', short: 'h' } }, strict: true }));
    if (values.help) {
      out.write(MODELS_HELP);
      return 0;
    }
    return listModels(cacheDir, out, options.err ?? process.stderr);
  }
  if (sub === 'pull') {
    const { values, positionals } = parseOrThrow(() => parseArgs({ args: rest, options: pullOptions, allowPositionals: true, strict: true }));
    if (values.help) {
      out.write(MODELS_HELP);
      return 0;
    }
    if (positionals.length !== 1 || positionals[0] !== 'vgg16') {
      throw new FeatureJobError('FJ_INVALID_ARGUMENT', `models pull takes one model name, vgg16; got ${positionals.length === 0 ? 'none' : positionals.join(' ')}`);
    }
    if (values.from !== undefined && values.url !== undefined) {
      throw new FeatureJobError('FJ_INVALID_ARGUMENT', '--from and --url exclude each other: --from reads a local copy, --url downloads');
    }
    if (values.md5 !== undefined && !/^[0-9a-fA-F]{32}$/.test(values.md5)) {
      throw new FeatureJobError('FJ_INVALID_ARGUMENT', `--md5: expected 32 hex digits, got '${values.md5}'`);
    }
    if (values.url !== undefined && !/^https?:\/\/\S+$/.test(values.url)) {
      throw new FeatureJobError('FJ_INVALID_ARGUMENT', `--url: expected an http(s):// URL, got '${values.url}'`);
    }
    const progress = (values.progress ?? 'auto') as ProgressMode;
    if (!(ProgressModes as readonly string[]).includes(progress)) {
      throw new FeatureJobError('FJ_INVALID_ARGUMENT', `--progress: expected one of ${ProgressModes.join(', ')}, got '${progress}'`);
    }
    const err = options.err ?? process.stderr;
    const source = computeImagenetSource({
      ...(values.url === undefined ? {} : { url: values.url }),
      ...(values.md5 === undefined ? {} : { md5: values.md5 }),
    });
    const printer = createDownloadProgressPrinter({ mode: progress, stream: err });
    const { model, origin } = await ensureImagenetModel({
      cacheDir,
      source,
      ...(values.from === undefined ? {} : { from: values.from }),
      openStore: computeStoreOpener({ s3Endpoint: values['s3-endpoint'], region: values.region }),
      onDownloadProgress: (p) => printer.update(p),
      onStatus: (message) => {
        printer.finish();
        err.write(`featurejob: ${message}\n`);
      },
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    });
    printer.finish();
    out.write(`${origin === 'cache' ? 'already cached' : 'cached'}: ${model.name} ${model.weights}\n  sha256 ${model.sha256}\n  ${formatBytes(model.bytes)}  ${model.path}\n`);
    return 0;
  }
  throw new FeatureJobError('FJ_INVALID_ARGUMENT', `unknown models command '${sub}': expected pull or list`);
}

async function listModels(cacheDir: string, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const models = await listCachedModels({
    cacheDir,
    onInvalid: (path, why) => err.write(`featurejob: skipping cache entry ${path}: ${why}\n`),
  });
  if (models.length === 0) {
    out.write(`no models cached in ${cacheDir}; 'featurejob models pull vgg16' fetches the ImageNet weights\n`);
    return 0;
  }
  out.write(formatModelTable(models));
  return 0;
}

/** A plain, aligned table; the full sha256 so it can be compared with a manifest's model.sha256. */
export function formatModelTable(models: readonly CachedModel[]): string {
  const rows = [['NAME', 'WEIGHTS', 'SHA256', 'SIZE', 'PATH'], ...models.map((m) => [m.name, m.weights, m.sha256, formatBytes(m.bytes), m.path])];
  const widths = [0, 1, 2, 3].map((column) => Math.max(...rows.map((row) => (row[column] as string).length)));
  return rows.map((row) => row.map((cell, i) => (i < widths.length ? cell.padEnd(widths[i] as number) : cell)).join('  ')).join('\n') + '\n';
}

/** Opens stores for `--from s3://…` with one lazily created client for the whole command. */
export function computeStoreOpener(settings: { s3Endpoint?: string | undefined; region?: string | undefined }): (location: Location) => ReturnType<typeof openStore> {
  let client: S3Client | undefined;
  const s3Client = (): S3Client => {
    client ??= createS3Client({
      ...(settings.s3Endpoint === undefined ? {} : { endpoint: settings.s3Endpoint }),
      ...(settings.region === undefined ? {} : { region: settings.region }),
    });
    return client;
  };
  return (location) => openStore(location, { s3Client });
}

export interface DownloadProgressPrinter {
  update(progress: DownloadProgress): void;
  /** Ends a drawn bar with a newline (idempotent). */
  finish(): void;
}

const BAR_WIDTH = 28;

/** A redrawn bar on a terminal, a plain line every few seconds otherwise (CI, kubectl logs). */
export function createDownloadProgressPrinter(options: {
  mode: ProgressMode;
  stream: NodeJS.WriteStream;
  now?: () => number;
  logIntervalMs?: number;
}): DownloadProgressPrinter {
  const now = options.now ?? (() => performance.now());
  const mode = options.mode === 'auto' ? (options.stream.isTTY ? 'bar' : 'log') : options.mode;
  const started = now();
  let lastDraw = Number.NEGATIVE_INFINITY;
  let last: DownloadProgress | undefined;
  let drawn: DownloadProgress | undefined;
  let barOpen = false;
  const draw = (progress: DownloadProgress, force: boolean): void => {
    const at = now();
    const interval = mode === 'bar' ? 200 : (options.logIntervalMs ?? 5_000);
    if (!force && at - lastDraw < interval) return;
    lastDraw = at;
    drawn = progress;
    const { receivedBytes: received, totalBytes: total } = progress;
    const elapsed = (at - started) / 1000;
    const rate = elapsed > 0 ? received / elapsed : 0;
    const eta = total !== undefined && rate > 0 ? (total - received) / rate : Number.NaN;
    const amount = total === undefined ? formatBytes(received) : `${formatBytes(received)}/${formatBytes(total)}`;
    const stats = `${amount}  ${formatBytes(rate)}/s  ETA ${formatDuration(eta)}`;
    if (mode === 'bar') {
      const filled = total === undefined || total === 0 ? 0 : Math.min(BAR_WIDTH, Math.round((received / total) * BAR_WIDTH));
      options.stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${stats}  `);
      barOpen = true;
    } else {
      options.stream.write(`download: ${amount}${total ? ` (${Math.floor((received / total) * 100)}%)` : ''}  ${formatBytes(rate)}/s  ETA ${formatDuration(eta)}\n`);
    }
  };
  return {
    update(progress) {
      if (mode === 'none') return;
      last = progress;
      const complete = progress.totalBytes !== undefined && progress.receivedBytes === progress.totalBytes;
      draw(progress, complete);
    },
    finish() {
      if (mode === 'bar' && barOpen) {
        if (last !== undefined && last !== drawn) draw(last, true);
        options.stream.write('\n');
        barOpen = false;
      }
    },
  };
}

export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${Math.round(bytes)} B`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} kB`;
  if (bytes < 1e9) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e9).toFixed(2)} GB`;
}

function parseOrThrow<R>(parse: () => R): R {
  try {
    return parse();
  } catch (error) {
    throw new FeatureJobError('FJ_INVALID_ARGUMENT', (error as Error).message);
  }
}
