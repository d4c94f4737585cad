/**
 * Times the exact PCA eigensolver on a random covariance: tridiagonalization, all eigenvalues,
 * the k leading eigenvectors (inverse iteration plus back-transformation) and peak RSS.
 *
 *   node dist/test/bench/eigen-bench.js [--n 4096] [--k 100] [--rows 512] [--check]
 *
 * The covariance is C = XᵀX / (rows − 1) of `rows` random centred rows whose column scales decay
 * like real features' do, so with rows < n it is rank-deficient, as PCA on few images is.
 * --check keeps a copy of C (n² more memory, counted in the peak RSS) to print the largest
 * residual ‖Cv − λv‖ / ‖C‖ and the loss of orthogonality of the vectors.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { tridiagonalEigenvalues } from '../../executor/reduce/tridiagonal-eigenvalues.js';
import { tridiagonalEigenvectors } from '../../executor/reduce/tridiagonal-eigenvectors.js';
import { applyTridiagonalBasis, tridiagonalizeSymmetric } from '../../executor/reduce/tridiagonalize-symmetric.js';
import { symmetricEigen } from '../../executor/reduce/symmetric-eigen.js';
import { SeededRandom } from '../../executor/util/seeded-random.js';

const { values: args } = parseArgs({
  options: {
    n: { type: 'string', default: '4096' },
    k: { type: 'string', default: '100' },
    rows: { type: 'string', default: '512' },
    check: { type: 'boolean', default: false },
  },
});
const n = Number(args.n);
const k = Math.min(n, Number(args.k));
const rows = Number(args.rows);

function gaussian(seed: number): () => number {
  const random = new SeededRandom(seed);
  return () => random.nextNormal();
}

function randomCovariance(): Float64Array {
  const next = gaussian(42);
  const x = new Float64Array(rows * n);
  const columnScale = Float64Array.from({ length: n }, (_, c) => 1 / Math.sqrt(1 + c / 8));
  for (let r = 0; r < rows; r++) for (let c = 0; c < n; c++) x[r * n + c] = next() * columnScale[c]!;
  for (let c = 0; c < n; c++) {
    let mean = 0;
    for (let r = 0; r < rows; r++) mean += x[r * n + c]!;
    mean /= rows;
    for (let r = 0; r < rows; r++) x[r * n + c] = x[r * n + c]! - mean;
  }
  // Upper triangle row by row (contiguous), mirrored at the end.
  const cov = new Float64Array(n * n);
  for (let r = 0; r < rows; r++) {
    const row = r * n;
    for (let i = 0; i < n; i++) {
      const xi = x[row + i]!;
      if (xi === 0) continue;
      const base = i * n;
      for (let j = i; j < n; j++) cov[base + j] = cov[base + j]! + xi * x[row + j]!;
    }
  }
  const scale = 1 / Math.max(1, rows - 1);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const value = cov[i * n + j]! * scale;
      cov[i * n + j] = value;
      cov[j * n + i] = value;
    }
  }
  return cov;
}

const seconds = (from: number): string => ((performance.now() - from) / 1000).toFixed(2);

let started = performance.now();
const covariance = randomCovariance();
console.log(`n=${n} k=${k} rows=${rows}: random covariance built in ${seconds(started)} s`);
const original = args.check ? covariance.slice() : undefined;

// The same stages symmetricEigen runs, timed one by one.
started = performance.now();
const tridiagonal = tridiagonalizeSymmetric(covariance, n);
console.log(`tridiagonalization: ${seconds(started)} s`);
started = performance.now();
const spectrum = tridiagonalEigenvalues(tridiagonal.diagonal, tridiagonal.offDiagonal);
console.log(`eigenvalues (all ${n}): ${seconds(started)} s`);
started = performance.now();
const vectors = tridiagonalEigenvectors(
  tridiagonal.diagonal,
  tridiagonal.offDiagonal,
  spectrum.values.subarray(0, k),
  spectrum.blockStarts.subarray(0, k),
);
console.log(`eigenvectors of T (inverse iteration, ${k}): ${seconds(started)} s`);
started = performance.now();
applyTridiagonalBasis(tridiagonal, vectors, k);
console.log(`back-transformation (${k}): ${seconds(started)} s`);
console.log(`largest eigenvalues: ${Array.from(spectrum.values.subarray(0, 5), (v) => v.toPrecision(8)).join(', ')}`);

if (original !== undefined) {
  // Through the public entry point too, so the check covers its scaling and sign handling.
  started = performance.now();
  const eigen = symmetricEigen(original.slice(), n, k);
  console.log(`symmetricEigen end to end: ${seconds(started)} s`);
  let norm = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += Math.abs(original[i * n + j]!);
    norm = Math.max(norm, s);
  }
  let residual = 0;
  let orthogonality = 0;
  const product = new Float64Array(n);
  for (let q = 0; q < k; q++) {
    const v = eigen.vectors.subarray(q * n, (q + 1) * n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += original[i * n + j]! * v[j]!;
      product[i] = s;
    }
    let r = 0;
    for (let i = 0; i < n; i++) r += (product[i]! - eigen.values[q]! * v[i]!) ** 2;
    residual = Math.max(residual, Math.sqrt(r) / norm);
    for (let p = 0; p <= q; p++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += eigen.vectors[p * n + i]! * v[i]!;
      orthogonality = Math.max(orthogonality, Math.abs(dot - (p === q ? 1 : 0)));
    }
  }
  console.log(
    `check: max ‖Cv − λv‖/‖C‖₁ = ${residual.toExponential(2)}, max |VVᵀ − I| = ${orthogonality.toExponential(2)}`,
  );
}
console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
