import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitOversizedImages } from '../../../executor/pipeline/split-oversized-images.js';

describe('splitOversizedImages (--max-object-bytes)', () => {
  it('turns images listed larger than the limit into FJ_OBJECT_TOO_LARGE lines and fetches the rest', () => {
    const { fetchable, oversized } = splitOversizedImages(
      [
        { key: 'a.jpg', size: 100 },
        { key: 'b.jpg', size: 101 },
        { key: 'c.jpg', size: 50 },
      ],
      100,
    );
    assert.deepEqual(fetchable, ['a.jpg', 'c.jpg']);
    assert.deepEqual(
      oversized.map((record) => [record.path, record.code]),
      [['b.jpg', 'FJ_OBJECT_TOO_LARGE']],
    );
    assert.match(oversized[0]?.message ?? '', /101 bytes, more than --max-object-bytes 100/);
  });

  it('fetches every image of a plan written before sizes were recorded', () => {
    const { fetchable, oversized } = splitOversizedImages([{ key: 'a.jpg' }, { key: 'b.jpg' }], 1);
    assert.deepEqual(fetchable, ['a.jpg', 'b.jpg']);
    assert.deepEqual(oversized, []);
  });
});
