import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { FileStore } from '../../../executor/storage/file-store.js';
import { assertEachImageOnce, readJobOutput } from '../../support/read-output.js';
import { runCli } from '../../support/run-cli.js';
import { writePlainImages } from '../../support/write-test-images.js';

describe('files a user keeps in the output', () => {
  test('survive a run: clean-up deletes only the names featurejob writes', async () => {
    const root = await mkdtemp(join(tmpdir(), 'fj-user-files-'));
    try {
      const input = join(root, 'images');
      const out = join(root, 'out');
      const expected = await writePlainImages(input, { count: 6 });
      const userFiles = {
        'features/keep.txt': 'mine',
        'features/README.md': '# my notes',
        'features/part-00000.parquet.bak': 'a backup that only looks like ours',
        '_featurejob/errors/notes.txt': 'notes',
        'NOTES.md': 'top level',
      };
      for (const [name, body] of Object.entries(userFiles)) {
        await mkdir(join(out, name, '..'), { recursive: true });
        await writeFile(join(out, name), body);
      }
      // An abandoned attempt of ours (a crashed worker's shard) is still cleaned up.
      await writeFile(join(out, 'features', 'part-00001-astale00000000.parquet'), 'half-written');

      const args = ['run', '--weights', 'random', input, '--out', out, '--partitions', '2', '--progress', 'none'];
      const result = await runCli(args);
      assert.equal(result.code, 0, result.stderr);

      for (const [name, body] of Object.entries(userFiles)) {
        assert.equal(await readFile(join(out, name), 'utf8'), body, `${name} survives`);
      }
      await assert.rejects(readFile(join(out, 'features', 'part-00001-astale00000000.parquet')), { code: 'ENOENT' });
      assertEachImageOnce(await readJobOutput(new FileStore({ dir: out })), expected);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
