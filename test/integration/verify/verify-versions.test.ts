import assert from 'node:assert/strict';
import { appendFile, copyFile, cp, mkdtemp, readdir, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../../support/run-cli.js';
import { writePlainImages } from '../../support/write-test-images.js';

const LOG = join('features', '_delta_log');
const V0_COMMIT = join(LOG, '00000000000000000000.json');
const V1_COMMIT = join(LOG, '00000000000000000001.json');
const V1_INDEX = join('_featurejob', 'versions', '1', 'images', 'part-00000.jsonl');

/** The actions of one Delta commit file, one object per line. */
async function readCommit(out: string, commit: string): Promise<Array<Record<string, { path: string }>>> {
  const text = await readFile(join(out, commit), 'utf8');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, { path: string }>);
}

const pathsOf = (actions: Array<Record<string, { path: string }>>, kind: 'add' | 'remove'): string[] =>
  actions.flatMap((action) => (action[kind] === undefined ? [] : [action[kind].path]));

/**
 * `featurejob verify` on an output that two real `featurejob run`s made into a table of two
 * versions (images added, replaced, removed and one bad), then on copies broken the ways a
 * user or a faulty writer could break a table: each must exit 1 and name what is wrong.
 */
describe('featurejob verify on a table with two versions', () => {
  let root: string;
  let pristine: string;
  let removedByV1: string;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'fj-verify-versions-'));
    const input = join(root, 'images');
    await writePlainImages(input, { count: 8, labels: ['Apple', 'Plum'] });
    await writeFile(join(input, 'Apple', 'empty.jpg'), '');
    pristine = join(root, 'out');
    const run = (): ReturnType<typeof runCli> =>
      runCli([
        'run',
        '--weights',
        'random',
        input,
        '--out',
        pristine,
        '--images-per-partition',
        '3',
        '--progress',
        'none',
      ]);
    const first = await run();
    assert.equal(first.code, 0, first.stderr);

    // Version 1: one image gone, one replaced by other bytes, two new (one of them not an image).
    const more = join(root, 'more');
    await writePlainImages(more, { count: 11, labels: ['Apple'] });
    await unlink(join(input, 'Apple', 'r0_0.jpg'));
    await copyFile(join(more, 'Apple', 'r0_10.jpg'), join(input, 'Plum', 'r0_1.jpg'));
    await copyFile(join(more, 'Apple', 'r0_9.jpg'), join(input, 'Apple', 'new.jpg'));
    await writeFile(join(input, 'Plum', 'bad.jpg'), 'not a jpeg');
    const second = await run();
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /table: version 1 at .*: 2 new, 1 changed, 1 removed/);

    // A file version 1 took out of the table stays for time travel.
    const removed = pathsOf(await readCommit(pristine, V1_COMMIT), 'remove');
    assert.ok(removed.length > 0, 'version 1 removes a file of version 0');
    removedByV1 = removed[0] as string;
    await stat(join(pristine, 'features', removedByV1));
    await writeFile(join(pristine, 'features', 'keep.txt'), 'mine');
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  let copies = 0;
  async function brokenCopy(breakIt: (out: string) => Promise<void>): Promise<string> {
    copies += 1;
    const out = join(root, `copy-${copies}`);
    await cp(pristine, out, { recursive: true });
    await breakIt(out);
    return out;
  }

  test("accepts both versions: version 1's run against its own plan, the table at version 1, old files kept", async () => {
    const result = await runCli(['verify', pristine]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    // 9 images of version 0 - 1 removed + 1 new + 1 bad: 8 rows, empty.jpg and bad.jpg failed.
    assert.match(
      result.stdout,
      /table version 1: 8 rows, 2 failed, \d+ files; its run: 3 images \(2 rows, 1 error lines\)/,
    );
    assert.match(result.stdout, /: OK\n$/);
    const json = JSON.parse((await runCli(['verify', pristine, '--json'])).stdout) as {
      ok: boolean;
      table: { version: number; rows: number; failed: number };
      problems: unknown[];
    };
    assert.deepEqual(
      [json.ok, json.table.version, json.table.rows, json.table.failed, json.problems],
      [true, 1, 8, 2, []],
    );
  });

  test('names a current data file that is gone', async () => {
    const current = pathsOf(await readCommit(pristine, V1_COMMIT), 'add')[0] as string;
    const out = await brokenCopy((dir) => unlink(join(dir, 'features', current)));
    const result = await runCli(['verify', out]);
    assert.equal(result.code, 1, result.stdout);
    assert.match(
      result.stdout,
      new RegExp(
        `table-file: .*features/${current} is a current data file of version 1 \\(the log adds it\\) but does not exist`,
      ),
    );
  });

  test('names a row the image index lost, and the count it no longer matches', async () => {
    const lines = (await readFile(join(pristine, V1_INDEX), 'utf8')).split('\n').filter((line) => line !== '');
    const dropped = lines.find((line) => 'file' in (JSON.parse(line) as object)) as string;
    const { path } = JSON.parse(dropped) as { path: string };
    const out = await brokenCopy((dir) =>
      writeFile(join(dir, V1_INDEX), `${lines.filter((line) => line !== dropped).join('\n')}\n`),
    );
    const result = await runCli(['verify', out]);
    assert.equal(result.code, 1, result.stdout);
    assert.ok(
      result.stdout.includes(`holds a row for ${path}, which is not in the image index of version 1`),
      result.stdout,
    );
    assert.match(result.stdout, /counts: the image index of version 1 holds 7 rows, the manifest's table says 8/);
  });

  test('names a file an extra add action makes current, whose rows the table already holds', async () => {
    const add = (await readCommit(pristine, V0_COMMIT)).find((action) => action.add?.path === removedByV1);
    assert.ok(add !== undefined);
    const out = await brokenCopy((dir) => appendFile(join(dir, V1_COMMIT), `${JSON.stringify(add)}\n`));
    const result = await runCli(['verify', out]);
    assert.equal(result.code, 1, result.stdout);
    assert.ok(
      result.stdout.includes(`image-index: ${join(out, 'features', removedByV1)} is a current data file, but no entry`),
      result.stdout,
    );
    assert.match(result.stdout, /image-duplicated: .* is 2 rows of the table/);
    assert.match(
      result.stdout,
      /counts: version 1 of the table has (\d+) current data files, the manifest's table says/,
    );
  });

  test("checks version 1's run against version 1's plan and run errors", async () => {
    const out = await brokenCopy((dir) => writeFile(join(dir, '_featurejob', 'versions', '1', 'run-errors.jsonl'), ''));
    const result = await runCli(['verify', out]);
    assert.equal(result.code, 1, result.stdout);
    assert.match(result.stdout, /counts: FJ_IMAGE_UNRECOGNIZED: 0 error lines, the manifest says 1/);
    assert.match(
      result.stdout,
      /image-missing: Plum\/bad\.jpg is planned but is neither a feature row nor an error line/,
    );
    assert.doesNotMatch(result.stdout, /image-missing: Apple\/r0_2/, 'an image version 1 did not plan is not missing');
  });

  test("names the table's errors when they lose a line", async () => {
    const out = await brokenCopy((dir) => writeFile(join(dir, '_featurejob', 'versions', '1', 'errors.jsonl'), ''));
    const result = await runCli(['verify', out]);
    assert.equal(result.code, 1, result.stdout);
    assert.match(result.stdout, /table-errors: the image index of version 1 lists Apple\/empty\.jpg as failed/);
    assert.match(result.stdout, /table-errors: .*errors\.jsonl is not a copy of .*versions\/1\/errors\.jsonl/);
  });

  test('names a manifest.json left at version 0 as stale', async () => {
    const out = await brokenCopy((dir) =>
      copyFile(join(dir, '_featurejob', 'manifest.json'), join(dir, 'manifest.json')),
    );
    const result = await runCli(['verify', out]);
    assert.equal(result.code, 1, result.stdout);
    assert.match(
      result.stdout,
      /table: manifest\.json is stale: it describes version 0, the table's log is at version 1/,
    );
  });

  test("names a leftover data file of ours that no version adds, never a user's file", async () => {
    const shard = (await readdir(join(pristine, 'features'))).find((name) => name.startsWith('v1-part-')) as string;
    const out = await brokenCopy(async (dir) => {
      await copyFile(join(dir, 'features', shard), join(dir, 'features', 'v1-part-00000-aleftover0001.parquet'));
      await copyFile(join(dir, 'features', shard), join(dir, 'features', 'mine.parquet'));
    });
    const result = await runCli(['verify', out]);
    assert.equal(result.code, 1, result.stdout);
    assert.match(
      result.stdout,
      /stray-file: .*v1-part-00000-aleftover0001\.parquet is named like a data file of version 1/,
    );
    assert.doesNotMatch(result.stdout, /mine\.parquet/);
  });
});
