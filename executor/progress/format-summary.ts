import type { Manifest, ManifestPrecision } from '../output/manifest-schema.js';
import { formatDuration } from './format-duration.js';

/**
 * What the summary reads of a finished local job, declared here rather than imported from
 * executor/local (which imports progress/ for its reporter), so the two folders form no cycle.
 */
export interface RunSummaryInput {
  readonly manifest: Manifest;
  readonly manifestUri: string;
  /** Partitions this run processed (excludes those committed by earlier runs). */
  readonly partitionsRun: number;
  readonly imagesRun: number;
  /** Listing, extraction and the manifest merge; PCA (in `reduce`) has its own timings. */
  readonly wallMs: number;
  /** Milliseconds from process start to the first image's features (performance.now() origin). */
  readonly firstImageMs: number | undefined;
  readonly workerPeakRssBytes: readonly number[];
  readonly retries: number;
  /** The table already held every image as listed: this run wrote nothing. */
  readonly upToDate?: boolean;
}

/** The closing lines of `featurejob run`, written to stdout. */
export function formatSummary(result: RunSummaryInput, options: { vcpus: number }): string {
  const { manifest } = result;
  const { table } = manifest;
  if (result.upToDate === true && table !== undefined) {
    return (
      `up to date at version ${table.version}: no new, changed or removed images; nothing written\n` +
      `${formatTableLine(table)}\nmanifest: ${result.manifestUri}\n`
    );
  }
  const failures = Object.entries(manifest.failuresByCode)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([code, count]) => `${code} ${count}`)
    .join(', ');
  const seconds = result.wallMs / 1000;
  const rate = seconds > 0 ? result.imagesRun / seconds : 0;
  const perHourPerVcpu = (rate * 3600) / options.vcpus;
  const failed = `${manifest.images.failed} failed${failures === '' ? '' : `: ${failures}`}`;
  const lines = [
    `images: ${manifest.images.total} (${manifest.images.succeeded} with features, ${failed}); ` +
      `${manifest.input.skipped} other files skipped`,
    `this run: ${result.imagesRun} images in ${result.partitionsRun} of ${manifest.partitions.length} partitions, ` +
      `wall ${formatDuration(seconds)}, ${rate.toFixed(2)} images/s, ` +
      `${Math.round(perHourPerVcpu).toLocaleString('en-US')} images per hour per vCPU (${options.vcpus} vCPUs)`,
    `model: ${manifest.model.name}/${manifest.model.layer} (${manifest.model.dimensions} values), weights ${manifest.model.weights}`,
    `manifest: ${result.manifestUri}`,
  ];
  if (table !== undefined) lines.splice(2, 0, formatTableLine(table));
  const { precision } = manifest;
  if (precision !== undefined) lines.splice(lines.length - 1, 0, formatPrecisionLine(precision));
  if (result.partitionsRun > 0) {
    const rss = result.workerPeakRssBytes.map((bytes) => `${Math.round(bytes / 2 ** 20)} MiB`).join(', ');
    const first = result.firstImageMs === undefined ? 'n/a' : `${(result.firstImageMs / 1000).toFixed(1)} s`;
    lines.splice(2, 0, `first image after ${first} (from process start); worker peak RSS: ${rss === '' ? 'n/a' : rss}`);
  }
  if (result.retries > 0) lines.splice(2, 0, `retried partition attempts: ${result.retries}`);
  return `${lines.join('\n')}\n`;
}

/** `table: version 2 at <uri>: 1,200 rows, 3 failed, 7 files; this version: 55 new, ...`. */
export function formatTableLine(table: NonNullable<Manifest['table']>): string {
  const number = (n: number): string => n.toLocaleString('en-US');
  const head =
    `table: version ${table.version} at ${table.uri}: ` +
    `${number(table.rows)} rows, ${number(table.failed)} failed, ${number(table.files)} files`;
  const { changes } = table;
  if (changes === undefined) return head;
  return (
    `${head}; this version: ${number(changes.new)} new, ${number(changes.changed)} changed, ` +
    `${number(changes.removed)} removed, ${number(changes.unchanged)} unchanged, ${number(changes.retried)} retried` +
    (changes.full ? ' (--full: all processed again)' : '')
  );
}

/** `precision: int8 (requested auto), gate passed: median cosine …` with the CPU and onnxruntime it was measured on. */
export function formatPrecisionLine(precision: ManifestPrecision): string {
  const { gate, calibration } = precision;
  const figures =
    gate === undefined
      ? 'no gate figures'
      : `gate ${gate.passed ? 'passed' : 'failed'}: ` +
        `median cosine ${gate.cosineMedian.toFixed(5)} (min ${gate.cosineMin.toFixed(5)}, needs ${gate.minCosineMedian}), ` +
        `kNN@${gate.k} agreement ${gate.knnAgreement.toFixed(3)} (needs ${gate.minKnnAgreement}) on ${gate.images} images`;
  const calibrated = calibration === undefined ? '' : `, calibrated ${calibration.method} on ${calibration.images}`;
  const cpu = precision.cpuFlags.length === 0 ? 'unknown' : precision.cpuFlags.join(' ');
  return (
    `precision: ${precision.used} (requested ${precision.requested}); ${figures}${calibrated}; ` +
    `CPU ${cpu}; onnxruntime ${precision.onnxruntime}`
  );
}
