import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isFeatureJobError } from '../../../executor/errors.js';
import { buildFeatureRows, labelOf } from '../../../executor/output/feature-rows.js';

describe('feature rows', () => {
  it('labels an image with the first segment of its relative path', () => {
    assert.equal(labelOf('Plum 5/r0_12.jpg'), 'Plum 5');
    assert.equal(labelOf('fruit/plum/r0_12.jpg'), 'fruit');
  });

  it('labels an image directly under the input prefix with the empty string', () => {
    assert.equal(labelOf('r0_12.jpg'), '');
  });

  it('derives labels when building rows', () => {
    const rows = buildFeatureRows({ paths: ['a/1.jpg', '2.jpg'], features: new Float32Array(4), dimensions: 2 });
    assert.deepEqual(rows.labels, ['a', '']);
  });

  it('refuses features that are not rows × dimensions long', () => {
    assert.throws(
      () => buildFeatureRows({ paths: ['a/1.jpg'], features: new Float32Array(3), dimensions: 2 }),
      (error) => isFeatureJobError(error) && error.code === 'FJ_INVALID_ARGUMENT',
    );
  });
});
