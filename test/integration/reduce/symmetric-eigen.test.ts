import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { symmetricEigen, type SymmetricEigen } from '../../../executor/reduce/symmetric-eigen.js';
import { SeededRandom } from '../../../executor/util/seeded-random.js';
import { runPython } from '../../support/python-venv.js';

/** numpy.linalg.eigh of each matrix, reordered descending: the independent float64 reference. */
const EIGH_REFERENCE = `
import base64, json, sys
import numpy as np
out = []
for case in json.loads(sys.stdin.read()):
    n = case['n']
    a = np.frombuffer(base64.b64decode(case['matrix']), dtype='<f8').reshape(n, n)
    values, vectors = np.linalg.eigh(a)
    order = np.argsort(values, kind='stable')[::-1]
    out.append({'values': values[order].tolist(), 'vectors': vectors[:, order].T.ravel().tolist()})
print(json.dumps(out))
`;

interface Reference {
  readonly values: number[];
  /** n×n row-major, row i the unit eigenvector of values[i]. */
  readonly vectors: number[];
}

function gaussian(seed: number): () => number {
  const random = new SeededRandom(seed);
  return () => random.nextNormal();
}

function randomSymmetric(n: number, seed: number): Float64Array {
  const next = gaussian(seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const value = next();
      a[i * n + j] = value;
      a[j * n + i] = value;
    }
  }
  return a;
}

/** A random orthogonal matrix (n×n, row-major), by modified Gram-Schmidt, twice, on Gaussian rows. */
function randomOrthogonal(n: number, seed: number): Float64Array {
  const next = gaussian(seed);
  const q = Float64Array.from({ length: n * n }, () => next());
  for (let i = 0; i < n; i++) {
    const row = q.subarray(i * n, (i + 1) * n);
    for (let pass = 0; pass < 2; pass++) {
      for (let p = 0; p < i; p++) {
        const other = q.subarray(p * n, (p + 1) * n);
        const d = dot(row, other);
        for (let c = 0; c < n; c++) row[c] = row[c]! - d * other[c]!;
      }
    }
    const norm = Math.sqrt(dot(row, row));
    for (let c = 0; c < n; c++) row[c] = row[c]! / norm;
  }
  return q;
}

/** Qᵀ diag(λ) Q with the rows of Q as the eigenvectors: row i of Q belongs to spectrum[i]. */
function withSpectrum(q: Float64Array, spectrum: number[]): Float64Array {
  const n = spectrum.length;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let p = 0; p < n; p++) s += q[p * n + i]! * spectrum[p]! * q[p * n + j]!;
      a[i * n + j] = s;
      a[j * n + i] = s;
    }
  }
  return a;
}

/** The covariance (n − 1 denominator) of `rows` random centred rows of `columns` features. */
function covariance(rows: number, columns: number, seed: number): Float64Array {
  const next = gaussian(seed);
  const x = Float64Array.from({ length: rows * columns }, (_, i) => next() * (1 + 3 / (1 + (i % columns))));
  for (let c = 0; c < columns; c++) {
    let mean = 0;
    for (let r = 0; r < rows; r++) mean += x[r * columns + c]!;
    mean /= rows;
    for (let r = 0; r < rows; r++) x[r * columns + c] = x[r * columns + c]! - mean;
  }
  const a = new Float64Array(columns * columns);
  for (let i = 0; i < columns; i++) {
    for (let j = i; j < columns; j++) {
      let s = 0;
      for (let r = 0; r < rows; r++) s += x[r * columns + i]! * x[r * columns + j]!;
      a[i * columns + j] = s / (rows - 1);
      a[j * columns + i] = s / (rows - 1);
    }
  }
  return a;
}

function dot(x: ArrayLike<number>, y: ArrayLike<number>, xOffset = 0, yOffset = 0, length = x.length): number {
  let s = 0;
  for (let i = 0; i < length; i++) s += x[xOffset + i]! * y[yOffset + i]!;
  return s;
}

function vectorOf(eigen: SymmetricEigen, i: number, n: number): Float64Array {
  return eigen.vectors.subarray(i * n, (i + 1) * n);
}

/** Eigenvalues, unit and orthogonal vectors, ‖Av − λv‖ and the sign convention. */
function assertDecomposition(
  a: Float64Array,
  n: number,
  eigen: SymmetricEigen,
  expectedValues: ArrayLike<number>,
): void {
  const scale = Math.max(...Array.from(expectedValues, Math.abs));
  const valueTolerance = Math.max(1e-10 * scale, 1e-12);
  assert.equal(eigen.values.length, n);
  for (let i = 0; i < n; i++) {
    if (i > 0) assert.ok(eigen.values[i]! <= eigen.values[i - 1]!, `values are not descending at ${i}`);
    const error = Math.abs(eigen.values[i]! - expectedValues[i]!);
    assert.ok(error <= valueTolerance, `value ${i}: ${eigen.values[i]} vs ${expectedValues[i]} (error ${error})`);
  }
  const k = eigen.k;
  assert.equal(eigen.vectors.length, k * n);
  const residualBound = 1e-10 * scale;
  for (let i = 0; i < k; i++) {
    const v = vectorOf(eigen, i, n);
    for (let j = 0; j <= i; j++) {
      const product = dot(v, eigen.vectors, 0, j * n, n);
      assert.ok(Math.abs(product - (i === j ? 1 : 0)) <= 1e-12, `vᵀ${i} v${j} = ${product}`);
    }
    let residual = 0;
    for (let r = 0; r < n; r++) residual += (dot(a, v, r * n, 0, n) - eigen.values[i]! * v[r]!) ** 2;
    assert.ok(Math.sqrt(residual) <= residualBound, `‖Av − λv‖ = ${Math.sqrt(residual)} for vector ${i}`);
    // svd_flip(u_based_decision=False): the first entry of largest magnitude is positive.
    let largest = 0;
    for (const value of v) if (Math.abs(value) > Math.abs(largest)) largest = value;
    assert.ok(largest > 0, `vector ${i}'s largest entry is ${largest}`);
  }
}

/**
 * Each vector equals the reference's up to sign where its eigenvalue is separated from all
 * others by more than 10⁻³‖A‖ (elsewhere a vector is not determined that precisely).
 * Returns how many vectors were compared.
 */
function assertVectorsMatch(
  n: number,
  eigen: SymmetricEigen,
  reference: ArrayLike<number>,
  values: ArrayLike<number>,
): number {
  const scale = Math.max(...Array.from(values, Math.abs));
  let compared = 0;
  for (let i = 0; i < eigen.k; i++) {
    let gap = Infinity;
    for (let j = 0; j < n; j++) if (j !== i) gap = Math.min(gap, Math.abs(values[i]! - values[j]!));
    if (gap <= 1e-3 * scale) continue;
    const v = vectorOf(eigen, i, n);
    const sign = dot(v, reference, 0, i * n, n) < 0 ? -1 : 1;
    for (let c = 0; c < n; c++) {
      const error = Math.abs(v[c]! - sign * reference[i * n + c]!);
      assert.ok(error <= 1e-9, `vector ${i} entry ${c}: ${v[c]} vs ${sign * reference[i * n + c]!}`);
    }
    compared++;
  }
  return compared;
}

/** ‖V Vᵀ − U Uᵀ‖_max: the rows of V and of U span the same subspace. */
function projectorDistance(v: ArrayLike<number>, u: ArrayLike<number>, rows: number, n: number): number {
  let worst = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let pv = 0;
      let pu = 0;
      for (let r = 0; r < rows; r++) {
        pv += v[r * n + i]! * v[r * n + j]!;
        pu += u[r * n + i]! * u[r * n + j]!;
      }
      worst = Math.max(worst, Math.abs(pv - pu));
    }
  }
  return worst;
}

interface Case {
  readonly name: string;
  readonly n: number;
  readonly k: number;
  readonly matrix: Float64Array;
}

const knownOrthogonal = randomOrthogonal(40, 11);
// Distinct, well-separated values of both signs, one of them exactly zero.
const knownSpectrum = Array.from({ length: 40 }, (_, i) => 3 - 0.15 * i);
const repeatedOrthogonal = randomOrthogonal(30, 12);
// Multiplicities 5, 3, 2 and 4 (the zeros), then distinct values.
const repeatedSpectrum = [
  ...Array<number>(5).fill(4),
  ...Array<number>(3).fill(1),
  ...Array.from({ length: 16 }, (_, i) => 0.9 - 0.05 * i),
  ...Array<number>(4).fill(0),
  ...Array<number>(2).fill(-2),
];

const cases: Case[] = [
  { name: 'random n = 1', n: 1, k: 1, matrix: randomSymmetric(1, 1) },
  { name: 'random n = 2', n: 2, k: 2, matrix: randomSymmetric(2, 2) },
  { name: 'random n = 3', n: 3, k: 3, matrix: randomSymmetric(3, 3) },
  { name: 'random n = 50', n: 50, k: 50, matrix: randomSymmetric(50, 4) },
  { name: 'random n = 300, all vectors', n: 300, k: 300, matrix: randomSymmetric(300, 5) },
  { name: 'random n = 300, 12 vectors', n: 300, k: 12, matrix: randomSymmetric(300, 5) },
  { name: 'known spectrum n = 40', n: 40, k: 40, matrix: withSpectrum(knownOrthogonal, knownSpectrum) },
  { name: 'covariance of 20 rows × 80 columns (rank 19)', n: 80, k: 80, matrix: covariance(20, 80, 6) },
  { name: 'covariance of 20 rows × 80 columns, 25 vectors', n: 80, k: 25, matrix: covariance(20, 80, 6) },
  { name: 'full-rank covariance of 400 rows × 120 columns', n: 120, k: 30, matrix: covariance(400, 120, 7) },
  { name: 'repeated eigenvalues n = 30', n: 30, k: 30, matrix: withSpectrum(repeatedOrthogonal, repeatedSpectrum) },
];

describe('symmetricEigen', () => {
  const references = new Map<string, Reference>();

  before(() => {
    const input = JSON.stringify(
      cases.map(({ n, matrix }) => ({
        n,
        matrix: Buffer.from(matrix.buffer, matrix.byteOffset, matrix.byteLength).toString('base64'),
      })),
    );
    const output = JSON.parse(runPython(EIGH_REFERENCE, { input })) as Reference[];
    cases.forEach((c, i) => references.set(c.name, output[i]!));
  });

  function solve(c: Case): { eigen: SymmetricEigen; reference: Reference } {
    const eigen = symmetricEigen(c.matrix.slice(), c.n, c.k);
    assert.equal(eigen.k, c.k);
    const reference = references.get(c.name)!;
    assertDecomposition(c.matrix, c.n, eigen, reference.values);
    return { eigen, reference };
  }

  for (const c of cases.filter((c) => c.name.startsWith('random'))) {
    test(`${c.name}: matches numpy.linalg.eigh`, () => {
      const { eigen, reference } = solve(c);
      const compared = assertVectorsMatch(c.n, eigen, reference.vectors, reference.values);
      assert.ok(
        compared >= Math.min(c.k, Math.ceil(c.k / 2)),
        `only ${compared} of ${c.k} vectors had a large enough gap to compare`,
      );
    });
  }

  test('a matrix built as Qᵀ diag(λ) Q has exactly the spectrum λ and the vectors Q', () => {
    const c = cases.find((x) => x.name.startsWith('known'))!;
    const { eigen, reference } = solve(c);
    assertDecomposition(c.matrix, c.n, eigen, knownSpectrum);
    // All gaps are 0.15 ≥ 10⁻³‖A‖, so every vector is compared, with Q and with numpy.
    assert.equal(assertVectorsMatch(c.n, eigen, knownOrthogonal, knownSpectrum), c.n);
    assert.equal(assertVectorsMatch(c.n, eigen, reference.vectors, reference.values), c.n);
  });

  test('a rank-deficient covariance (fewer rows than columns) has orthonormal vectors for its zero eigenvalues', () => {
    for (const c of cases.filter((x) => x.name.includes('20 rows'))) {
      const { eigen, reference } = solve(c);
      // Rank 19: 61 eigenvalues are zero up to rounding.
      const largest = eigen.values[0]!;
      assert.ok(eigen.values[18]! > 1e-3 * largest);
      for (let i = 19; i < c.n; i++)
        assert.ok(Math.abs(eigen.values[i]!) <= 1e-13 * largest, `value ${i} = ${eigen.values[i]}`);
      assert.ok(assertVectorsMatch(c.n, eigen, reference.vectors, reference.values) >= 10);
    }
  });

  test('a full-rank covariance matches numpy', () => {
    const c = cases.find((x) => x.name.startsWith('full-rank'))!;
    const { eigen, reference } = solve(c);
    assert.ok(assertVectorsMatch(c.n, eigen, reference.vectors, reference.values) >= 10);
  });

  test('repeated eigenvalues get orthonormal vectors spanning the right eigenspaces', () => {
    const c = cases.find((x) => x.name.startsWith('repeated'))!;
    const { eigen, reference } = solve(c);
    assertDecomposition(c.matrix, c.n, eigen, repeatedSpectrum);
    const n = c.n;
    // Compare eigenspaces, not vectors: within a multiple eigenvalue any orthonormal basis is right.
    for (let start = 0; start < n; ) {
      let end = start + 1;
      while (end < n && repeatedSpectrum[end] === repeatedSpectrum[start]) end++;
      const ours = eigen.vectors.subarray(start * n, end * n);
      const fromQ = repeatedOrthogonal.subarray(start * n, end * n);
      const fromNumpy = reference.vectors.slice(start * n, end * n);
      assert.ok(
        projectorDistance(ours, fromQ, end - start, n) <= 1e-9,
        `eigenspace of ${repeatedSpectrum[start]} differs from Q's`,
      );
      assert.ok(
        projectorDistance(ours, fromNumpy, end - start, n) <= 1e-9,
        `eigenspace of ${repeatedSpectrum[start]} differs from numpy's`,
      );
      start = end;
    }
  });

  test('exactly repeated eigenvalues: a multiple of the identity and a diagonal matrix', () => {
    const n = 7;
    const identity = new Float64Array(n * n);
    for (let i = 0; i < n; i++) identity[i * n + i] = 3;
    const eigen = symmetricEigen(identity.slice(), n, n);
    assertDecomposition(identity, n, eigen, Array<number>(n).fill(3));

    const diagonal = new Float64Array(n * n);
    const entries = [2, -1, 2, 0, 5, 2, -1];
    entries.forEach((value, i) => (diagonal[i * n + i] = value));
    const sorted = [...entries].sort((x, y) => y - x);
    assertDecomposition(diagonal, n, symmetricEigen(diagonal.slice(), n, n), sorted);
  });

  test('a zero matrix has zero eigenvalues and an orthonormal basis', () => {
    for (const n of [1, 2, 6]) {
      const zero = new Float64Array(n * n);
      const eigen = symmetricEigen(zero.slice(), n, n);
      assert.deepEqual(Array.from(eigen.values), Array<number>(n).fill(0));
      assertDecomposition(zero, n, eigen, Array<number>(n).fill(0));
    }
  });

  test('n = 2 by hand, with the sign convention of svd_flip', () => {
    const eigen = symmetricEigen(Float64Array.of(2, 1, 1, 2), 2, 2);
    assert.ok(Math.abs(eigen.values[0]! - 3) <= 1e-15 && Math.abs(eigen.values[1]! - 1) <= 1e-15);
    const h = Math.SQRT1_2;
    // λ = 1: (1, −1)/√2, whose first entry of largest magnitude is made positive.
    const expected = [h, h, h, -h];
    eigen.vectors.forEach((value, i) => assert.ok(Math.abs(value - expected[i]!) <= 1e-15, `${i}: ${value}`));
    const one = symmetricEigen(Float64Array.of(-2.5), 1, 1);
    assert.deepEqual([...one.values, ...one.vectors], [-2.5, 1]);
  });

  test('k = 0 gives every eigenvalue and no vectors', () => {
    const c = cases.find((x) => x.name === 'random n = 50')!;
    const eigen = symmetricEigen(c.matrix.slice(), c.n, 0);
    assert.equal(eigen.vectors.length, 0);
    assertDecomposition(c.matrix, c.n, eigen, references.get(c.name)!.values);
  });

  test('huge and tiny matrices are scaled, not overflowed or flushed to zero', () => {
    const c = cases.find((x) => x.name === 'random n = 50')!;
    const base = symmetricEigen(c.matrix.slice(), c.n, 5);
    for (const factor of [2 ** 900, 2 ** -1000, 1e300, 1e-300]) {
      const scaled = c.matrix.map((value) => value * factor);
      const eigen = symmetricEigen(scaled, c.n, 5);
      for (let i = 0; i < c.n; i++) {
        const expected = base.values[i]! * factor;
        assert.ok(
          Math.abs(eigen.values[i]! - expected) <= 1e-12 * Math.abs(base.values[0]! * factor),
          `${factor}: value ${i}`,
        );
      }
      eigen.vectors.forEach((value, i) =>
        assert.ok(Math.abs(value - base.vectors[i]!) <= 1e-12, `${factor}: vector entry ${i}`),
      );
    }
  });

  test('invalid arguments are refused with FJ_INVALID_ARGUMENT', () => {
    const invalid = { code: 'FJ_INVALID_ARGUMENT' };
    const m = randomSymmetric(3, 9);
    assert.throws(() => symmetricEigen(new Float64Array(0), 0, 0), invalid);
    assert.throws(() => symmetricEigen(m.slice(), 1.5, 1), invalid);
    assert.throws(() => symmetricEigen(m.slice(), 2, 1), invalid);
    assert.throws(() => symmetricEigen(m.slice(0, 8), 3, 1), invalid);
    assert.throws(() => symmetricEigen(m.slice(), 3, -1), invalid);
    assert.throws(() => symmetricEigen(m.slice(), 3, 4), invalid);
    assert.throws(() => symmetricEigen(m.slice(), 3, 0.5), invalid);
    assert.throws(() => symmetricEigen(Float32Array.from(m) as unknown as Float64Array, 3, 1), invalid);
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      const copy = m.slice();
      copy[7] = bad;
      assert.throws(() => symmetricEigen(copy, 3, 1), { code: 'FJ_INVALID_ARGUMENT', message: /entry \(2, 1\)/ });
    }
  });
});
