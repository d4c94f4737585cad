import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isFeatureJobError } from '../../../executor/errors.js';
import { convertKerasH5ToOnnx } from '../../../executor/model/convert-keras-h5.js';
import { readKerasVgg16Weights } from '../../../executor/model/keras-h5-weights.js';
import { buildRandomVgg16Weights } from '../../../executor/model/random-vgg16-weights.js';
import type { Vgg16Weights } from '../../../executor/model/vgg16-graph.js';
import { writeKerasVgg16H5 } from '../../support/write-keras-h5.js';
import type { WriteKerasVgg16H5Options } from '../../support/write-keras-h5.js';

const NARROW = { conv: [2, 4, 4, 8, 8], dense: 16 } as const;

/** Asserts FJ_WEIGHTS_INVALID whose message contains every one of `parts`. */
function weightsInvalid(...parts: string[]): (error: unknown) => boolean {
  return (error) => {
    assert.ok(isFeatureJobError(error), `expected a FeatureJobError, got ${String(error)}`);
    assert.equal(error.code, 'FJ_WEIGHTS_INVALID');
    assert.equal(error.kind, 'terminal');
    for (const part of parts) assert.ok(error.message.includes(part), `"${error.message}" lacks "${part}"`);
    return true;
  };
}

function assertSameWeights(actual: Vgg16Weights, expected: Vgg16Weights): void {
  assert.deepEqual(actual.widths, expected.widths);
  assert.deepEqual(Object.keys(actual.layers).sort(), Object.keys(expected.layers).sort());
  for (const [name, layer] of Object.entries(expected.layers)) {
    assert.deepEqual(actual.layers[name]?.kernel, layer.kernel, `${name} kernel`);
    assert.deepEqual(actual.layers[name]?.bias, layer.bias, `${name} bias`);
  }
}

describe('readKerasVgg16Weights', () => {
  let dir = '';
  let fileIndex = 0;
  const weights = buildRandomVgg16Weights({ seed: 7, widths: NARROW });
  // Non-zero biases, so a kernel/bias mix-up cannot pass unnoticed.
  for (const layer of Object.values(weights.layers)) layer.bias.forEach((_, i, bias) => (bias[i] = 0.25 - i / 64));

  async function writeNarrow(options: WriteKerasVgg16H5Options): Promise<{ path: string; bytes: Uint8Array }> {
    fileIndex += 1;
    const path = join(dir, `vgg16-${fileIndex}.h5`);
    await writeKerasVgg16H5(path, weights, options);
    return { path, bytes: await readFile(path) };
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fj-keras-h5-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads back exactly the weights written in the Keras 2 layout', async () => {
    const { bytes } = await writeNarrow({ style: 'keras2' });
    assertSameWeights(await readKerasVgg16Weights(bytes, { widths: 'infer' }), weights);
  });

  it('reads the 2016 official layout and ignores its predictions layer', async () => {
    const { bytes } = await writeNarrow({ style: 'official2016', includePredictions: true });
    const read = await readKerasVgg16Weights(bytes, { widths: NARROW });
    assertSameWeights(read, weights);
    assert.equal(read.layers.predictions, undefined);
  });

  it('accepts layer_names that list only the layers with weights', async () => {
    const { bytes } = await writeNarrow({ style: 'keras2', listWeightlessLayers: false });
    assertSameWeights(await readKerasVgg16Weights(bytes, { widths: 'infer' }), weights);
  });

  it('rounds float64 datasets to float32', async () => {
    const { bytes } = await writeNarrow({ style: 'keras2', dtype: 'float64' });
    assertSameWeights(await readKerasVgg16Weights(bytes, { widths: 'infer' }), weights);
  });

  it('expects the full VGG16 widths unless told otherwise', async () => {
    const { bytes } = await writeNarrow({ style: 'keras2' });
    await assert.rejects(
      readKerasVgg16Weights(bytes, { source: 'narrow.h5' }),
      weightsInvalid('narrow.h5', 'block1_conv1 kernel has shape [3,3,3,2], expected [3,3,3,64]'),
    );
  });

  it('refuses a truncated file, naming it', async () => {
    const { bytes } = await writeNarrow({ style: 'keras2' });
    await assert.rejects(
      readKerasVgg16Weights(bytes.subarray(0, Math.floor(bytes.length / 2)), { source: 'half.h5' }),
      weightsInvalid('half.h5', 'truncated or corrupt'),
    );
  });

  it('refuses random bytes and a text file as not HDF5', async () => {
    const random = new Uint8Array(4096).map((_, i) => (i * 2654435761) >>> 24);
    await assert.rejects(
      readKerasVgg16Weights(random, { source: 'noise.bin' }),
      weightsInvalid('noise.bin', 'not an HDF5 file'),
    );
    const text = new TextEncoder().encode('<html><body>404 Not Found</body></html>\n');
    await assert.rejects(
      readKerasVgg16Weights(text, { source: 'page.html' }),
      weightsInvalid('page.html', 'not an HDF5 file'),
    );
    await assert.rejects(readKerasVgg16Weights(new Uint8Array(0), { source: 'empty.h5' }), weightsInvalid('empty.h5'));
  });

  it('names a VGG16 layer missing from the file', async () => {
    const { bytes } = await writeNarrow({ style: 'keras2', omitLayer: 'block3_conv2' });
    await assert.rejects(
      readKerasVgg16Weights(bytes, { source: 'holey.h5', widths: 'infer' }),
      weightsInvalid('holey.h5', 'layer block3_conv2 missing'),
    );
  });

  it('names the misshaped layer with its shape and the expected one', async () => {
    const fc1 = await writeNarrow({ style: 'official2016', misshape: 'fc1' });
    await assert.rejects(
      readKerasVgg16Weights(fc1.bytes, { source: 'bad-fc1.h5', widths: 'infer' }),
      weightsInvalid('bad-fc1.h5', 'fc1 kernel has shape [392,17], expected [392,16]'),
    );
    const conv = await writeNarrow({ style: 'keras2', misshape: 'block2_conv2' });
    await assert.rejects(
      readKerasVgg16Weights(conv.bytes, { source: 'bad-conv.h5', widths: NARROW }),
      weightsInvalid('block2_conv2 kernel has shape [3,3,4,5], expected [3,3,4,4]'),
    );
  });

  it('leaves the caller a usable buffer and can read the same bytes again', async () => {
    const bytes = Uint8Array.from((await writeNarrow({ style: 'keras2' })).bytes);
    const copy = Uint8Array.from(bytes);
    await readKerasVgg16Weights(bytes, { widths: 'infer' });
    assert.deepEqual(bytes, copy);
    assertSameWeights(await readKerasVgg16Weights(bytes, { widths: 'infer' }), weights);
  });
});

describe('convertKerasH5ToOnnx', () => {
  it('refuses a narrow file before building anything', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fj-keras-h5-'));
    try {
      const path = join(dir, 'narrow.h5');
      await writeKerasVgg16H5(path, buildRandomVgg16Weights({ seed: 1, widths: NARROW }), { style: 'keras2' });
      await assert.rejects(
        convertKerasH5ToOnnx(await readFile(path), { source: path }),
        weightsInvalid(path, 'expected [3,3,3,64]'),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
