import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isFeatureJobError } from '../../../executor/errors.js';
import type { ErrorCode } from '../../../executor/errors.js';
import { buildOnnxModel, OnnxDataType } from '../../../executor/model/onnx-model-builder.js';
import { OnnxModelRunner } from '../../../executor/model/onnx-model-runner.js';
import { buildRandomVgg16Weights } from '../../../executor/model/random-vgg16-weights.js';
import { buildVgg16Onnx } from '../../../executor/model/vgg16-graph.js';

const INFO = { name: 'vgg16', layer: 'fc2', dimensions: 4096, weights: 'test' } as const;
const NARROW = { conv: [2, 4, 4, 8, 8], dense: 16 } as const;

function hasCode(code: ErrorCode, pattern?: RegExp): (error: unknown) => boolean {
  return (error) =>
    isFeatureJobError(error) && error.code === code && (pattern === undefined || pattern.test(error.message));
}

/** A one-node model: Flatten of a channels-first input, i.e. the wrong input layout. */
function channelsFirstModel(): Uint8Array {
  return buildOnnxModel({
    graph: {
      name: 'nchw',
      nodes: [
        {
          name: 'flatten',
          opType: 'Flatten',
          inputs: ['x'],
          outputs: ['fc2'],
          attributes: [{ name: 'axis', kind: 'int', value: 1 }],
        },
      ],
      initializers: [],
      inputs: [{ name: 'x', elemType: OnnxDataType.float, shape: ['N', 3, 224, 224] }],
      outputs: [{ name: 'fc2', elemType: OnnxDataType.float, shape: ['N', 150528] }],
    },
  });
}

describe('OnnxModelRunner', () => {
  let dir = '';
  let narrow: Uint8Array = new Uint8Array();
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fj-runner-'));
    narrow = buildVgg16Onnx(buildRandomVgg16Weights({ widths: NARROW }));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a model whose output is not [N,4096] with FJ_MODEL_INVALID before any image', async () => {
    const path = join(dir, 'narrow.onnx');
    await writeFile(path, narrow);
    await assert.rejects(
      OnnxModelRunner.load({ modelPath: path, info: INFO, threads: 1 }),
      hasCode('FJ_MODEL_INVALID', /output 'fc2' is float32 \[N,16\]; expected float32 \[N,4096\]/),
    );
  });

  it('refuses a channels-first model with FJ_MODEL_INVALID naming the expected input', async () => {
    await assert.rejects(
      OnnxModelRunner.load({ modelBytes: channelsFirstModel(), info: { ...INFO, dimensions: 150528 }, threads: 1 }),
      hasCode('FJ_MODEL_INVALID', /input 'x' is float32 \[N,3,224,224\]; expected float32 \[N,224,224,3\]/),
    );
  });

  it('refuses bytes that are not an ONNX model with FJ_MODEL_INVALID', async () => {
    await assert.rejects(
      OnnxModelRunner.load({
        modelBytes: new TextEncoder().encode('<html>not a model</html>'),
        info: INFO,
        threads: 1,
      }),
      hasCode('FJ_MODEL_INVALID'),
    );
  });

  it('refuses a model file that changed since it was resolved', async () => {
    await assert.rejects(
      OnnxModelRunner.load({
        modelBytes: narrow,
        info: { ...INFO, dimensions: 16, sha256: '0'.repeat(64) },
        threads: 1,
      }),
      hasCode('FJ_MODEL_INVALID', /sha256/),
    );
  });

  it('refuses a missing model file with FJ_MODEL_NOT_FOUND', async () => {
    await assert.rejects(
      OnnxModelRunner.load({ modelPath: join(dir, 'absent.onnx'), info: INFO, threads: 1 }),
      hasCode('FJ_MODEL_NOT_FOUND'),
    );
  });

  it('runs a model whose interface matches and reports the sha256 of its bytes', async () => {
    const runner = await OnnxModelRunner.load({ modelBytes: narrow, info: { ...INFO, dimensions: 16 }, threads: 1 });
    try {
      assert.equal(runner.inputSize, 224);
      assert.equal(runner.info.sha256, createHash('sha256').update(narrow).digest('hex'));
      const batch = new Float32Array(3 * 224 * 224 * 3).fill(10);
      const features = await runner.run(batch, 2); // a longer buffer: only the first 2 images count
      assert.equal(features.length, 2 * 16);
      assert.deepEqual(features.subarray(0, 16), features.subarray(16, 32));
      await assert.rejects(runner.run(batch, 4), hasCode('FJ_INVALID_ARGUMENT'));
    } finally {
      await runner.close();
    }
    await assert.rejects(runner.run(new Float32Array(224 * 224 * 3), 1), hasCode('FJ_INFERENCE_FAILED'));
  });
});
