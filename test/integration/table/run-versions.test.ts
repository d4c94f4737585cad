import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { parseErrorLines } from '../../../executor/output/error-record.js';
import { ManifestSchema, type Manifest } from '../../../executor/output/manifest-schema.js';
import { readDeltaVersions } from '../../support/read-delta-table.js';
import { runCli } from '../../support/run-cli.js';
import { writePlainImages } from '../../support/write-test-images.js';

/** Every file under `dir` with its size and modification time: what "nothing written" compares. */
async function snapshotTree(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await walk(path);
      else {
        const info = await stat(path);
        found.push(`${relative(dir, path)} ${info.size} ${info.mtimeMs}`);
      }
    }
  };
  await walk(dir);
  return found.sort();
}

async function readManifest(out: string): Promise<Manifest> {
  return ManifestSchema.parse(JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')));
}

async function imagesUnder(dir: string): Promise<string[]> {
  const keys: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (/\.(jpg|png)$/.test(entry.name)) keys.push(relative(dir, path).split('\\').join('/'));
    }
  };
  await walk(dir);
  return keys.sort();
}

describe('table versions: a rerun on a complete output processes only what changed', () => {
  let root: string;
  let input: string;
  let out: string;
  const run = (...extra: string[]) =>
    runCli([
      'run',
      '--weights',
      'random',
      input,
      '--out',
      out,
      '--images-per-partition',
      '4',
      '--progress',
      'none',
      ...extra,
    ]);

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'fj-versions-'));
    input = join(root, 'images');
    out = join(root, 'out');
    await writePlainImages(input, { count: 12, labels: ['Apple', 'Banana', 'Plum 5'] });
    await mkdir(join(input, 'Bad'), { recursive: true });
    await writeFile(
      join(input, 'Bad', 'random.jpg'),
      Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 31) % 251)),
    );
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  test('version 0, then a version with new, changed and removed images, read by delta-rs at each version', async () => {
    const first = await run();
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /table: version 0 at .*: 12 rows, 1 failed, 4 files/);
    const v0Paths = (await imagesUnder(input)).filter((key) => !key.startsWith('Bad/'));

    // Growth: five new images of a new class, one replaced by other content, one deleted.
    await writePlainImages(join(root, 'more'), { count: 5, labels: ['Cherry'] });
    for (const key of await imagesUnder(join(root, 'more'))) {
      await mkdir(join(input, 'Cherry'), { recursive: true });
      await writeFile(join(input, key), await readFile(join(root, 'more', key)));
    }
    const changedKey = 'Apple/r0_0.jpg';
    const other = await sharp({ create: { width: 97, height: 61, channels: 3, background: '#3c9' } })
      .jpeg()
      .toBuffer();
    await writeFile(join(input, changedKey), other);
    await unlink(join(input, 'Banana', 'r0_1.jpg'));

    // `featurejob plan` says what the run will do, and writes nothing.
    const beforePlan = await snapshotTree(out);
    const plan = await runCli(['plan', input, '--out', out, '--images-per-partition', '4', '--json']);
    assert.equal(plan.code, 0, plan.stderr);
    const described = JSON.parse(plan.stdout) as {
      action: string;
      version: number;
      images: number;
      partitions: number;
    };
    assert.deepEqual(
      {
        action: described.action,
        version: described.version,
        images: described.images,
        partitions: described.partitions,
      },
      { action: 'new-version', version: 1, images: 6, partitions: 2 },
    );
    assert.deepEqual(await snapshotTree(out), beforePlan);

    const second = await run();
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /this run: 6 images in 2 of 2 partitions/);
    assert.match(
      second.stdout,
      /table: version 1 at .*: 16 rows, 1 failed, \d+ files; this version: 5 new, 1 changed, 1 removed, 11 unchanged, 0 retried/,
    );
    const manifest = await readManifest(out);
    assert.equal(manifest.table?.version, 1);
    assert.deepEqual(manifest.table?.changes, {
      new: 5,
      changed: 1,
      removed: 1,
      unchanged: 11,
      retried: 0,
      full: false,
    });

    const [v0, v1] = readDeltaVersions(join(out, 'features'), [0, 1]);
    assert.ok(v0 !== undefined && v1 !== undefined);
    // Time travel: version 0 is exactly the first run's rows.
    assert.deepEqual([...v0.paths].sort(), v0Paths);
    // Version 1: each current image once, the bad one only in errors.jsonl.
    const current = (await imagesUnder(input)).filter((key) => !key.startsWith('Bad/'));
    assert.deepEqual([...v1.paths].sort(), current);
    assert.equal(v1.pandasRows, 16);
    assert.deepEqual(v1.dimensions, [4096]);
    // Unchanged rows are copied as they were; the replaced image has new features.
    for (const path of current)
      if (path !== changedKey && path in v0.digests) assert.equal(v1.digests[path], v0.digests[path], path);
    assert.notEqual(v1.digests[changedKey], v0.digests[changedKey]);
    // Only the files that lost a row were rewritten: the Plum 5 files of version 0 are still current.
    assert.ok(
      v1.files.some((file) => v0.files.includes(file)),
      `some version 0 file is still current: ${v1.files.join(', ')}`,
    );
    const errors = parseErrorLines(await readFile(join(out, 'errors.jsonl'), 'utf8'));
    assert.deepEqual(
      errors.map((record) => [record.path, record.code]),
      [['Bad/random.jpg', 'FJ_IMAGE_UNRECOGNIZED']],
    );
  });

  test('nothing new is a normal outcome: exit 0, "up to date at version 1", nothing written', async () => {
    const before = await snapshotTree(out);
    const third = await run();
    assert.equal(third.code, 0, third.stderr);
    assert.match(third.stdout, /^up to date at version 1: no new, changed or removed images; nothing written$/m);
    const plan = await runCli(['plan', input, '--out', out]);
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, /is up to date at version 1: run would process nothing/);
    assert.deepEqual(await snapshotTree(out), before);
  });

  test('another model than the table was made with is refused with both named, and nothing is written', async () => {
    const before = await snapshotTree(out);
    const other = await run('--seed', '7');
    assert.equal(other.code, 1);
    assert.match(other.stderr, /FJ_TABLE_MISMATCH: .* holds a table made with model random.* \(this run: random/);
    assert.deepEqual(await snapshotTree(out), before);
  });

  test('a commit featurejob did not write in the log is refused by name, and nothing is written', async () => {
    const foreign = join(out, 'features', '_delta_log', '00000000000000000002.json');
    await writeFile(
      foreign,
      `${JSON.stringify({ commitInfo: { timestamp: 1, operation: 'OPTIMIZE', engineInfo: 'Apache-Spark/3.5.1 Delta-Lake/3.2.0' } })}\n`,
    );
    try {
      const before = await snapshotTree(out);
      const refused = await run();
      assert.equal(refused.code, 1);
      assert.match(
        refused.stderr,
        /FJ_TABLE_FOREIGN_COMMIT: .*00000000000000000002\.json was not written by featurejob/,
      );
      assert.deepEqual(await snapshotTree(out), before);
    } finally {
      await unlink(foreign);
    }
  });

  test('--full makes a new version that processes every image and replaces every earlier file', async () => {
    const full = await run('--full');
    assert.equal(full.code, 0, full.stderr);
    assert.match(full.stdout, /this run: 17 images in 5 of 5 partitions/);
    assert.match(full.stdout, /table: version 2 .*: 16 rows, 1 failed/);
    const [v2] = readDeltaVersions(join(out, 'features'), [2]);
    assert.ok(v2 !== undefined);
    assert.equal(v2.paths.length, 16);
    assert.ok(
      v2.files.every((file) => file.startsWith('v2-part-')),
      v2.files.join(', '),
    );
  });
});
