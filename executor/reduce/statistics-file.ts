/**
 * The bytes of a partition's PCA statistics file: a 24-byte header (magic `FJSTATS1`, format
 * version, dimensions, rows), then the d column sums and the d(d+1)/2 packed Gram values, all
 * little-endian float64. For 4,096 dimensions that is 67 MB whatever the partition's size;
 * binary because the values must round-trip exactly.
 */
import { endianness } from 'node:os';
import { FeatureJobError } from '../errors.js';
import { packedLength, type FeatureStatistics } from './feature-statistics.js';

const MAGIC = 'FJSTATS1';
const VERSION = 1;
const HEADER_BYTES = 24;

export function statisticsFileBytes(dimensions: number): number {
  return HEADER_BYTES + 8 * (dimensions + packedLength(dimensions));
}

export function encodeStatisticsFile(statistics: FeatureStatistics): Uint8Array {
  assertLittleEndianHost();
  const { dimensions, sums, gram } = statistics;
  const bytes = new Uint8Array(statisticsFileBytes(dimensions));
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < MAGIC.length; i++) bytes[i] = MAGIC.charCodeAt(i);
  view.setUint32(8, VERSION, true);
  view.setUint32(12, dimensions, true);
  view.setFloat64(16, statistics.rows, true);
  new Float64Array(bytes.buffer, HEADER_BYTES, dimensions).set(sums);
  new Float64Array(bytes.buffer, HEADER_BYTES + 8 * dimensions, gram.length).set(gram);
  return bytes;
}

/** Decodes a statistics file; throws FJ_OUTPUT_INVALID naming `source` when it is not one. */
export function decodeStatisticsFile(bytes: Uint8Array, source: string): FeatureStatistics {
  assertLittleEndianHost();
  const invalid = (why: string): FeatureJobError =>
    new FeatureJobError('FJ_OUTPUT_INVALID', `${source} is not a featurejob statistics file: ${why}`);
  if (bytes.length < HEADER_BYTES) throw invalid(`${bytes.length} bytes`);
  const magic = String.fromCharCode(...bytes.subarray(0, MAGIC.length));
  if (magic !== MAGIC) throw invalid('wrong magic number');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== VERSION) throw invalid(`format version ${version}, this featurejob reads ${VERSION}`);
  const dimensions = view.getUint32(12, true);
  const rows = view.getFloat64(16, true);
  if (dimensions < 1 || !Number.isSafeInteger(rows) || rows < 0)
    throw invalid(`header says ${dimensions} dimensions and ${rows} rows`);
  if (bytes.length !== statisticsFileBytes(dimensions)) {
    throw invalid(
      `${bytes.length} bytes where ${dimensions} dimensions need ${statisticsFileBytes(dimensions)} (truncated?)`,
    );
  }
  // Copy out: the bytes may not be 8-byte aligned, and the caller may reuse them.
  const values = new Float64Array(dimensions + packedLength(dimensions));
  new Uint8Array(values.buffer).set(bytes.subarray(HEADER_BYTES));
  return { dimensions, rows, sums: values.subarray(0, dimensions), gram: values.subarray(dimensions) };
}

function assertLittleEndianHost(): void {
  if (endianness() !== 'LE')
    throw new FeatureJobError('FJ_INVALID_CONFIG', 'statistics files are written on little-endian hosts only');
}
