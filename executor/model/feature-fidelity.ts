/**
 * How closely int8 features follow fp32 ones on the same images: the figures of the
 * fidelity gate. Pure functions over row-major feature matrices (n rows of `dimensions`).
 *   cosine       per image, cos(fp32, int8); the gate reads the median and reports the min
 *   kNN@k        per image, the share of its k nearest neighbours (by cosine, among the
 *                other images of the sample) that the int8 features keep; averaged. k is
 *                10, or n - 1 for fewer than 11 images. Ties break by the lower index, so
 *                the figure is deterministic.
 */

export const DEFAULT_KNN_K = 10;

export interface FidelityFigures {
  readonly images: number;
  readonly cosineMin: number;
  readonly cosineMedian: number;
  readonly knnAgreement: number;
  readonly k: number;
}

export interface FidelityThresholds {
  readonly minCosineMedian: number;
  readonly minKnnAgreement: number;
}

export const DEFAULT_FIDELITY_THRESHOLDS: FidelityThresholds = { minCosineMedian: 0.999, minKnnAgreement: 0.95 };

/** cos(a, b) of two vectors; two zero vectors are the same (1), one zero vector is unlike any other (0). */
export function computeCosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i += 1) {
    const x = a[i] as number;
    const y = b[i] as number;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  if (na === 0 && nb === 0) return 1;
  if (na === 0 || nb === 0) return 0;
  return dot / Math.sqrt(na * nb);
}

function rowsOf(features: Float32Array, dimensions: number): Float32Array[] {
  if (!Number.isInteger(dimensions) || dimensions < 1 || features.length % dimensions !== 0) {
    throw new RangeError(`${features.length} values are not rows of ${dimensions}`);
  }
  const rows: Float32Array[] = [];
  for (let start = 0; start < features.length; start += dimensions)
    rows.push(features.subarray(start, start + dimensions));
  return rows;
}

/** cos(reference_i, candidate_i) for each row i. */
export function computeRowCosines(reference: Float32Array, candidate: Float32Array, dimensions: number): number[] {
  if (reference.length !== candidate.length)
    throw new RangeError(`${reference.length} reference values, ${candidate.length} candidate values`);
  const a = rowsOf(reference, dimensions);
  const b = rowsOf(candidate, dimensions);
  return a.map((row, i) => computeCosine(row, b[i] as Float32Array));
}

/** The median (the mean of the middle two for an even count). */
export function computeMedian(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('the median of no values');
  const sorted = [...values].sort((x, y) => x - y);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Each row's k nearest other rows by cosine, most similar first, ties by the lower index. */
export function computeNearestNeighbours(features: Float32Array, dimensions: number, k: number): number[][] {
  const rows = rowsOf(features, dimensions);
  const n = rows.length;
  if (!Number.isInteger(k) || k < 1 || k > n - 1) throw new RangeError(`k must be 1..${n - 1} for ${n} rows, got ${k}`);
  const similarity: number[][] = rows.map(() => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i += 1) {
    for (let j = i + 1; j < n; j += 1) {
      const s = computeCosine(rows[i] as Float32Array, rows[j] as Float32Array);
      (similarity[i] as number[])[j] = s;
      (similarity[j] as number[])[i] = s;
    }
  }
  return similarity.map((row, i) =>
    row
      .map((s, j) => ({ s, j }))
      .filter(({ j }) => j !== i)
      .sort((x, y) => y.s - x.s || x.j - y.j)
      .slice(0, k)
      .map(({ j }) => j),
  );
}

/** k for n images: 10, or n - 1 when there are fewer than 11. */
export function computeKnnK(images: number): number {
  return Math.min(DEFAULT_KNN_K, images - 1);
}

/** Mean over rows of |kNN_reference(i) ∩ kNN_candidate(i)| / k. Needs at least 2 rows. */
export function computeKnnAgreement(
  reference: Float32Array,
  candidate: Float32Array,
  dimensions: number,
  k = computeKnnK(reference.length / dimensions),
): number {
  const expected = computeNearestNeighbours(reference, dimensions, k);
  const actual = computeNearestNeighbours(candidate, dimensions, k);
  let kept = 0;
  expected.forEach((neighbours, i) => {
    const other = new Set(actual[i]);
    kept += neighbours.filter((j) => other.has(j)).length;
  });
  return kept / (expected.length * k);
}

/** The gate's figures for fp32 `reference` and int8 `candidate` features of the same images. */
export function computeFidelityFigures(
  reference: Float32Array,
  candidate: Float32Array,
  dimensions: number,
): FidelityFigures {
  const cosines = computeRowCosines(reference, candidate, dimensions);
  if (cosines.length < 2) throw new RangeError(`the fidelity gate needs at least 2 images, got ${cosines.length}`);
  const k = computeKnnK(cosines.length);
  return {
    images: cosines.length,
    cosineMin: Math.min(...cosines),
    cosineMedian: computeMedian(cosines),
    knnAgreement: computeKnnAgreement(reference, candidate, dimensions, k),
    k,
  };
}

/** Which thresholds the figures miss, in words; empty when the gate passes. */
export function computeGateFailures(figures: FidelityFigures, thresholds: FidelityThresholds): string[] {
  const failures: string[] = [];
  if (!(figures.cosineMedian >= thresholds.minCosineMedian)) {
    failures.push(`median cosine ${figures.cosineMedian.toFixed(5)} < ${thresholds.minCosineMedian}`);
  }
  if (!(figures.knnAgreement >= thresholds.minKnnAgreement)) {
    failures.push(`kNN@${figures.k} agreement ${figures.knnAgreement.toFixed(3)} < ${thresholds.minKnnAgreement}`);
  }
  return failures;
}

/** One line for people: `median cosine 0.99951 (min 0.99942), kNN@10 agreement 0.981 on 32 images`. */
export function formatFidelityFigures(figures: FidelityFigures): string {
  return (
    `median cosine ${figures.cosineMedian.toFixed(5)} (min ${figures.cosineMin.toFixed(5)}), ` +
    `kNN@${figures.k} agreement ${figures.knnAgreement.toFixed(3)} on ${figures.images} images`
  );
}
