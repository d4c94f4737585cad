/**
 * A full-size (553 MB) Keras VGG16 weights file, written in the official file's layout from
 * seeded random weights, converted to ONNX. The conversion runs once, in a child process,
 * so its time and peak RSS are its own; they are reported as diagnostics, never asserted.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { buildRandomVgg16Weights } from '../../../executor/model/random-vgg16-weights.js';
import { buildVgg16Onnx } from '../../../executor/model/vgg16-graph.js';
import { writeKerasVgg16H5 } from '../../support/write-keras-h5.js';

const run = promisify(execFile);
const converter = new URL('../../../executor/model/convert-keras-h5.js', import.meta.url).href;

// Reads the file, converts it and prints what the parent compares and reports.
const CHILD = `
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { convertKerasH5ToOnnx } from ${JSON.stringify(converter)};
const path = process.argv[1];
const bytes = await readFile(path);
const rssBeforeMb = process.memoryUsage().rss / 2 ** 20;
const started = performance.now();
const onnx = await convertKerasH5ToOnnx(bytes, { source: path });
const seconds = (performance.now() - started) / 1000;
const maxRssMb = process.resourceUsage().maxRSS / 1024;
const sha256 = createHash('sha256').update(onnx).digest('hex');
console.log(JSON.stringify({ sha256, length: onnx.length, seconds, rssBeforeMb, maxRssMb }));
`;

interface ChildReport {
  readonly sha256: string;
  readonly length: number;
  readonly seconds: number;
  readonly rssBeforeMb: number;
  readonly maxRssMb: number;
}

describe('convertKerasH5ToOnnx on a full-size VGG16 weights file', () => {
  let dir = '';
  let h5Path = '';
  let expected = { sha256: '', length: 0 };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fj-keras-h5-full-'));
    h5Path = join(dir, 'vgg16_weights_tf_dim_ordering_tf_kernels.h5');
    const weights = buildRandomVgg16Weights({ seed: 1 });
    await writeKerasVgg16H5(h5Path, weights, { style: 'official2016', includePredictions: true });
    const direct = buildVgg16Onnx(weights);
    expected = { sha256: createHash('sha256').update(direct).digest('hex'), length: direct.length };
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('gives exactly the ONNX model built directly from the same weights', async (t) => {
    const { size } = await stat(h5Path);
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', CHILD, h5Path], {
      maxBuffer: 1024 * 1024,
    });
    const report = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as ChildReport;
    assert.equal(report.length, expected.length);
    assert.equal(report.sha256, expected.sha256);
    t.diagnostic(
      `h5 ${(size / 2 ** 20).toFixed(0)} MiB -> onnx ${(report.length / 2 ** 20).toFixed(0)} MiB in ` +
        `${report.seconds.toFixed(1)} s; RSS ${report.rssBeforeMb.toFixed(0)} MiB with the h5 read, ` +
        `peak ${report.maxRssMb.toFixed(0)} MiB`,
    );
  });
});
