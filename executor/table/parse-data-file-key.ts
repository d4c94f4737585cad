/**
 * Recognises the data file names featurejob writes under `features/`, with the table version
 * that wrote them: a partition attempt's shard (`part-NNNNN-<attempt>`, `vN-part-NNNNN-<attempt>`)
 * or a copy-on-write rewrite (`vN-rewrite-<digest>.parquet`). Anything else there is a
 * user's file (partition-naming.ts, parse-attempt-file-key.ts).
 */
import { parseAttemptFileKey } from '../plan/parse-attempt-file-key.js';
import { FEATURES_PREFIX } from '../plan/partition-naming.js';

export type DataFileKey =
  | { readonly kind: 'shard'; readonly version: number; readonly index: number }
  | { readonly kind: 'rewrite'; readonly version: number };

const VERSION_PREFIX = new RegExp(`^${FEATURES_PREFIX}v([1-9]\\d*)-`);
/** rewrite-data-file.ts names a rewrite by 16 hex digits of the replaced file's sha256. */
const REWRITE = new RegExp(`^${FEATURES_PREFIX}v([1-9]\\d*)-rewrite-[0-9a-f]{16}\\.parquet$`);

/** The kind and version of a data file of ours, or undefined for any other name. */
export function parseDataFileKey(key: string): DataFileKey | undefined {
  const rewrite = REWRITE.exec(key);
  if (rewrite !== null) return { kind: 'rewrite', version: Number(rewrite[1]) };
  const prefixed = VERSION_PREFIX.exec(key);
  const version = prefixed === null ? 0 : Number(prefixed[1]);
  const parsed = parseAttemptFileKey(key, version);
  return parsed?.kind === 'shard' ? { kind: 'shard', version, index: parsed.index } : undefined;
}
