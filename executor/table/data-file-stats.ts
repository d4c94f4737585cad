/**
 * Per-file statistics for a Delta `add` action (the protocol's "Per-file Statistics"): the
 * row count, and the minimum and maximum of the string columns, so engines skip files by
 * path or label. Computed from the image index, not by reading the file.
 */
import { labelOf } from '../output/feature-rows.js';
import { compareKeys } from '../storage/file-store.js';

export interface DataFileStats {
  readonly numRecords: number;
  readonly minValues: { readonly path: string; readonly label: string };
  readonly maxValues: { readonly path: string; readonly label: string };
  readonly nullCount: { readonly path: 0; readonly label: 0; readonly features: 0 };
}

/** Statistics of a file holding `paths` (at least one). */
export function computeDataFileStats(paths: readonly string[]): DataFileStats {
  let minPath = paths[0] as string;
  let maxPath = minPath;
  let minLabel = labelOf(minPath);
  let maxLabel = minLabel;
  for (const path of paths) {
    if (compareKeys(path, minPath) < 0) minPath = path;
    if (compareKeys(path, maxPath) > 0) maxPath = path;
    const label = labelOf(path);
    if (compareKeys(label, minLabel) < 0) minLabel = label;
    if (compareKeys(label, maxLabel) > 0) maxLabel = label;
  }
  return {
    numRecords: paths.length,
    minValues: { path: minPath, label: minLabel },
    maxValues: { path: maxPath, label: maxLabel },
    nullCount: { path: 0, label: 0, features: 0 },
  };
}
