import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FileStore } from '../../../executor/storage/file-store.js';
import { assertEachImageOnce, readJobOutput } from '../../support/read-output.js';
import { runCli } from '../../support/run-cli.js';
import { writePlainImages, type Expectation } from '../../support/write-test-images.js';

describe('featurejob run with the output inside the input', () => {
  let root: string;
  let input: string;
  let expected: Map<string, Expectation>;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'fj-nested-'));
    input = join(root, 'images');
    expected = await writePlainImages(input, { count: 4 });
  });
  after(() => rm(root, { recursive: true, force: true }));

  test('never lists its own output as input', async () => {
    const out = join(input, 'features');
    // An image already under --out (a user's file, or a picture another tool wrote there).
    await mkdir(out, { recursive: true });
    await copyFile(join(input, 'Apple', 'r0_0.jpg'), join(out, 'stray.jpg'));
    const result = await runCli(['run', '--weights', 'random', input, '--out', out, '--progress', 'none']);
    assert.equal(result.code, 0, result.stderr);
    const output = await readJobOutput(new FileStore({ dir: out }));
    assertEachImageOnce(output, expected);
    assert.deepEqual([output.manifest.input.listed, output.manifest.images.total], [expected.size, expected.size]);
  });

  test('refuses an output equal to the input with FJ_INVALID_ARGUMENT and writes nothing', async () => {
    const result = await runCli(['run', '--weights', 'random', input, '--out', input, '--progress', 'none']);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /FJ_INVALID_ARGUMENT: --out must differ from <input>/);
    assert.equal(existsSync(join(input, '_featurejob')), false);
  });
});
