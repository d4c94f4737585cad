import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { exportVgg16TfjsLayersModel } from '../../../executor/model/export-vgg16-tfjs.js';
import { buildRandomVgg16Weights } from '../../../executor/model/random-vgg16-weights.js';
import { FileStore } from '../../../executor/storage/file-store.js';
import { assertEachImageOnce, readJobOutput } from '../../support/read-output.js';
import { runCli } from '../../support/run-cli.js';
import { maxRelativeError } from '../../support/vector-metrics.js';
import { writePlainImages } from '../../support/write-test-images.js';

describe('featurejob run with a TensorFlow.js model', () => {
  let root: string;
  let modelDir: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'fj-tfjs-run-'));
    modelDir = join(root, 'vgg16-tfjs');
    // The same He-normal weights (seed 0) that `--weights random` builds as ONNX.
    await exportVgg16TfjsLayersModel(buildRandomVgg16Weights({ seed: 0 }), modelDir);
    await writePlainImages(join(root, 'images'), { count: 3 });
  });
  after(() => rm(root, { recursive: true, force: true }));

  test('runs the same pipeline on the tfjs engine and matches the ONNX engine within 1e-4', async () => {
    const input = join(root, 'images');
    const viaTfjs = await runCli([
      'run',
      input,
      '--out',
      join(root, 'out-tfjs'),
      '--weights',
      modelDir,
      '--progress',
      'none',
    ]);
    assert.equal(viaTfjs.code, 0, viaTfjs.stderr);
    const viaOnnx = await runCli([
      'run',
      input,
      '--out',
      join(root, 'out-onnx'),
      '--weights',
      'random',
      '--progress',
      'none',
    ]);
    assert.equal(viaOnnx.code, 0, viaOnnx.stderr);
    const tfjs = await readJobOutput(new FileStore({ dir: join(root, 'out-tfjs') }));
    const onnx = await readJobOutput(new FileStore({ dir: join(root, 'out-onnx') }));
    assertEachImageOnce(tfjs, new Map([...onnx.rows.keys()].map((path) => [path, 'row'])));
    assert.equal(tfjs.manifest.model.weights, modelDir);
    assert.match(tfjs.manifest.model.sha256, /^[0-9a-f]{64}$/);
    for (const [path, row] of onnx.rows) {
      const error = maxRelativeError(tfjs.rows.get(path)?.features ?? new Float32Array(), row.features);
      assert.ok(error <= 1e-4, `${path}: max relative error ${error}`);
    }
  });
});
