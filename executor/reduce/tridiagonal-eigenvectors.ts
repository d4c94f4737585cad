/**
 * Eigenvectors of a real symmetric tridiagonal matrix for given eigenvalues, by inverse
 * iteration as LAPACK dstein does it: T − λI is factored once per eigenvalue with a pivoted
 * tridiagonal LU (dlagtf), a random start vector is solved against it (dlagts, tiny pivots
 * perturbed) until it has grown enough, plus two extra iterations; vectors whose eigenvalues
 * are within 10⁻³‖T‖ of each other (a cluster) are reorthogonalised by modified Gram-Schmidt
 * after every solve, which keeps repeated and close eigenvalues' vectors orthonormal.
 * O(n) per vector per iteration, plus O(n · cluster size) for the reorthogonalisation.
 *
 * The off-diagonal must already be split into unreduced blocks (zeros where
 * tridiagonal-eigenvalues.ts split it) and each eigenvalue must say which block it belongs to;
 * a vector is computed within its block and is zero outside it.
 */
import { SeededRandom } from '../util/seeded-random.js';

const EPSILON = 2 ** -53;
const SAFE_MINIMUM = 2 ** -1022;
const MAX_ITERATIONS = 5;
const EXTRA_ITERATIONS = 2;

/**
 * Unit eigenvectors (count×n, row-major; row i for values[i]) of
 * T = tridiag(offDiagonal, diagonal, offDiagonal). blockStarts[i] is the first row of the
 * unreduced block of values[i]; that block ends at the next zero of offDiagonal.
 * Each vector's entry of largest magnitude is positive.
 */
export function tridiagonalEigenvectors(
  diagonal: Float64Array,
  offDiagonal: Float64Array,
  values: Float64Array,
  blockStarts: Int32Array,
): Float64Array {
  const n = diagonal.length;
  const count = values.length;
  if (blockStarts.length !== count) {
    throw new RangeError(`${count} eigenvalues but ${blockStarts.length} block starts`);
  }
  const vectors = new Float64Array(count * n);

  // Group the requested eigenvalues by block, ascending within each block as dstein expects.
  const byBlock = new Map<number, number[]>();
  for (let i = 0; i < count; i++) {
    const start = blockStarts[i]!;
    if (!Number.isInteger(start) || start < 0 || start >= n || (start > 0 && offDiagonal[start - 1] !== 0)) {
      throw new RangeError(`eigenvalue ${i}: ${start} is not the first row of an unreduced block`);
    }
    const list = byBlock.get(start) ?? [];
    if (list.length === 0) byBlock.set(start, list);
    list.push(i);
  }
  for (const [start, indices] of byBlock) {
    let end = start + 1;
    while (end < n && offDiagonal[end - 1] !== 0) end++;
    indices.sort((x, y) => values[x]! - values[y]! || x - y);
    const blockValues = Float64Array.from(indices, (i) => values[i]!);
    const blockVectors = blockEigenvectors(diagonal, offDiagonal, start, end, blockValues);
    const size = end - start;
    indices.forEach((i, q) => vectors.set(blockVectors.subarray(q * size, (q + 1) * size), i * n + start));
  }
  return vectors;
}

/** dstein for one unreduced block rows [start, end) and its eigenvalues `w` (ascending). */
function blockEigenvectors(
  diagonal: Float64Array,
  offDiagonal: Float64Array,
  start: number,
  end: number,
  w: Float64Array,
): Float64Array {
  const size = end - start;
  const count = w.length;
  const z = new Float64Array(count * size);
  if (size === 1) {
    for (let j = 0; j < count; j++) z[j] = 1;
    return z;
  }
  const d = diagonal.subarray(start, end);
  const e = offDiagonal.subarray(start, end - 1);

  let oneNorm = Math.max(Math.abs(d[0]!) + Math.abs(e[0]!), Math.abs(d[size - 1]!) + Math.abs(e[size - 2]!));
  for (let i = 1; i < size - 1; i++)
    oneNorm = Math.max(oneNorm, Math.abs(d[i]!) + Math.abs(e[i - 1]!) + Math.abs(e[i]!));
  const orthogonalityTolerance = 1e-3 * oneNorm;
  const growthTarget = Math.sqrt(0.1 / size);

  const lu = new TridiagonalLu(size);
  const x = new Float64Array(size);
  const random = new SeededRandom((0x9e3779b9 ^ (start * 2654435761) ^ size) >>> 0);
  let clusterStart = 0;
  let previous = 0;
  for (let j = 0; j < count; j++) {
    let shift = w[j]!;
    if (j > 0) {
      // Separate (numerically) equal eigenvalues so their factorizations differ.
      const perturbation = 10 * Math.abs(EPSILON * shift);
      if (shift - previous < perturbation) shift = previous + perturbation;
      if (Math.abs(shift - previous) > orthogonalityTolerance) clusterStart = j;
    }
    for (let i = 0; i < size; i++) x[i] = 2 * random.nextFloat() - 1;
    lu.factor(d, e, shift);

    let checks = 0;
    for (let iteration = 1; iteration <= MAX_ITERATIONS; iteration++) {
      // Scale so the solve's growth is measured against ‖T‖, then solve (T − λI) y = x.
      const scale = (size * oneNorm * Math.max(EPSILON, Math.abs(lu.lastPivot()))) / maxAbs(x);
      for (let i = 0; i < size; i++) x[i] = x[i]! * scale;
      lu.solve(x);
      for (let q = clusterStart; q < j; q++) {
        const base = q * size;
        let dot = 0;
        for (let i = 0; i < size; i++) dot += x[i]! * z[base + i]!;
        for (let i = 0; i < size; i++) x[i] = x[i]! - dot * z[base + i]!;
      }
      if (maxAbs(x) < growthTarget) continue;
      if (++checks >= EXTRA_ITERATIONS + 1) break;
    }
    // A vector that has not grown enough after MAX_ITERATIONS (LAPACK reports it in ifail) is
    // normalized and returned all the same; with eigenvalues accurate to O(ε‖T‖), as those of
    // tridiagonal-eigenvalues.ts are, this is not expected to happen.
    const largest = largestEntry(x);
    if (!(Math.abs(largest) > 0 && Number.isFinite(largest))) {
      throw new Error(`inverse iteration broke down for the eigenvalue ${w[j]} (block of order ${size})`);
    }
    const unit = 1 / Math.abs(largest);
    let sum = 0;
    for (let i = 0; i < size; i++) {
      const scaled = x[i]! * unit;
      sum += scaled * scaled;
    }
    const inverse = (largest < 0 ? -unit : unit) / Math.sqrt(sum);
    const base = j * size;
    for (let i = 0; i < size; i++) z[base + i] = x[i]! * inverse;
    previous = shift;
  }
  return z;
}

/**
 * T − λI = P L U with partial pivoting (LAPACK dlagtf, tolerance 0) and its perturbed solve
 * (dlagts, job −1): U has diagonal a, super-diagonals b and c2, L's multipliers are m and
 * pivoted[k] says whether rows k and k + 1 were swapped.
 */
class TridiagonalLu {
  private readonly a: Float64Array;
  private readonly b: Float64Array;
  private readonly c2: Float64Array;
  private readonly m: Float64Array;
  private readonly pivoted: Uint8Array;
  private tolerance = 0;

  constructor(private readonly size: number) {
    this.a = new Float64Array(size);
    this.b = new Float64Array(size);
    this.c2 = new Float64Array(size);
    this.m = new Float64Array(size);
    this.pivoted = new Uint8Array(size);
  }

  lastPivot(): number {
    return this.a[this.size - 1]!;
  }

  factor(d: Float64Array, e: Float64Array, shift: number): void {
    const { a, b, c2, m, pivoted, size: n } = this;
    for (let k = 0; k < n; k++) a[k] = d[k]! - shift;
    for (let k = 0; k < n - 1; k++) {
      b[k] = e[k]!;
      m[k] = e[k]!;
    }
    let scale1 = Math.abs(a[0]!) + Math.abs(b[0]!);
    for (let k = 0; k < n - 1; k++) {
      let scale2 = Math.abs(m[k]!) + Math.abs(a[k + 1]!);
      if (k < n - 2) scale2 += Math.abs(b[k + 1]!);
      const piv1 = a[k] === 0 ? 0 : Math.abs(a[k]!) / scale1;
      if (m[k] === 0) {
        pivoted[k] = 0;
        scale1 = scale2;
        if (k < n - 2) c2[k] = 0;
        continue;
      }
      const piv2 = Math.abs(m[k]!) / scale2;
      if (piv2 <= piv1) {
        pivoted[k] = 0;
        scale1 = scale2;
        m[k] = m[k]! / a[k]!;
        a[k + 1] = a[k + 1]! - m[k]! * b[k]!;
        if (k < n - 2) c2[k] = 0;
      } else {
        pivoted[k] = 1;
        const multiplier = a[k]! / m[k]!;
        a[k] = m[k]!;
        const temp = a[k + 1]!;
        a[k + 1] = b[k]! - multiplier * temp;
        if (k < n - 2) {
          c2[k] = b[k + 1]!;
          b[k + 1] = -multiplier * c2[k]!;
        }
        b[k] = temp;
        m[k] = multiplier;
      }
    }
    // dlagts' default tolerance for perturbing tiny pivots: ε times the largest entry of U.
    let tolerance = Math.abs(a[0]!);
    if (n > 1) tolerance = Math.max(tolerance, Math.abs(a[1]!), Math.abs(b[0]!));
    for (let k = 2; k < n; k++)
      tolerance = Math.max(tolerance, Math.abs(a[k]!), Math.abs(b[k - 1]!), Math.abs(c2[k - 2]!));
    tolerance *= EPSILON;
    this.tolerance = tolerance === 0 ? EPSILON : tolerance;
  }

  /** Overwrites y with (T − λI)⁻¹ y, nudging pivots that would overflow the quotient. */
  solve(y: Float64Array): void {
    const { a, b, c2, m, pivoted, size: n, tolerance } = this;
    for (let k = 1; k < n; k++) {
      if (pivoted[k - 1] === 0) {
        y[k] = y[k]! - m[k - 1]! * y[k - 1]!;
      } else {
        const temp = y[k - 1]!;
        y[k - 1] = y[k]!;
        y[k] = temp - m[k - 1]! * y[k]!;
      }
    }
    const big = 1 / SAFE_MINIMUM;
    for (let k = n - 1; k >= 0; k--) {
      let temp = y[k]!;
      if (k <= n - 3) temp -= b[k]! * y[k + 1]! + c2[k]! * y[k + 2]!;
      else if (k === n - 2) temp -= b[k]! * y[k + 1]!;
      let ak = a[k]!;
      let perturbation = ak >= 0 ? tolerance : -tolerance;
      for (;;) {
        const absak = Math.abs(ak);
        if (absak >= 1) break;
        if (absak < SAFE_MINIMUM) {
          if (absak === 0 || Math.abs(temp) * SAFE_MINIMUM > absak) {
            ak += perturbation;
            perturbation *= 2;
            continue;
          }
          temp *= big;
          ak *= big;
          break;
        }
        if (Math.abs(temp) > absak * big) {
          ak += perturbation;
          perturbation *= 2;
          continue;
        }
        break;
      }
      y[k] = temp / ak;
    }
  }
}

function maxAbs(x: Float64Array): number {
  let max = 0;
  for (let i = 0; i < x.length; i++) max = Math.max(max, Math.abs(x[i]!));
  return max;
}

/** The first entry of largest magnitude. */
function largestEntry(x: Float64Array): number {
  let best = 0;
  for (let i = 0; i < x.length; i++) if (Math.abs(x[i]!) > Math.abs(best)) best = x[i]!;
  return best;
}
