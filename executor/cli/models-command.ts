/**
 * `featurejob models pull vgg16 [...]` and `featurejob models list`: the model cache from the
 * command line. Pulling is idempotent: a model already in the cache is never fetched again.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { ProgressMode } from '../config/run-config.js';
import { FeatureJobError } from '../errors.js';
import type { DownloadProgress } from '../model/download-weights.js';
import { listCachedModels, type CachedModel } from '../model/model-cache.js';
import { computeImagenetSource, defaultCacheDir, ensureImagenetModel } from '../model/resolve-model.js';
import { formatDuration } from '../progress/format-duration.js';
import type { Location } from '../storage/location.js';
import { openStore } from '../storage/open-store.js';
import { createS3Client } from '../storage/s3-client.js';
import { MODELS_COMMAND, MODELS_LIST_COMMAND } from './flags/models-flags.js';
import { parseCommandLine } from './flags/parse-command-line.js';
import { renderCommandHelp } from './flags/render-help.js';

export interface ModelsCommandOptions {
  readonly out?: NodeJS.WritableStream;
  readonly err?: NodeJS.WriteStream;
  readonly cacheDir?: string;
  readonly fetch?: typeof fetch;
}

/** Runs `featurejob models …`; invalid arguments throw FJ_INVALID_ARGUMENT (exit code 2). */
export async function modelsCommand(argv: string[], options: ModelsCommandOptions = {}): Promise<number> {
  const out = options.out ?? process.stdout;
  const help = renderCommandHelp(MODELS_COMMAND);
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    out.write(help);
    return sub === undefined ? 2 : 0;
  }
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  if (sub === 'list') {
    if (parseCommandLine(MODELS_LIST_COMMAND, rest).help) {
      out.write(help);
      return 0;
    }
    return listModels(cacheDir, out, options.err ?? process.stderr);
  }
  if (sub === 'pull') {
    const { help: wantsHelp, values, positionals } = parseCommandLine(MODELS_COMMAND, rest);
    if (wantsHelp) {
      out.write(help);
      return 0;
    }
    if (positionals[0] !== 'vgg16')
      throw new FeatureJobError(
        'FJ_INVALID_ARGUMENT',
        `models pull takes one model name, vgg16; got ${positionals.join(' ')}`,
      );
    if (values.from !== undefined && values.url !== undefined) {
      throw new FeatureJobError(
        'FJ_INVALID_ARGUMENT',
        '--from and --url exclude each other: --from reads a local copy, --url downloads',
      );
    }
    const progress: ProgressMode = values.progress ?? 'auto';
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
    out.write(
      `${origin === 'cache' ? 'already cached' : 'cached'}: ${model.name} ${model.weights}\n` +
        `  sha256 ${model.sha256}\n  ${formatBytes(model.bytes)}  ${model.path}\n`,
    );
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
  const rows = [
    ['NAME', 'WEIGHTS', 'SHA256', 'SIZE', 'PATH'],
    ...models.map((m) => [m.name, m.weights, m.sha256, formatBytes(m.bytes), m.path]),
  ];
  const widths = [0, 1, 2, 3].map((column) => Math.max(...rows.map((row) => (row[column] as string).length)));
  return (
    rows
      .map((row) => row.map((cell, i) => (i < widths.length ? cell.padEnd(widths[i] as number) : cell)).join('  '))
      .join('\n') + '\n'
  );
}

/** Opens stores for `--from s3://…` with one lazily created client for the whole command. */
export function computeStoreOpener(settings: {
  s3Endpoint?: string | undefined;
  region?: string | undefined;
}): (location: Location) => ReturnType<typeof openStore> {
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
      const filled =
        total === undefined || total === 0 ? 0 : Math.min(BAR_WIDTH, Math.round((received / total) * BAR_WIDTH));
      options.stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${stats}  `);
      barOpen = true;
    } else {
      const percent = total ? ` (${Math.floor((received / total) * 100)}%)` : '';
      options.stream.write(`download: ${amount}${percent}  ${formatBytes(rate)}/s  ETA ${formatDuration(eta)}\n`);
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
