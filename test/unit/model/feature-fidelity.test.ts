import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  computeCosine,
  computeFidelityFigures,
  computeGateFailures,
  computeKnnAgreement,
  computeKnnK,
  computeMedian,
  computeNearestNeighbours,
  computeRowCosines,
  DEFAULT_FIDELITY_THRESHOLDS,
} from '../../../executor/model/feature-fidelity.js';
import { SeededRandom } from '../../../executor/util/seeded-random.js';

const f = (values: number[]) => new Float32Array(values);

function randomRows(n: number, dimensions: number, seed: number): Float32Array {
  const random = new SeededRandom(seed);
  return random.fillNormal(new Float32Array(n * dimensions), 1);
}

describe('computeCosine and computeRowCosines', () => {
  it('is 1 for parallel vectors, 0 for orthogonal ones, -1 for opposite ones', () => {
    assert.ok(Math.abs(computeCosine(f([1, 2, 3]), f([2, 4, 6])) - 1) < 1e-12);
    assert.equal(computeCosine(f([1, 0]), f([0, 5])), 0);
    assert.ok(Math.abs(computeCosine(f([1, 1]), f([-1, -1])) + 1) < 1e-12);
  });

  it('calls two zero vectors the same and a zero vector unlike any other', () => {
    assert.equal(computeCosine(f([0, 0]), f([0, 0])), 1);
    assert.equal(computeCosine(f([0, 0]), f([1, 0])), 0);
  });

  it('compares row i with row i', () => {
    assert.deepEqual(computeRowCosines(f([1, 0, 0, 1]), f([1, 0, 1, 0]), 2), [1, 0]);
    assert.throws(() => computeRowCosines(f([1, 0, 0]), f([1, 0, 0]), 2), RangeError);
  });
});

describe('computeMedian', () => {
  it('takes the middle value, or the mean of the middle two', () => {
    assert.equal(computeMedian([3, 1, 2]), 2);
    assert.equal(computeMedian([4, 1, 3, 2]), 2.5);
    assert.throws(() => computeMedian([]), RangeError);
  });
});

describe('computeNearestNeighbours', () => {
  it('lists the most similar other rows first and breaks ties by the lower index', () => {
    // Row 0 points along x; rows 1 and 2 are equally close to it; row 3 is opposite.
    const rows = f([1, 0, 1, 1, 1, -1, -1, 0]);
    const neighbours = computeNearestNeighbours(rows, 2, 2);
    assert.deepEqual(neighbours[0], [1, 2]);
    assert.deepEqual(neighbours[3], [1, 2]);
    assert.throws(() => computeNearestNeighbours(rows, 2, 4), RangeError);
  });
});

describe('computeKnnAgreement', () => {
  it('is 1 when the candidate is the reference scaled, and the neighbourhoods are unchanged', () => {
    const reference = randomRows(20, 16, 1);
    const scaled = reference.map((v) => v * 3);
    assert.equal(computeKnnAgreement(reference, scaled, 16), 1);
  });

  it('drops when the candidate rows are shuffled against the reference', () => {
    const reference = randomRows(20, 16, 2);
    const other = randomRows(20, 16, 3);
    const agreement = computeKnnAgreement(reference, other, 16);
    assert.ok(agreement < 0.9, `unrelated features agree ${agreement}`);
  });

  it('uses k = 10, or n - 1 with fewer than 11 images', () => {
    assert.equal(computeKnnK(32), 10);
    assert.equal(computeKnnK(11), 10);
    assert.equal(computeKnnK(6), 5);
  });
});

describe('computeFidelityFigures and computeGateFailures', () => {
  it('passes features that only differ by small noise', () => {
    const reference = randomRows(12, 64, 4);
    const random = new SeededRandom(5);
    const noisy = reference.map((v) => v + random.nextFloat() * 1e-3);
    const figures = computeFidelityFigures(reference, noisy, 64);
    assert.equal(figures.images, 12);
    assert.equal(figures.k, 10);
    assert.ok(figures.cosineMin > 0.9999 && figures.cosineMin <= figures.cosineMedian);
    assert.equal(figures.knnAgreement, 1);
    assert.deepEqual(computeGateFailures(figures, DEFAULT_FIDELITY_THRESHOLDS), []);
  });

  it('names each threshold that unrelated features miss', () => {
    const figures = computeFidelityFigures(randomRows(12, 64, 6), randomRows(12, 64, 7), 64);
    const failures = computeGateFailures(figures, DEFAULT_FIDELITY_THRESHOLDS);
    assert.equal(failures.length, 2);
    assert.match(failures[0] as string, /^median cosine -?0\.\d{5} < 0\.999$/);
    assert.match(failures[1] as string, /^kNN@10 agreement 0\.\d{3} < 0\.95$/);
  });

  it('needs at least two images', () => {
    assert.throws(() => computeFidelityFigures(f([1, 2]), f([1, 2]), 2), RangeError);
  });
});
