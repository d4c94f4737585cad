/**
 * Which points a scatter plot draws, and in which order, without Math.random: a 32-bit
 * integer hash of each point's index stands in for a random draw, so the same input always
 * gives the same picture.
 */
import { compareLabels } from './label-palette.js';

/** A well-mixed 32-bit hash of an index (Wellons' lowbias32), salted so two uses don't correlate. */
export function hashIndex(index: number, salt = 0): number {
  let h = (index ^ Math.imul(salt, 0x9e3779b9)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

const SAMPLE_SALT = 1;
const ORDER_SALT = 2;

/**
 * At most `maxPoints` of `indices` (positions into `labels`), label-stratified: every label
 * keeps one point, and the rest is shared in proportion to the labels' sizes (largest
 * remainder). Within a label the points with the smallest hashes are kept. When there are
 * more labels than `maxPoints`, the largest labels keep one point each. Returned ascending.
 */
export function stratifiedSample(indices: readonly number[], labels: readonly string[], maxPoints: number): number[] {
  if (indices.length <= maxPoints) return [...indices].sort((a, b) => a - b);
  const groups = new Map<string, number[]>();
  for (const index of indices) {
    const label = labels[index]!;
    const group = groups.get(label);
    if (group === undefined) groups.set(label, [index]);
    else group.push(index);
  }
  const byLabel = [...groups.entries()].sort(([a], [b]) => compareLabels(a, b));
  const quotas = allocate(
    byLabel.map(([, group]) => group.length),
    maxPoints,
  );
  const chosen: number[] = [];
  byLabel.forEach(([, group], g) => {
    const quota = quotas[g]!;
    if (quota === 0) return;
    const ranked = group
      .map((index) => ({ index, hash: hashIndex(index, SAMPLE_SALT) }))
      .sort((a, b) => a.hash - b.hash || a.index - b.index);
    for (let i = 0; i < quota; i++) chosen.push(ranked[i]!.index);
  });
  return chosen.sort((a, b) => a - b);
}

/** Points per group summing to `total` (< the sum of sizes): one each first, then proportional. */
function allocate(sizes: readonly number[], total: number): number[] {
  if (sizes.length > total) {
    const largest = sizes
      .map((size, g) => ({ size, g }))
      .sort((a, b) => b.size - a.size || a.g - b.g)
      .slice(0, total);
    const quotas = sizes.map(() => 0);
    for (const { g } of largest) quotas[g] = 1;
    return quotas;
  }
  const spare = total - sizes.length;
  const rest = sizes.reduce((sum, size) => sum + size - 1, 0);
  const shares = sizes.map((size) => (spare * (size - 1)) / rest);
  const quotas = shares.map((share) => 1 + Math.floor(share));
  let left = total - quotas.reduce((a, b) => a + b, 0);
  const byRemainder = shares
    .map((share, g) => ({ g, remainder: share - Math.floor(share) }))
    .sort((a, b) => b.remainder - a.remainder || a.g - b.g);
  for (const { g } of byRemainder) {
    if (left === 0) break;
    if (quotas[g]! < sizes[g]!) {
      quotas[g] = quotas[g]! + 1;
      left--;
    }
  }
  return quotas;
}

/**
 * The drawing order of `indices`: shuffled by hash, so that no class is drawn wholly after
 * (and so on top of) another, as it would be in the data's label-grouped row order.
 */
export function interleavedOrder(indices: readonly number[]): number[] {
  return indices
    .map((index) => ({ index, hash: hashIndex(index, ORDER_SALT) }))
    .sort((a, b) => a.hash - b.hash || a.index - b.index)
    .map(({ index }) => index);
}
