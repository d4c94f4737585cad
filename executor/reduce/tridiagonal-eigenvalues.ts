/**
 * All eigenvalues of a real symmetric tridiagonal matrix, by implicit QL with Wilkinson shifts
 * (EISPACK tql1 / LAPACK dsteqr without vectors): O(n²), backward stable, so every eigenvalue
 * is within a small multiple of ε‖T‖ of the exact one.
 *
 * The matrix is first split where an off-diagonal entry is negligible next to its neighbours on
 * the diagonal (LAPACK dstebz's relative test). Those entries are set to exactly zero in place,
 * and each eigenvalue is reported with the unreduced block it came from, so that the eigenvector
 * step (tridiagonal-eigenvectors.ts) works on the very same blocks.
 */

export interface TridiagonalEigenvalues {
  /** All n eigenvalues, descending. */
  readonly values: Float64Array;
  /** blockStarts[i]: the first row of the unreduced diagonal block of T that values[i] belongs to. */
  readonly blockStarts: Int32Array;
}

const EPSILON = 2 ** -53;
const SAFE_MINIMUM = 2 ** -1022;
/** QL sweeps allowed per eigenvalue, on average over a block (dsteqr allows 30). */
const MAX_SWEEPS_PER_VALUE = 30;

/**
 * Sets to zero every offDiagonal[i] with offDiagonal[i]² ≤ ε² |d[i] d[i+1]| + safe minimum, which
 * moves no eigenvalue by more than a few ulps of the neighbouring diagonal entries.
 * Returns the first row of each unreduced block, followed by n.
 */
export function splitTridiagonal(diagonal: Float64Array, offDiagonal: Float64Array): Int32Array {
  const n = diagonal.length;
  const starts = [0];
  for (let i = 0; i + 1 < n; i++) {
    const e = offDiagonal[i]!;
    if (e * e <= EPSILON * EPSILON * Math.abs(diagonal[i]! * diagonal[i + 1]!) + SAFE_MINIMUM) {
      offDiagonal[i] = 0;
      starts.push(i + 1);
    }
  }
  starts.push(n);
  return Int32Array.from(starts);
}

/**
 * All eigenvalues of T = tridiag(offDiagonal, diagonal, offDiagonal), sorted descending.
 * `diagonal` is left as is; negligible entries of `offDiagonal` are set to zero (see above).
 */
export function tridiagonalEigenvalues(diagonal: Float64Array, offDiagonal: Float64Array): TridiagonalEigenvalues {
  const n = diagonal.length;
  if (offDiagonal.length < n - 1) {
    throw new RangeError(
      `a tridiagonal matrix of order ${n} needs ${n - 1} off-diagonal entries, got ${offDiagonal.length}`,
    );
  }
  const starts = splitTridiagonal(diagonal, offDiagonal);
  const values = new Float64Array(n);
  const blockOf = new Int32Array(n);
  for (let b = 0; b + 1 < starts.length; b++) {
    const start = starts[b]!;
    const end = starts[b + 1]!;
    const block = blockEigenvalues(diagonal, offDiagonal, start, end);
    values.set(block, start);
    blockOf.fill(start, start, end);
  }

  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => values[y]! - values[x]! || x - y);
  return {
    values: Float64Array.from(order, (i) => values[i]!),
    blockStarts: Int32Array.from(order, (i) => blockOf[i]!),
  };
}

/** Eigenvalues (unsorted) of the unreduced block rows [start, end). */
function blockEigenvalues(diagonal: Float64Array, offDiagonal: Float64Array, start: number, end: number): Float64Array {
  const m = end - start;
  const d = diagonal.slice(start, end);
  if (m === 1) return d;
  // e[i] couples i and i + 1; e[m − 1] = 0 keeps the sweep's writes in bounds.
  const e = new Float64Array(m);
  e.set(offDiagonal.subarray(start, end - 1));

  // Scale by a power of two (exact) so that the largest entry is about 1: no overflow or
  // harmful underflow in the rotations, whatever the matrix's scale.
  let norm = 0;
  for (let i = 0; i < m; i++) norm = Math.max(norm, Math.abs(d[i]!), Math.abs(e[i]!));
  if (norm === 0) return d;
  const exponent = Math.floor(Math.log2(norm));
  const down = 2 ** -exponent;
  for (let i = 0; i < m; i++) {
    d[i] = d[i]! * down;
    e[i] = e[i]! * down;
  }

  const eps2 = EPSILON * EPSILON;
  let sweeps = 0;
  const maxSweeps = MAX_SWEEPS_PER_VALUE * m;
  for (let l = 0; l < m; l++) {
    for (;;) {
      // Find the first negligible e[mm], mm ≥ l: the unreduced part is rows l..mm.
      let mm = l;
      for (; mm < m - 1; mm++) {
        const em = e[mm]!;
        if (em * em <= eps2 * Math.abs(d[mm]!) * Math.abs(d[mm + 1]!) + SAFE_MINIMUM) {
          e[mm] = 0;
          break;
        }
      }
      if (mm === l) break;
      if (++sweeps > maxSweeps) {
        throw new Error(`tridiagonal QL iteration did not converge after ${maxSweeps} sweeps (order ${m})`);
      }
      // Wilkinson shift from the leading 2×2 of the unreduced part.
      let g = (d[l + 1]! - d[l]!) / (2 * e[l]!);
      let r = hypot(g, 1);
      g = d[mm]! - d[l]! + e[l]! / (g + (g >= 0 ? r : -r));
      let s = 1;
      let c = 1;
      let p = 0;
      let i = mm - 1;
      let underflow = false;
      for (; i >= l; i--) {
        const f = s * e[i]!;
        const b = c * e[i]!;
        r = hypot(f, g);
        e[i + 1] = r;
        if (r === 0) {
          // Deflation by underflow: recover and restart the sweep.
          d[i + 1] = d[i + 1]! - p;
          e[mm] = 0;
          underflow = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1]! - p;
        r = (d[i]! - g) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
      }
      if (underflow) continue;
      d[l] = d[l]! - p;
      e[l] = g;
      e[mm] = 0;
    }
  }

  const up = 2 ** exponent;
  for (let i = 0; i < m; i++) d[i] = d[i]! * up;
  return d;
}

/** √(x² + y²), with Math.hypot's care only when the plain formula could under- or overflow. */
function hypot(x: number, y: number): number {
  const sum = x * x + y * y;
  if (sum > 1e-290 && sum < 1e290) return Math.sqrt(sum);
  return Math.hypot(x, y);
}
