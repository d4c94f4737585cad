import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isInputInsideOutput } from '../../../crds/is-input-inside-output.js';

const at = (bucket: string, prefix: string) => ({ bucket, prefix });

describe('isInputInsideOutput', () => {
  it('takes a prefix with and without its trailing slash as the same', () => {
    assert.equal(isInputInsideOutput(at('b', 'a'), at('b', 'a/')), true);
    assert.equal(isInputInsideOutput(at('b', 'a/'), at('b', 'a')), true);
  });

  it('finds an input under the output, the whole bucket included', () => {
    assert.equal(isInputInsideOutput(at('b', 'out/photos'), at('b', 'out')), true);
    assert.equal(isInputInsideOutput(at('b', 'photos'), at('b', '')), true);
  });

  it('leaves a sibling with a longer name, an output inside the input and another bucket alone', () => {
    assert.equal(isInputInsideOutput(at('b', 'outputs'), at('b', 'out')), false);
    assert.equal(isInputInsideOutput(at('b', ''), at('b', 'features')), false);
    assert.equal(isInputInsideOutput(at('b', 'a'), at('c', 'a')), false);
  });
});
