import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FeatureJobError, type ErrorCode } from '../../../executor/errors.js';
import { compareKeys, FileStore } from '../../../executor/storage/file-store.js';
import type { ObjectStore, StoredObject } from '../../../executor/storage/object-store.js';
import { nodeExecutableForAnyUser } from '../../support/node-executable.js';

async function listAll(store: ObjectStore, prefix?: string): Promise<StoredObject[]> {
  const objects: StoredObject[] = [];
  for await (const object of store.list(prefix)) objects.push(object);
  return objects;
}

function hasCode(code: ErrorCode): (error: unknown) => boolean {
  return (error: unknown) => error instanceof FeatureJobError && error.code === code;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => entry.name);
}

describe('FileStore', () => {
  let root: string;
  let dir: string;
  let store: FileStore;
  let counter = 0;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'featurejob-file-store-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });
  // Each test gets its own directory, so tests do not see each other's objects.
  const fresh = (): FileStore => {
    counter += 1;
    dir = join(root, `case-${counter}`);
    store = new FileStore({ dir });
    return store;
  };

  it('reads back what it wrote, creating parent directories', async () => {
    fresh();
    await store.put('Plum 5/r0_12.jpg', new Uint8Array([1, 2, 3]));
    await store.put('notes/readme.txt', 'hello');
    assert.deepEqual(await store.get('Plum 5/r0_12.jpg'), Buffer.from([1, 2, 3]));
    assert.equal(Buffer.from(await store.get('notes/readme.txt')).toString('utf8'), 'hello');
  });

  it('replaces an object on put and leaves no temporary files behind', async () => {
    fresh();
    await store.put('a.txt', 'first');
    await store.put('a.txt', 'second');
    assert.equal(Buffer.from(await store.get('a.txt')).toString('utf8'), 'second');
    assert.deepEqual(await filesUnder(dir), ['a.txt']);
  });

  it('lists every file recursively with its size, in UTF-8 byte order of the keys', async () => {
    fresh();
    const keys = ['a0', 'a-b', 'a/x', 'a/y/z', 'Z', 'é', '\uFF61', '😀', 'b c/d'];
    for (const [index, key] of keys.entries()) await store.put(key, 'x'.repeat(index));
    const listed = await listAll(store);
    const expected = [...keys].sort(compareKeys);
    // UTF-16 order differs: JavaScript sorts the emoji's surrogates before U+FF61.
    assert.notDeepEqual(expected, [...keys].sort());
    assert.deepEqual(
      listed.map((object) => object.key),
      expected,
    );
    assert.deepEqual(
      listed.map((object) => object.size),
      expected.map((key) => keys.indexOf(key)),
    );
  });

  it('lists only keys starting with the prefix, which need not end at a directory', async () => {
    fresh();
    for (const key of ['a/b/1', 'a/bc/2', 'a/c/3', 'ab/4']) await store.put(key, 'x');
    assert.deepEqual(
      (await listAll(store, 'a/b')).map((object) => object.key),
      ['a/b/1', 'a/bc/2'],
    );
    assert.deepEqual(
      (await listAll(store, 'a/b/')).map((object) => object.key),
      ['a/b/1'],
    );
    assert.deepEqual(
      (await listAll(store, 'a')).map((object) => object.key),
      ['a/b/1', 'a/bc/2', 'a/c/3', 'ab/4'],
    );
  });

  it('lists nothing for a prefix or a root that does not exist', async () => {
    fresh();
    await store.put('a/1', 'x');
    assert.deepEqual(await listAll(store, 'missing/'), []);
    assert.deepEqual(await listAll(new FileStore({ dir: join(root, 'never-created') })), []);
  });

  it('skips empty directories and unfinished temporary files', async () => {
    fresh();
    await store.put('kept.txt', 'x');
    await mkdir(join(dir, 'empty', 'deeper'), { recursive: true });
    await writeFile(join(dir, '.featurejob-tmp-0123456789abcdef'), 'half');
    assert.deepEqual(
      (await listAll(store)).map((object) => object.key),
      ['kept.txt'],
    );
  });

  it('follows symbolic links and does not loop on a link to an ancestor', async () => {
    fresh();
    await store.put('real/file.txt', 'x');
    await symlink(join(dir, 'real', 'file.txt'), join(dir, 'link.txt'));
    await symlink(dir, join(dir, 'real', 'loop'));
    assert.deepEqual(
      (await listAll(store)).map((object) => object.key),
      ['link.txt', 'real/file.txt'],
    );
  });

  it('lists no file and no folder that a link leads to outside its root, and refuses to read through one', async () => {
    fresh();
    const outside = join(root, `outside-${counter}`);
    await mkdir(join(outside, 'secrets'), { recursive: true });
    await writeFile(join(outside, 'secrets', 'id_rsa.jpg'), 'private');
    await writeFile(join(outside, 'passwd.png'), 'private');
    await store.put('inside.jpg', 'x');
    await symlink(join(outside, 'secrets'), join(dir, 'linked-folder'));
    await symlink(join(outside, 'passwd.png'), join(dir, 'linked-file.png'));
    assert.deepEqual(
      (await listAll(store)).map((object) => object.key),
      ['inside.jpg'],
    );
    await assert.rejects(store.get('linked-file.png'), hasCode('FJ_OBJECT_FORBIDDEN'));
    await assert.rejects(store.get('linked-folder/id_rsa.jpg'), hasCode('FJ_OBJECT_FORBIDDEN'));
  });

  it('deletes nothing behind a symlinked folder', async () => {
    fresh();
    const elsewhere = join(root, `elsewhere-${counter}`);
    await mkdir(elsewhere, { recursive: true });
    await writeFile(join(elsewhere, 'part-00000-a1.parquet'), 'not ours to delete');
    await mkdir(dir, { recursive: true });
    await symlink(elsewhere, join(dir, 'features'));
    await store.delete('features/part-00000-a1.parquet');
    assert.deepEqual(await readdir(elsewhere), ['part-00000-a1.parquet']);
    await store.put('own/file.txt', 'x');
    await store.delete('own/file.txt');
    assert.equal(await store.getIfExists('own/file.txt'), undefined);
  });

  it('reports a missing object as FJ_OBJECT_MISSING and getIfExists as undefined', async () => {
    fresh();
    await store.put('dir/file', 'x');
    await assert.rejects(store.get('nope.jpg'), hasCode('FJ_OBJECT_MISSING'));
    await assert.rejects(store.get('dir'), hasCode('FJ_OBJECT_MISSING'));
    await assert.rejects(store.get('dir/file/below'), hasCode('FJ_OBJECT_MISSING'));
    assert.equal(await store.getIfExists('nope.jpg'), undefined);
  });

  it('reports an unreadable file as FJ_OBJECT_FORBIDDEN', async () => {
    fresh();
    await store.put('secret.jpg', 'x');
    await chmod(join(dir, 'secret.jpg'), 0o000);
    if (process.getuid?.() !== 0) {
      await assert.rejects(store.get('secret.jpg'), hasCode('FJ_OBJECT_FORBIDDEN'));
      return;
    }
    // Root reads any file whatever its mode: read it as `nobody` in a child process instead.
    await chmod(dir, 0o755);
    await chmod(root, 0o755);
    const node = await nodeExecutableForAnyUser(root);
    const moduleUrl = new URL('../../../executor/storage/file-store.js', import.meta.url).href;
    const script = `const { FileStore } = await import(${JSON.stringify(moduleUrl)});
      try { await new FileStore({ dir: ${JSON.stringify(dir)} }).get('secret.jpg'); console.log('read'); }
      catch (error) { console.log(error.code); }`;
    const result = spawnSync(node, ['--input-type=module', '-e', script], { uid: 65534, gid: 65534, encoding: 'utf8' });
    assert.ifError(result.error);
    assert.equal(result.stdout.trim(), 'FJ_OBJECT_FORBIDDEN', result.stderr);
  });

  it('creates an object once with putIfAbsent and keeps the first content', async () => {
    fresh();
    assert.equal(await store.putIfAbsent('_commits/part-00001', 'attempt-a'), true);
    assert.equal(await store.putIfAbsent('_commits/part-00001', 'attempt-b'), false);
    assert.equal(Buffer.from(await store.get('_commits/part-00001')).toString('utf8'), 'attempt-a');
    assert.deepEqual(await filesUnder(dir), ['part-00001']);
  });

  it('counts a repeated create with the very same bytes as its own (a retried create), and other bytes as lost', async () => {
    fresh();
    assert.equal(await store.putIfAbsent('_commits/part-00002', 'attempt-a'), true);
    assert.equal(await store.putIfAbsent('_commits/part-00002', 'attempt-a'), true);
    assert.equal(await store.putIfAbsent('_commits/part-00002', 'attempt-b'), false);
    assert.equal(Buffer.from(await store.get('_commits/part-00002')).toString('utf8'), 'attempt-a');
  });

  it("lets exactly one of ten concurrent putIfAbsent calls win, and keeps the winner's content", async () => {
    fresh();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, index) => store.putIfAbsent('marker', `attempt-${index}`)),
    );
    assert.equal(results.filter(Boolean).length, 1);
    const winner = results.indexOf(true);
    assert.equal(Buffer.from(await store.get('marker')).toString('utf8'), `attempt-${winner}`);
    assert.deepEqual(await filesUnder(dir), ['marker']);
  });

  it('deletes an object and ignores deleting one that does not exist', async () => {
    fresh();
    await store.put('a/b.txt', 'x');
    await store.delete('a/b.txt');
    await store.delete('a/b.txt');
    await store.delete('never/was.txt');
    assert.equal(await store.getIfExists('a/b.txt'), undefined);
  });

  it('rejects keys that are empty or would leave the root', async () => {
    fresh();
    for (const key of ['', '../escape', 'a/../../escape', '/absolute', 'a//b', 'a/./b']) {
      await assert.rejects(store.put(key, 'x'), hasCode('FJ_INVALID_ARGUMENT'), key);
    }
  });

  it('names itself and its objects by absolute path', () => {
    const named = new FileStore({ dir: '/data/out/' });
    assert.equal(named.uri, '/data/out');
    assert.equal(named.uriOf('part-00001/shard.parquet'), '/data/out/part-00001/shard.parquet');
  });
});
