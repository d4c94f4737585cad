/**
 * Failed partitions as compressed ranges ("1,3-5,7"), the format of a batch/v1 Job's
 * status.failedIndexes, so the Job's text can be read back with parseRanges and the
 * FeatureJob's status.failedPartitions stays bounded (docs/architecture.md, "The FeatureJob API") however many
 * partitions fail.
 */
import { MAX_FAILED_PARTITIONS_LENGTH } from '../../crds/feature-job-status.js';

interface Run {
  readonly text: string;
  readonly count: number;
}

function assertIndex(index: number): void {
  if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`not a partition index: ${index}`);
}

/**
 * Runs of consecutive indexes as the Job controller writes them: "3" alone, "3-5" for three
 * or more. A pair is written "3,4" (two runs), as Kubernetes does, so a cut may fall between.
 */
function computeRuns(sorted: readonly number[]): Run[] {
  const runs: Run[] = [];
  let start = 0;
  while (start < sorted.length) {
    let end = start;
    while (end + 1 < sorted.length && sorted[end + 1] === sorted[end]! + 1) end += 1;
    const first = sorted[start]!;
    const last = sorted[end]!;
    if (last - first >= 2) runs.push({ text: `${first}-${last}`, count: last - first + 1 });
    else for (let i = start; i <= end; i += 1) runs.push({ text: String(sorted[i]), count: 1 });
    start = end + 1;
  }
  return runs;
}

/**
 * The indexes sorted, deduplicated and compressed: [7, 1, 3, 4, 5] → "1,3-5,7". When that is
 * longer than `maxLength`, it is cut after the last whole run that fits and "…(+N more)" is
 * appended, N counting the partitions not shown (the suffix may take the text past
 * maxLength; the status schema leaves room for it).
 */
export function computeFailedRanges(
  indexes: Iterable<number>,
  maxLength: number = MAX_FAILED_PARTITIONS_LENGTH,
): string {
  const unique = new Set<number>();
  for (const index of indexes) {
    assertIndex(index);
    unique.add(index);
  }
  const runs = computeRuns([...unique].sort((a, b) => a - b));
  let length = 0;
  let shown = 0;
  for (const run of runs) {
    const next = length + (shown > 0 ? 1 : 0) + run.text.length;
    if (next > maxLength) break;
    length = next;
    shown += 1;
  }
  const text = runs
    .slice(0, shown)
    .map((run) => run.text)
    .join(',');
  if (shown === runs.length) return text;
  const hidden = runs.slice(shown).reduce((sum, run) => sum + run.count, 0);
  return `${text}…(+${hidden} more)`;
}

/**
 * The indexes of a ranges text ("1,3-5,7" → [1, 3, 4, 5, 7]), sorted and deduplicated; ""
 * is none. Throws on anything else, a truncated computeFailedRanges text included: its
 * hidden partitions cannot be recovered.
 */
export function parseRanges(text: string): number[] {
  const indexes = new Set<number>();
  const trimmed = text.trim();
  if (trimmed === '') return [];
  for (const part of trimmed.split(',')) {
    const match = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (match === null) throw new SyntaxError(`not a range list ("1,3-5,7"): ${JSON.stringify(text)}`);
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    if (!Number.isSafeInteger(last) || last < first)
      throw new RangeError(`bad range ${JSON.stringify(part.trim())} in ${JSON.stringify(text)}`);
    for (let index = first; index <= last; index += 1) indexes.add(index);
  }
  return [...indexes].sort((a, b) => a - b);
}
