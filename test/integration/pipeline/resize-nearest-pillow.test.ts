import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nearestSourceIndices } from '../../../executor/pipeline/resize-nearest.js';
import { runPython } from '../../support/python-venv.js';

// The reference check against Pillow itself, kept apart from the unit tests of
// resize-nearest.ts because it needs the Python venv.
describe('nearestSourceIndices against Pillow', () => {
  it('matches Pillow 13 NEAREST for every source size from 1 to 3000 and several targets', () => {
    const targets = [224, 1, 3, 100, 299, 512];
    // One 1-row mode-I image per size whose pixel values are their own x, resized by Pillow.
    const script = [
      'import json, sys',
      'import numpy as np',
      'from PIL import Image',
      'out = {}',
      'for dst in json.loads(sys.argv[1]):',
      '    for src in range(1, 3001):',
      '        im = Image.fromarray(np.arange(src, dtype=np.int32).reshape(1, src))',
      "        out[f'{src}:{dst}'] = np.asarray(im.resize((dst, 1), Image.NEAREST))[0].tolist()",
      'print(json.dumps(out))',
    ].join('\n');
    const expected = JSON.parse(runPython(script, { args: [JSON.stringify(targets)] })) as Record<string, number[]>;
    let compared = 0;
    for (const dst of targets) {
      for (let src = 1; src <= 3000; src += 1) {
        const key = `${src}:${dst}`;
        assert.deepEqual(Array.from(nearestSourceIndices(src, dst)), expected[key], key);
        compared += 1;
      }
    }
    assert.equal(compared, 18000);
  });
});
