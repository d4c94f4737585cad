/**
 * Reading the feature table's Delta log from a real FileStore output: the latest version is the
 * last of contiguous commits from 0, and its commit must be ours; a gap, a checkpoint or another
 * engine's file is refused (featurejob writes neither); checksum files are ignored; a snapshot
 * replays the commits, so a file a later version removed is no longer current, and paths come
 * back decoded.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { DELTA_LOG_PREFIX, deltaCommitKey } from '../../../executor/plan/partition-naming.js';
import type { FileStore } from '../../../executor/storage/file-store.js';
import { buildDeltaCommit, ENGINE_VERSION } from '../../../executor/table/build-delta-commit.js';
import { computeDataFileStats } from '../../../executor/table/data-file-stats.js';
import { encodeDeltaCommit } from '../../../executor/table/delta-commit-file.js';
import { readLatestTableVersion, readTableSnapshot } from '../../../executor/table/read-delta-log.js';
import { hasCode, MODEL_SHA, tempStores } from './table-test-support.js';

const NOW = 1_718_000_000_000;

async function commit(output: FileStore, version: number, added: string[], removed: string[] = []): Promise<void> {
  const actions = buildDeltaCommit({
    version,
    planId: `plan-${version}`,
    modelSha256: MODEL_SHA,
    added: added.map((key) => ({ key, bytes: 100 + version, stats: computeDataFileStats(['A/1.jpg']) })),
    removed,
    timestamp: NOW + version,
  });
  await output.put(deltaCommitKey(version), encodeDeltaCommit(actions));
}

describe('readLatestTableVersion', () => {
  const stores = tempStores('delta-latest');
  after(stores.cleanUp);

  it('is undefined for an output without a table', async () => {
    const output = await stores.fresh();
    assert.equal(await readLatestTableVersion(output), undefined);
    await output.put('features/part-00000-a.parquet', 'x');
    assert.equal(await readLatestTableVersion(output), undefined);
  });

  it('is the last of contiguous versions, past ten and past a hundred', async () => {
    const output = await stores.fresh();
    await commit(output, 0, ['features/a.parquet']);
    assert.equal(await readLatestTableVersion(output), 0);
    for (let version = 1; version <= 101; version++) await commit(output, version, [`features/${version}.parquet`]);
    assert.equal(await readLatestTableVersion(output), 101);
  });

  it('refuses a latest commit another engine made with FJ_TABLE_FOREIGN_COMMIT naming it', async () => {
    const output = await stores.fresh();
    await commit(output, 0, ['features/a.parquet']);
    const spark = {
      commitInfo: { timestamp: NOW, operation: 'DELETE', engineInfo: 'Apache-Spark/3.5 Delta-Lake/3.2' },
    };
    await output.put(
      deltaCommitKey(1),
      encodeDeltaCommit([spark, { remove: { path: 'a.parquet', dataChange: true } }]),
    );
    await assert.rejects(
      readLatestTableVersion(output),
      hasCode(
        'FJ_TABLE_FOREIGN_COMMIT',
        /00000000000000000001\.json was not written by featurejob \(engineInfo Apache-Spark/,
      ),
    );
  });

  it('refuses a latest commit that does not parse with FJ_TABLE_LOG_INVALID naming the file and line', async () => {
    const output = await stores.fresh();
    await commit(output, 0, ['features/a.parquet']);
    await output.put(deltaCommitKey(1), '{"commitInfo":\n');
    await assert.rejects(
      readLatestTableVersion(output),
      hasCode('FJ_TABLE_LOG_INVALID', /00000000000000000001\.json line 1 is not JSON/),
    );
  });

  it('refuses a gap in the versions with FJ_TABLE_LOG_INVALID', async () => {
    const output = await stores.fresh();
    for (const version of [0, 1, 3]) await commit(output, version, [`features/${version}.parquet`]);
    await assert.rejects(
      readLatestTableVersion(output),
      hasCode('FJ_TABLE_LOG_INVALID', /_delta_log.* jumps to version 3 after 1: a commit is missing/),
    );
  });

  it('refuses a log without version 0 with FJ_TABLE_LOG_INVALID that says version 0 is missing', async () => {
    const output = await stores.fresh();
    for (const version of [1, 2]) await commit(output, version, [`features/${version}.parquet`]);
    await assert.rejects(readLatestTableVersion(output), hasCode('FJ_TABLE_LOG_INVALID', /version 0 is missing/));
  });

  for (const name of ['00000000000000000010.checkpoint.parquet', '_last_checkpoint', '00000000000000000001.json.tmp']) {
    it(`refuses ${name} with FJ_TABLE_FOREIGN_COMMIT naming it`, async () => {
      const output = await stores.fresh();
      for (let version = 0; version <= 1; version++) await commit(output, version, [`features/${version}.parquet`]);
      await output.put(`${DELTA_LOG_PREFIX}${name}`, '{}');
      await assert.rejects(
        readLatestTableVersion(output),
        hasCode('FJ_TABLE_FOREIGN_COMMIT', new RegExp(`_delta_log/${name.replaceAll('.', '\\.')} is not a commit`)),
      );
    });
  }

  it('ignores checksum files beside the commits', async () => {
    const output = await stores.fresh();
    for (let version = 0; version <= 1; version++) {
      await commit(output, version, [`features/${version}.parquet`]);
      const name = String(version).padStart(20, '0');
      await output.put(`${DELTA_LOG_PREFIX}${name}.crc`, '{"tableSizeBytes":1}');
      await output.put(`${DELTA_LOG_PREFIX}.${name}.json.crc`, 'hadoop checksum');
    }
    assert.equal(await readLatestTableVersion(output), 1);
  });
});

describe('readTableSnapshot', () => {
  const stores = tempStores('delta-snapshot');
  after(stores.cleanUp);

  it('replays the commits: the last add or remove of a path wins, and each version names its plan', async () => {
    const output = await stores.fresh();
    await commit(output, 0, ['features/part-00000-a.parquet', 'features/part-00001-b.parquet']);
    await commit(
      output,
      1,
      ['features/v1-rewrite-0a.parquet', 'features/v1-part-00000-c.parquet'],
      ['features/part-00000-a.parquet'],
    );
    await commit(output, 2, ['features/v2-rewrite-0b.parquet'], ['features/v1-part-00000-c.parquet']);

    const latest = await readTableSnapshot(output, 2);
    assert.equal(latest.version, 2);
    assert.deepEqual([...latest.files.keys()].sort(), [
      'part-00001-b.parquet',
      'v1-rewrite-0a.parquet',
      'v2-rewrite-0b.parquet',
    ]);
    assert.equal(latest.files.get('v2-rewrite-0b.parquet')?.size, 102);
    assert.deepEqual(latest.planIds, ['plan-0', 'plan-1', 'plan-2']);

    // Time travel: version 0 as it was.
    const first = await readTableSnapshot(output, 0);
    assert.deepEqual([...first.files.keys()].sort(), ['part-00000-a.parquet', 'part-00001-b.parquet']);
    assert.deepEqual(first.planIds, ['plan-0']);
  });

  it('gives paths decoded, whatever the log encoded', async () => {
    const output = await stores.fresh();
    await commit(output, 0, ['features/Plum 5/part 0%.parquet', 'features/é😀.parquet']);
    await commit(output, 1, [], ['features/é😀.parquet']);
    const snapshot = await readTableSnapshot(output, 1);
    assert.deepEqual([...snapshot.files.keys()], ['Plum 5/part 0%.parquet']);
    assert.equal(snapshot.files.get('Plum 5/part 0%.parquet')?.path, 'Plum%205/part%200%25.parquet');
  });

  it('refuses a path that is not valid URI encoding with FJ_TABLE_LOG_INVALID naming the commit', async () => {
    const output = await stores.fresh();
    const add = {
      add: { path: 'part-%zz.parquet', partitionValues: {}, size: 1, modificationTime: NOW, dataChange: true },
    };
    const info = {
      commitInfo: {
        timestamp: NOW,
        operation: 'WRITE',
        engineInfo: `featurejob/${ENGINE_VERSION}`,
        featurejob: { planId: 'p', model: MODEL_SHA },
      },
    };
    await output.put(deltaCommitKey(0), encodeDeltaCommit([info, add]));
    await assert.rejects(
      readTableSnapshot(output, 0),
      hasCode(
        'FJ_TABLE_LOG_INVALID',
        /00000000000000000000\.json line 2: add[\s\S]*part-%zz\.parquet is not URI-encoded/,
      ),
    );
  });

  it('refuses a missing commit with FJ_TABLE_LOG_INVALID naming it', async () => {
    const output = await stores.fresh();
    await commit(output, 0, ['features/a.parquet']);
    await assert.rejects(
      readTableSnapshot(output, 1),
      hasCode('FJ_TABLE_LOG_INVALID', /00000000000000000001\.json is missing/),
    );
  });

  it("refuses another engine's commit with FJ_TABLE_FOREIGN_COMMIT naming it", async () => {
    const output = await stores.fresh();
    await commit(output, 0, ['features/a.parquet']);
    const spark = {
      commitInfo: { timestamp: NOW, operation: 'DELETE', engineInfo: 'Apache-Spark/3.5 Delta-Lake/3.2' },
    };
    await output.put(
      deltaCommitKey(1),
      encodeDeltaCommit([spark, { remove: { path: 'a.parquet', dataChange: true } }]),
    );
    await assert.rejects(
      readTableSnapshot(output, 1),
      hasCode('FJ_TABLE_FOREIGN_COMMIT', /00000000000000000001\.json was not written by featurejob/),
    );
  });
});
