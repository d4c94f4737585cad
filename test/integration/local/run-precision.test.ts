/**
 * `featurejob run --precision` end to end with the full-size random VGG16: int8 is chosen by
 * the job's own gate and recorded in the manifest and summary; auto falls back to fp32 when
 * the gate cannot pass; int8 refuses a model that is not our graph before extracting.
 * Few images, few calibration images: each full-size fp32 image costs ~15 GFLOPs.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FileStore } from '../../../executor/storage/file-store.js';
import { testCacheDir } from '../../support/cache-dir.js';
import { assertEachImageOnce, readJobOutput } from '../../support/read-output.js';
import { runCli } from '../../support/run-cli.js';
import { writePlainImages, type Expectation } from '../../support/write-test-images.js';

describe('featurejob run --precision', () => {
  let root: string;
  let input: string;
  let expected: Map<string, Expectation>;
  const common = ['--weights', 'random', '--calibration-images', '4', '--progress', 'none'];

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'fj-precision-'));
    input = join(root, 'images');
    expected = await writePlainImages(input, { count: 12 });
  });
  after(() => rm(root, { recursive: true, force: true }));

  test('int8 passes its gate on the job, runs int8, and records precision and figures in the manifest and summary', async () => {
    const out = join(root, 'int8');
    const result = await runCli(['run', input, '--out', out, '--precision', 'int8', ...common]);
    assert.equal(result.code, 0, result.stderr);
    const output = await readJobOutput(new FileStore({ dir: out }));
    assertEachImageOnce(output, expected);
    const { precision } = output.manifest;
    assert.equal(precision?.requested, 'int8');
    assert.equal(precision?.used, 'int8');
    assert.match(precision?.int8Sha256 ?? '', /^[0-9a-f]{64}$/);
    assert.deepEqual(
      { images: precision?.calibration?.images, method: precision?.calibration?.method },
      { images: 4, method: 'minmax' },
    );
    assert.equal(precision?.gate?.images, 4);
    assert.equal(precision?.gate?.k, 3);
    assert.equal(precision?.gate?.passed, true);
    assert.ok((precision?.gate?.cosineMedian ?? 0) >= 0.999, JSON.stringify(precision?.gate));
    assert.match(precision?.onnxruntime ?? '', /^\d+\.\d+\.\d+/);
    // The manifest's model stays the fp32 weights' identity; the int8 file is named in the block.
    assert.notEqual(output.manifest.model.sha256, precision?.int8Sha256);
    assert.match(result.stdout, /^precision: int8 \(requested int8\); gate passed: median cosine 0\.9\d{4}/m);
    assert.match(result.stderr, /int8 passed the fidelity gate/);
  });

  test('auto runs fp32 and says why when the gate cannot pass', async () => {
    const out = join(root, 'auto');
    // int8 noise keeps every cosine below 1, so this gate cannot pass.
    const result = await runCli([
      'run',
      input,
      '--out',
      out,
      '--precision',
      'auto',
      '--int8-min-cosine',
      '1',
      ...common,
    ]);
    assert.equal(result.code, 0, result.stderr);
    const output = await readJobOutput(new FileStore({ dir: out }));
    assertEachImageOnce(output, expected);
    assert.equal(output.manifest.precision?.used, 'fp32');
    assert.equal(output.manifest.precision?.gate?.passed, false);
    assert.match(output.manifest.precision?.fallback ?? '', /median cosine 0\.\d{5} < 1/);
    assert.match(result.stderr, /warning: --precision auto runs fp32: int8 features do not hold/);
  });

  test('int8 refuses a model that is not our VGG16-fc2 graph with FJ_PRECISION_UNSUPPORTED and extracts nothing', async () => {
    // The int8 model the first test cached (runCli shares one model cache): valid ONNX, another graph.
    const int8Dir = testCacheDir('featurejob-cache', 'models');
    const int8File = (await readdir(int8Dir)).find(
      (name) => name.startsWith('vgg16-fc2-int8-') && name.endsWith('.onnx'),
    );
    assert.ok(int8File !== undefined, `no int8 model in ${int8Dir}`);
    const out = join(root, 'other');
    const result = await runCli([
      'run',
      input,
      '--out',
      out,
      '--precision',
      'int8',
      '--weights',
      join(int8Dir, int8File),
      '--progress',
      'none',
    ]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(
      result.stderr,
      /FJ_PRECISION_UNSUPPORTED: --precision int8 needs the VGG16-fc2 graph featurejob builds/,
    );
    const written: string[] = await readdir(out).catch(() => []);
    assert.ok(!written.includes('features') && !written.includes('manifest.json'), written.join(', '));
  });
});
