import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { FileStore } from '../../../executor/storage/file-store.js';
import { assertEachImageOnce, readJobOutput } from '../../support/read-output.js';
import { runCli } from '../../support/run-cli.js';
import { writePlainImages } from '../../support/write-test-images.js';

test('--max-object-bytes: images listed larger than the limit are FJ_OBJECT_TOO_LARGE lines, the rest rows', async () => {
  const root = await mkdtemp(join(tmpdir(), 'fj-max-object-'));
  try {
    const input = join(root, 'images');
    const expected = await writePlainImages(input, { count: 8 });
    const sizes = await Promise.all([...expected.keys()].map(async (key) => (await stat(join(input, key))).size));
    const limit = [...sizes].sort((a, b) => a - b)[3] as number;
    for (const [position, key] of [...expected.keys()].entries()) {
      if ((sizes[position] as number) > limit) expected.set(key, 'FJ_OBJECT_TOO_LARGE');
    }
    assert.ok([...expected.values()].includes('FJ_OBJECT_TOO_LARGE') && [...expected.values()].includes('row'));
    const out = join(root, 'out');
    const result = await runCli([
      'run',
      '--weights',
      'random',
      input,
      '--out',
      out,
      '--max-object-bytes',
      String(limit),
      '--progress',
      'none',
    ]);
    assert.equal(result.code, 0, result.stderr);
    assertEachImageOnce(await readJobOutput(new FileStore({ dir: out })), expected);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
