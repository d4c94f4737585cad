/**
 * Householder reduction of a real symmetric matrix to tridiagonal form, A = Q T Qᵀ, the first
 * stage of the exact PCA eigensolver (LAPACK dsytd2's algorithm, unblocked).
 *
 * Only the upper triangle is read (row-major, so row j's entries right of the diagonal are
 * column j of the lower triangle in LAPACK's column-major terms, and every inner loop runs over
 * contiguous memory). Reflector j, H_j = I − τ_j v vᵀ, annihilates row j right of its first
 * super-diagonal entry; its vector is kept LAPACK style in that same row of the overwritten
 * matrix, so the eigenvectors of T can be carried back to those of A afterwards.
 *
 * The trailing matrix dominates the cost and is far larger than any cache at n = 4096, so each
 * step reads it once: the rank-2 update of step j is fused with the symmetric matrix-vector
 * product of step j + 1 (row j + 1 is updated first, reflector j + 1 is built from it, then one
 * pass over the remaining rows both applies update j and accumulates A v_{j+1}).
 */

export interface Tridiagonal {
  readonly n: number;
  /** Diagonal of T, length n. */
  readonly diagonal: Float64Array;
  /** Off-diagonal of T, length max(0, n − 1): offDiagonal[i] = T[i][i + 1] = T[i + 1][i]. */
  readonly offDiagonal: Float64Array;
  /** τ_j of the n − 2 reflectors (none when n ≤ 2). */
  readonly tau: Float64Array;
  /**
   * The overwritten input matrix. Reflector j's vector is v[j + 1] = 1 and
   * v[c] = reflectors[j·n + c] for c ≥ j + 2.
   */
  readonly reflectors: Float64Array;
}

/** Reduces `matrix` (n×n, row-major, upper triangle read) to tridiagonal form, overwriting it. */
export function tridiagonalizeSymmetric(matrix: Float64Array, n: number): Tridiagonal {
  const a = matrix;
  const diagonal = new Float64Array(n);
  const offDiagonal = new Float64Array(Math.max(0, n - 1));
  const reflectorCount = Math.max(0, n - 2);
  const tau = new Float64Array(reflectorCount);
  const result: Tridiagonal = { n, diagonal, offDiagonal, tau, reflectors: a };
  if (n === 1) {
    diagonal[0] = a[0]!;
    return result;
  }

  // Dense, globally indexed copies of the current reflector v, its product p = τ A v and the
  // update vector w, plus the next step's v and p; indices below the active window are unused.
  let v = new Float64Array(n);
  let p = new Float64Array(n);
  let vNext = new Float64Array(n);
  let pNext = new Float64Array(n);
  const w = new Float64Array(n);

  if (reflectorCount > 0) {
    diagonal[0] = a[0]!;
    tau[0] = makeReflector(a, n, 0, v, offDiagonal);
    // p_0 = τ_0 A[1:, 1:] v_0: the fused pass with a zero update (v, w of "step −1" are zero).
    const zero = new Float64Array(n);
    updateAndMultiply(a, n, 1, zero, zero, v, p);
    scale(p, 1, n, tau[0]!);
  }

  for (let j = 0; j < reflectorCount; j++) {
    const t = tau[j]!;
    const first = j + 1;
    // w = p − (τ/2)(pᵀv) v, so that H A H = A − v wᵀ − w vᵀ on the trailing matrix.
    let pv = 0;
    for (let c = first; c < n; c++) pv += p[c]! * v[c]!;
    const alpha = -0.5 * t * pv;
    for (let c = first; c < n; c++) w[c] = p[c]! + alpha * v[c]!;

    updateRow(a, n, first, v, w);
    if (j + 1 < reflectorCount) {
      diagonal[first] = a[first * n + first]!;
      const tNext = makeReflector(a, n, first, vNext, offDiagonal);
      tau[j + 1] = tNext;
      pNext.fill(0, first + 1, n);
      updateAndMultiply(a, n, first + 1, v, w, vNext, pNext);
      scale(pNext, first + 1, n, tNext);
      [v, vNext] = [vNext, v];
      [p, pNext] = [pNext, p];
    } else {
      for (let r = first + 1; r < n; r++) updateRow(a, n, r, v, w);
    }
  }

  diagonal[n - 2] = a[(n - 2) * n + n - 2]!;
  offDiagonal[n - 2] = a[(n - 2) * n + n - 1]!;
  diagonal[n - 1] = a[n * n - 1]!;
  return result;
}

/**
 * Multiplies `count` vectors (count×n, row-major, in place) by Q = H_0 H_1 ⋯ H_{n−3}, turning
 * eigenvectors of T into eigenvectors of the original matrix. O(n² · count).
 */
export function applyTridiagonalBasis(tridiagonal: Tridiagonal, vectors: Float64Array, count: number): void {
  const { n, tau, reflectors: a } = tridiagonal;
  // Q z = H_0 (H_1 (⋯ (H_{n−3} z))): the last reflector first. Vectors go in groups small
  // enough to stay in cache while each reflector row is streamed once per group, and four at
  // a time through each reflector so its entries are loaded once for four vectors.
  const group = Math.max(4, 4 * Math.floor(65536 / (4 * Math.max(1, n))));
  for (let g0 = 0; g0 < count; g0 += group) {
    const g1 = Math.min(count, g0 + group);
    for (let j = tau.length - 1; j >= 0; j--) {
      const t = tau[j]!;
      if (t === 0) continue;
      const base = j * n;
      const head = j + 1;
      let q = g0;
      for (; q + 3 < g1; q += 4) {
        const z0 = q * n,
          z1 = z0 + n,
          z2 = z1 + n,
          z3 = z2 + n;
        let s0 = vectors[z0 + head]!,
          s1 = vectors[z1 + head]!,
          s2 = vectors[z2 + head]!,
          s3 = vectors[z3 + head]!;
        for (let c = head + 1; c < n; c++) {
          const h = a[base + c]!;
          s0 += h * vectors[z0 + c]!;
          s1 += h * vectors[z1 + c]!;
          s2 += h * vectors[z2 + c]!;
          s3 += h * vectors[z3 + c]!;
        }
        s0 *= t;
        s1 *= t;
        s2 *= t;
        s3 *= t;
        vectors[z0 + head] = vectors[z0 + head]! - s0;
        vectors[z1 + head] = vectors[z1 + head]! - s1;
        vectors[z2 + head] = vectors[z2 + head]! - s2;
        vectors[z3 + head] = vectors[z3 + head]! - s3;
        for (let c = head + 1; c < n; c++) {
          const h = a[base + c]!;
          vectors[z0 + c] = vectors[z0 + c]! - s0 * h;
          vectors[z1 + c] = vectors[z1 + c]! - s1 * h;
          vectors[z2 + c] = vectors[z2 + c]! - s2 * h;
          vectors[z3 + c] = vectors[z3 + c]! - s3 * h;
        }
      }
      for (; q < g1; q++) {
        const z = q * n;
        let s = vectors[z + head]!;
        for (let c = head + 1; c < n; c++) s += a[base + c]! * vectors[z + c]!;
        s *= t;
        vectors[z + head] = vectors[z + head]! - s;
        for (let c = head + 1; c < n; c++) vectors[z + c] = vectors[z + c]! - s * a[base + c]!;
      }
    }
  }
}

/**
 * Builds the reflector that maps row `row` right of the diagonal, x = A[row][row+1:], onto
 * β e_1 (LAPACK dlarfg). Stores v[2:] over x[2:] and β over x[1], writes β to offDiagonal[row],
 * fills the dense vector `v` (v[row+1] = 1) and returns τ.
 */
function makeReflector(a: Float64Array, n: number, row: number, v: Float64Array, offDiagonal: Float64Array): number {
  const head = row * n + row + 1;
  const start = head + 1;
  const end = row * n + n;
  const alpha = a[head]!;
  const xnorm = norm(a, start, end);
  v[row + 1] = 1;
  if (xnorm === 0) {
    for (let c = row + 2; c < n; c++) v[c] = 0;
    offDiagonal[row] = alpha;
    return 0;
  }
  const h = Math.hypot(alpha, xnorm);
  const beta = alpha >= 0 ? -h : h;
  const t = (beta - alpha) / beta;
  const s = 1 / (alpha - beta);
  for (let i = start, c = row + 2; i < end; i++, c++) {
    const value = a[i]! * s;
    a[i] = value;
    v[c] = value;
  }
  a[head] = beta;
  offDiagonal[row] = beta;
  return t;
}

/** Euclidean norm of a[start:end], rescaling only when the plain sum of squares under/overflows. */
function norm(a: Float64Array, start: number, end: number): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum += a[i]! * a[i]!;
  if (sum > 1e-280 && sum < 1e280) return Math.sqrt(sum);
  let max = 0;
  for (let i = start; i < end; i++) max = Math.max(max, Math.abs(a[i]!));
  if (max === 0 || !Number.isFinite(max)) return max;
  sum = 0;
  for (let i = start; i < end; i++) {
    const x = a[i]! / max;
    sum += x * x;
  }
  return max * Math.sqrt(sum);
}

/** Applies A ← A − v wᵀ − w vᵀ to row r of the upper triangle. */
function updateRow(a: Float64Array, n: number, r: number, v: Float64Array, w: Float64Array): void {
  const vr = v[r]!;
  const wr = w[r]!;
  const base = r * n;
  for (let c = r; c < n; c++) a[base + c] = a[base + c]! - vr * w[c]! - wr * v[c]!;
}

/**
 * The fused pass over rows firstRow… of the upper triangle: applies A ← A − v wᵀ − w vᵀ and, with
 * the updated entries, accumulates pNext += A u (u = vNext) for the symmetric trailing matrix.
 * Four rows at a time, so each column's v, w, u and pNext are loaded (and pNext stored) once
 * for four entries of A; the pass is bound by memory traffic on A, which this keeps to one read
 * and one write per entry.
 */
function updateAndMultiply(
  a: Float64Array,
  n: number,
  firstRow: number,
  v: Float64Array,
  w: Float64Array,
  u: Float64Array,
  pNext: Float64Array,
): void {
  let r = firstRow;
  for (; r + 3 < n; r += 4) {
    // The 4×4 corner on the diagonal, entry by entry.
    updateAndMultiplyRows(a, n, r, r + 4, r + 4, v, w, u, pNext);
    const v0 = v[r]!,
      w0 = w[r]!,
      u0 = u[r]!;
    const v1 = v[r + 1]!,
      w1 = w[r + 1]!,
      u1 = u[r + 1]!;
    const v2 = v[r + 2]!,
      w2 = w[r + 2]!,
      u2 = u[r + 2]!;
    const v3 = v[r + 3]!,
      w3 = w[r + 3]!,
      u3 = u[r + 3]!;
    const b0 = r * n;
    const b1 = b0 + n;
    const b2 = b1 + n;
    const b3 = b2 + n;
    let s0 = 0,
      s1 = 0,
      s2 = 0,
      s3 = 0;
    for (let c = r + 4; c < n; c++) {
      const vc = v[c]!,
        wc = w[c]!,
        uc = u[c]!;
      const x0 = a[b0 + c]! - v0 * wc - w0 * vc;
      const x1 = a[b1 + c]! - v1 * wc - w1 * vc;
      const x2 = a[b2 + c]! - v2 * wc - w2 * vc;
      const x3 = a[b3 + c]! - v3 * wc - w3 * vc;
      a[b0 + c] = x0;
      a[b1 + c] = x1;
      a[b2 + c] = x2;
      a[b3 + c] = x3;
      s0 += x0 * uc;
      s1 += x1 * uc;
      s2 += x2 * uc;
      s3 += x3 * uc;
      pNext[c] = pNext[c]! + x0 * u0 + x1 * u1 + x2 * u2 + x3 * u3;
    }
    pNext[r] = pNext[r]! + s0;
    pNext[r + 1] = pNext[r + 1]! + s1;
    pNext[r + 2] = pNext[r + 2]! + s2;
    pNext[r + 3] = pNext[r + 3]! + s3;
  }
  // The last (n − firstRow) mod 4 rows.
  updateAndMultiplyRows(a, n, r, n, n, v, w, u, pNext);
}

/** updateAndMultiply, one entry at a time, for rows [rowStart, rowEnd) and columns < columnEnd. */
function updateAndMultiplyRows(
  a: Float64Array,
  n: number,
  rowStart: number,
  rowEnd: number,
  columnEnd: number,
  v: Float64Array,
  w: Float64Array,
  u: Float64Array,
  pNext: Float64Array,
): void {
  for (let i = rowStart; i < rowEnd; i++) {
    const vi = v[i]!,
      wi = w[i]!,
      ui = u[i]!;
    const base = i * n;
    const diagonal = a[base + i]! - 2 * vi * wi;
    a[base + i] = diagonal;
    let s = diagonal * ui;
    for (let c = i + 1; c < columnEnd; c++) {
      const x = a[base + c]! - vi * w[c]! - wi * v[c]!;
      a[base + c] = x;
      s += x * u[c]!;
      pNext[c] = pNext[c]! + x * ui;
    }
    pNext[i] = pNext[i]! + s;
  }
}

function scale(x: Float64Array, start: number, end: number, factor: number): void {
  for (let i = start; i < end; i++) x[i] = x[i]! * factor;
}
