/**
 * Exact dense symmetric eigensolver for PCA: all eigenvalues of an n×n covariance and unit
 * eigenvectors of the k largest, in plain TypeScript (float64 throughout).
 *
 * Householder tridiagonalization (tridiagonalize-symmetric.ts, O(n³)), implicit QL for all
 * eigenvalues (tridiagonal-eigenvalues.ts, O(n²)), inverse iteration for the k wanted vectors
 * of T (tridiagonal-eigenvectors.ts, O(nk)), then the reflectors carry them back to A (O(n²k)):
 * LAPACK's dsytrd + dsterf + dstein + dormtr route, which is much cheaper than a full QR
 * eigendecomposition when k ≪ n.
 *
 * Signs follow scikit-learn's svd_flip(u_based_decision=False): each vector's entry of largest
 * magnitude (the first such) is positive.
 */
import { FeatureJobError } from '../errors.js';
import { tridiagonalEigenvalues } from './tridiagonal-eigenvalues.js';
import { tridiagonalEigenvectors } from './tridiagonal-eigenvectors.js';
import { applyTridiagonalBasis, tridiagonalizeSymmetric } from './tridiagonalize-symmetric.js';

export interface SymmetricEigen {
  /** All n eigenvalues, descending. */
  readonly values: Float64Array;
  /** Unit eigenvectors of the k largest eigenvalues, k×n row-major, row i for values[i]. */
  readonly vectors: Float64Array;
  readonly k: number;
}

/**
 * `matrix` (n×n, row-major, symmetric) is overwritten. Only its upper triangle is used; the
 * whole matrix must be finite.
 */
export function symmetricEigen(matrix: Float64Array, n: number, k: number): SymmetricEigen {
  validate(matrix, n, k);

  // Scale by a power of two (exact) so the largest entry is about 1: nothing in the reduction
  // can overflow or underflow harmfully, whatever the data's units.
  let largest = 0;
  for (let i = 0; i < matrix.length; i++) largest = Math.max(largest, Math.abs(matrix[i]!));
  const exponent = largest === 0 ? 0 : Math.floor(Math.log2(largest));
  if (exponent !== 0) {
    const down = 2 ** -exponent;
    for (let i = 0; i < matrix.length; i++) matrix[i] = matrix[i]! * down;
  }

  const tridiagonal = tridiagonalizeSymmetric(matrix, n);
  const { values, blockStarts } = tridiagonalEigenvalues(tridiagonal.diagonal, tridiagonal.offDiagonal);
  const vectors = tridiagonalEigenvectors(
    tridiagonal.diagonal,
    tridiagonal.offDiagonal,
    values.subarray(0, k),
    blockStarts.subarray(0, k),
  );
  applyTridiagonalBasis(tridiagonal, vectors, k);
  for (let q = 0; q < k; q++) flipSign(vectors, q * n, n);

  if (exponent !== 0) {
    const up = 2 ** exponent;
    for (let i = 0; i < n; i++) values[i] = values[i]! * up;
  }
  return { values, vectors, k };
}

function validate(matrix: Float64Array, n: number, k: number): void {
  if (!Number.isInteger(n) || n < 1) {
    throw new FeatureJobError(
      'FJ_INVALID_ARGUMENT',
      `symmetricEigen: the order n must be a whole number ≥ 1, got ${n}`,
    );
  }
  if (!(matrix instanceof Float64Array)) {
    throw new FeatureJobError('FJ_INVALID_ARGUMENT', 'symmetricEigen: the matrix must be a Float64Array');
  }
  if (matrix.length !== n * n) {
    throw new FeatureJobError(
      'FJ_INVALID_ARGUMENT',
      `symmetricEigen: a ${n}×${n} matrix needs ${n * n} entries, got ${matrix.length}`,
    );
  }
  if (!Number.isInteger(k) || k < 0 || k > n) {
    throw new FeatureJobError(
      'FJ_INVALID_ARGUMENT',
      `symmetricEigen: the number of eigenvectors k must be a whole number from 0 to ${n}, got ${k}`,
    );
  }
  for (let i = 0; i < matrix.length; i++) {
    if (!Number.isFinite(matrix[i]!)) {
      const row = Math.floor(i / n);
      throw new FeatureJobError(
        'FJ_INVALID_ARGUMENT',
        `symmetricEigen: entry (${row}, ${i - row * n}) of the matrix is ${matrix[i]}, not a finite number`,
      );
    }
  }
}

/** Makes the first entry of largest magnitude of vectors[offset, offset + n) positive. */
function flipSign(vectors: Float64Array, offset: number, n: number): void {
  let best = 0;
  for (let i = offset; i < offset + n; i++) if (Math.abs(vectors[i]!) > Math.abs(best)) best = vectors[i]!;
  if (best < 0) for (let i = offset; i < offset + n; i++) vectors[i] = -vectors[i]!;
}
