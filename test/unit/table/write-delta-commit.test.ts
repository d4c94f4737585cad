/**
 * Version N's commit is created exactly once: a retry of the same plan finds its own commit and
 * goes on, while a run of another plan that lost the race gets FJ_TABLE_VERSION_CONFLICT and
 * leaves the winner's commit as it is.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { deltaCommitKey } from '../../../executor/plan/partition-naming.js';
import { buildDeltaCommit } from '../../../executor/table/build-delta-commit.js';
import { computeDataFileStats } from '../../../executor/table/data-file-stats.js';
import { encodeDeltaCommit } from '../../../executor/table/delta-commit-file.js';
import { readTableSnapshot } from '../../../executor/table/read-delta-log.js';
import { writeDeltaCommit } from '../../../executor/table/write-delta-commit.js';
import { hasCode, MODEL_SHA, tempStores } from './table-test-support.js';

const actionsOf = (planId: string, file: string, timestamp = 1_718_000_000_000) =>
  buildDeltaCommit({
    version: 0,
    planId,
    modelSha256: MODEL_SHA,
    added: [{ key: `features/${file}`, bytes: 10, stats: computeDataFileStats(['A/1.jpg']) }],
    removed: [],
    timestamp,
    tableId: 'table-1',
  });

describe('writeDeltaCommit', () => {
  const stores = tempStores('delta-write');
  after(stores.cleanUp);

  it('creates the commit once, and a retry of the same write is the same commit', async () => {
    const output = await stores.fresh();
    const actions = actionsOf('plan-a', 'a.parquet');
    assert.deepEqual(await writeDeltaCommit(output, 0, 'plan-a', actions), { created: true });
    // Byte for byte our earlier write (a retried create): the store counts it as created.
    assert.deepEqual(await writeDeltaCommit(output, 0, 'plan-a', actions), { created: true });
    assert.equal(Buffer.from(await output.get(deltaCommitKey(0))).toString('utf8'), encodeDeltaCommit(actions));
  });

  it('finds a commit the same plan made earlier and reports it as not created, leaving it as it is', async () => {
    const output = await stores.fresh();
    const first = actionsOf('plan-a', 'a.parquet', 1);
    await writeDeltaCommit(output, 0, 'plan-a', first);
    // The same plan's twin, merging later: other timestamps, so other bytes.
    assert.deepEqual(await writeDeltaCommit(output, 0, 'plan-a', actionsOf('plan-a', 'a.parquet', 2)), {
      created: false,
    });
    assert.equal(Buffer.from(await output.get(deltaCommitKey(0))).toString('utf8'), encodeDeltaCommit(first));
  });

  it("refuses another plan's commit of the version with FJ_TABLE_VERSION_CONFLICT naming both plans", async () => {
    const output = await stores.fresh();
    await writeDeltaCommit(output, 0, 'plan-a', actionsOf('plan-a', 'a.parquet'));
    await assert.rejects(
      writeDeltaCommit(output, 0, 'plan-b', actionsOf('plan-b', 'b.parquet')),
      hasCode(
        'FJ_TABLE_VERSION_CONFLICT',
        /version 0 of .*00000000000000000000\.json was committed by plan plan-a, not this run's plan plan-b/,
      ),
    );
    const snapshot = await readTableSnapshot(output, 0);
    assert.deepEqual([...snapshot.files.keys()], ['a.parquet']);
    assert.deepEqual(snapshot.planIds, ['plan-a']);
  });

  it("refuses to take another engine's commit of the version for ours", async () => {
    const output = await stores.fresh();
    const spark = { commitInfo: { timestamp: 1, operation: 'WRITE', engineInfo: 'Apache-Spark/3.5 Delta-Lake/3.2' } };
    await output.put(deltaCommitKey(0), encodeDeltaCommit([spark]));
    await assert.rejects(
      writeDeltaCommit(output, 0, 'plan-a', actionsOf('plan-a', 'a.parquet')),
      hasCode('FJ_TABLE_FOREIGN_COMMIT'),
    );
  });
});
