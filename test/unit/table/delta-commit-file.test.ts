/**
 * A commit file of the feature table's Delta log: what featurejob writes parses back to the
 * same actions and is recognised as its own; a line that is not a Delta action is refused with
 * FJ_TABLE_LOG_INVALID naming the file and line, and another engine's commit (Spark's, say) or
 * an action featurejob never writes with FJ_TABLE_FOREIGN_COMMIT: a run never builds on a log
 * it does not understand.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildDeltaCommit, ENGINE_VERSION, tablePathOf } from '../../../executor/table/build-delta-commit.js';
import { computeDataFileStats } from '../../../executor/table/data-file-stats.js';
import { assertOwnCommit, encodeDeltaCommit, parseDeltaCommit } from '../../../executor/table/delta-commit-file.js';
import { hasCode, MODEL_SHA } from './table-test-support.js';

const URI = '/out/features/_delta_log/00000000000000000001.json';
const NOW = 1_718_000_000_000;

const ownCommitInfo = (planId = 'plan-1') =>
  JSON.stringify({
    commitInfo: {
      timestamp: NOW,
      operation: 'WRITE',
      engineInfo: `featurejob/${ENGINE_VERSION}`,
      featurejob: { planId, model: MODEL_SHA },
    },
  });
const addLine = (path: string) =>
  JSON.stringify({ add: { path, partitionValues: {}, size: 100, modificationTime: NOW, dataChange: true } });

describe('a commit featurejob writes', () => {
  const first = buildDeltaCommit({
    version: 0,
    planId: 'plan-0',
    modelSha256: MODEL_SHA,
    added: [
      {
        key: 'features/part-00000-a1.parquet',
        bytes: 2048,
        stats: computeDataFileStats(['Apple/1.jpg', 'Apple/2.jpg']),
      },
      { key: 'features/part-00001-b2.parquet', bytes: 1024, stats: computeDataFileStats(['Plum 5/1.jpg']) },
    ],
    removed: [],
    timestamp: NOW,
    tableId: 'table-id-1',
  });

  it('is one JSON action per line, each ending in a newline', () => {
    const text = encodeDeltaCommit(first);
    assert.ok(text.endsWith('\n'));
    assert.equal(text.split('\n').length - 1, first.length);
    for (const line of text.trimEnd().split('\n')) assert.equal(Object.keys(JSON.parse(line)).length, 1);
  });

  it('round-trips version 0: commitInfo, protocol, metadata, then the adds, and is recognised as ours', () => {
    const actions = parseDeltaCommit(encodeDeltaCommit(first), URI);
    assert.deepEqual(
      actions.map((action) => action.kind),
      ['commitInfo', 'protocol', 'metaData', 'add', 'add'],
    );
    assert.deepEqual(assertOwnCommit(actions, URI), { planId: 'plan-0', model: MODEL_SHA });
    const [info, protocol, metaData, add, add2] = actions;
    assert.ok(info?.kind === 'commitInfo' && protocol?.kind === 'protocol' && metaData?.kind === 'metaData');
    assert.equal(info.commitInfo.engineInfo, `featurejob/${ENGINE_VERSION}`);
    assert.equal(info.commitInfo.isBlindAppend, true);
    assert.deepEqual(protocol.protocol, { minReaderVersion: 1, minWriterVersion: 2 });
    assert.equal(metaData.metaData.id, 'table-id-1');
    assert.deepEqual(metaData.metaData.partitionColumns, []);
    const schema = JSON.parse(metaData.metaData.schemaString) as { fields: Array<{ name: string }> };
    assert.deepEqual(
      schema.fields.map((field) => field.name),
      ['path', 'label', 'features'],
    );
    assert.ok(add?.kind === 'add' && add2?.kind === 'add');
    assert.equal(add.add.path, 'part-00000-a1.parquet', 'relative to the table root');
    assert.equal(add.add.size, 2048);
    assert.equal(add2.add.path, 'part-00001-b2.parquet');
    assert.deepEqual(JSON.parse(add2.add.stats ?? '{}'), {
      numRecords: 1,
      minValues: { path: 'Plum 5/1.jpg', label: 'Plum 5' },
      maxValues: { path: 'Plum 5/1.jpg', label: 'Plum 5' },
      nullCount: { path: 0, label: 0, features: 0 },
    });
  });

  it('round-trips a later version: removes before adds, no protocol or metadata, not a blind append', () => {
    const actions = parseDeltaCommit(
      encodeDeltaCommit(
        buildDeltaCommit({
          version: 3,
          planId: 'plan-3',
          modelSha256: MODEL_SHA,
          added: [{ key: 'features/v3-rewrite-00ff.parquet', bytes: 10, stats: computeDataFileStats(['A/1.jpg']) }],
          removed: ['features/part-00000-a1.parquet'],
          changes: { new: 0, changed: 0, removed: 1, unchanged: 1, retried: 0, full: false },
          timestamp: NOW,
        }),
      ),
      URI,
    );
    assert.deepEqual(
      actions.map((action) => action.kind),
      ['commitInfo', 'remove', 'add'],
    );
    const [info, remove] = actions;
    assert.ok(info?.kind === 'commitInfo' && remove?.kind === 'remove');
    assert.equal(info.commitInfo.isBlindAppend, false);
    assert.equal(remove.remove.path, 'part-00000-a1.parquet');
    assert.equal(remove.remove.deletionTimestamp, NOW);
    assert.deepEqual(assertOwnCommit(actions, URI), { planId: 'plan-3', model: MODEL_SHA });
  });

  it('URI-encodes each segment of a data file path, as the protocol asks', () => {
    assert.equal(tablePathOf('features/v1-part-00000-x.parquet'), 'v1-part-00000-x.parquet');
    assert.equal(tablePathOf('features/a b/c%d#é.parquet'), 'a%20b/c%25d%23%C3%A9.parquet');
  });
});

describe('parseDeltaCommit', () => {
  it('skips blank lines and counts lines from 1', () => {
    const actions = parseDeltaCommit(`${ownCommitInfo()}\n\n${addLine('a.parquet')}\n`, URI);
    assert.equal(actions.length, 2);
    assert.throws(
      () => parseDeltaCommit(`${ownCommitInfo()}\n{"add": nope}\n`, URI),
      hasCode('FJ_TABLE_LOG_INVALID', new RegExp(`${URI} line 2 is not JSON`)),
    );
  });

  it('refuses a line that is not one Delta action', () => {
    for (const line of ['[]', '42', 'null', '{}', `{"add":{},"remove":{}}`]) {
      assert.throws(
        () => parseDeltaCommit(`${ownCommitInfo()}\n${line}\n`, URI),
        hasCode('FJ_TABLE_LOG_INVALID', /line 2 is not one Delta action/),
        line,
      );
    }
  });

  it('refuses an add without a size, naming the file, the line and the action', () => {
    const add = { add: { path: 'a.parquet', partitionValues: {}, modificationTime: NOW, dataChange: true } };
    assert.throws(
      () => parseDeltaCommit(`${ownCommitInfo()}\n${JSON.stringify(add)}\n`, URI),
      hasCode('FJ_TABLE_LOG_INVALID', new RegExp(`${URI} line 2: add[\\s\\S]*size`)),
    );
  });

  it('refuses a protocol or metadata it cannot read', () => {
    assert.throws(
      () => parseDeltaCommit('{"protocol":{"minReaderVersion":"1","minWriterVersion":2}}', URI),
      hasCode('FJ_TABLE_LOG_INVALID', /line 1: protocol/),
    );
    assert.throws(
      () => parseDeltaCommit('{"metaData":{"id":"x"}}', URI),
      hasCode('FJ_TABLE_LOG_INVALID', /line 1: metaData/),
    );
  });
});

describe('assertOwnCommit', () => {
  it("refuses Spark's commit with FJ_TABLE_FOREIGN_COMMIT naming its engine", () => {
    const spark = [
      JSON.stringify({
        commitInfo: {
          timestamp: NOW,
          operation: 'WRITE',
          operationParameters: { mode: 'Append', partitionBy: '[]' },
          readVersion: 0,
          isolationLevel: 'Serializable',
          isBlindAppend: true,
          operationMetrics: { numFiles: '1', numOutputRows: '3', numOutputBytes: '900' },
          engineInfo: 'Apache-Spark/3.5 Delta-Lake/3.2',
          txnId: '5b0c7c56-2f4a-4a57-9f55-0c4bd9d3a0e1',
        },
      }),
      JSON.stringify({
        add: {
          path: 'part-00000-5b0c7c56-c000.snappy.parquet',
          partitionValues: {},
          size: 900,
          modificationTime: NOW,
          dataChange: true,
          stats: '{"numRecords":3}',
          tags: { INSERTION_TIME: '1718000000000000' },
        },
      }),
    ].join('\n');
    assert.throws(
      () => assertOwnCommit(parseDeltaCommit(spark, URI), URI),
      hasCode(
        'FJ_TABLE_FOREIGN_COMMIT',
        /00000000000000000001\.json was not written by featurejob \(engineInfo Apache-Spark\/3\.5 Delta-Lake\/3\.2\)/,
      ),
    );
  });

  it('refuses a commit without commitInfo, or whose commitInfo lacks our block or our engine', () => {
    const cases = [
      addLine('a.parquet'),
      JSON.stringify({
        commitInfo: { timestamp: NOW, operation: 'WRITE', engineInfo: `featurejob/${ENGINE_VERSION}` },
      }),
      JSON.stringify({
        commitInfo: { timestamp: NOW, operation: 'WRITE', featurejob: { planId: 'p', model: MODEL_SHA } },
      }),
      JSON.stringify({
        commitInfo: {
          timestamp: NOW,
          operation: 'WRITE',
          engineInfo: 'delta-rs.0.18',
          featurejob: { planId: 'p', model: MODEL_SHA },
        },
      }),
    ];
    for (const text of cases)
      assert.throws(() => assertOwnCommit(parseDeltaCommit(text, URI), URI), hasCode('FJ_TABLE_FOREIGN_COMMIT'), text);
  });

  it('refuses an action featurejob never writes, even beside our commitInfo', () => {
    const others = {
      cdc: { path: '_change_data/cdc-00000.parquet', partitionValues: {}, size: 1, dataChange: false },
      txn: { appId: 'streaming-query', version: 7, lastUpdated: NOW },
      domainMetadata: { domain: 'delta.clustering', configuration: '{}', removed: false },
    };
    for (const [name, body] of Object.entries(others)) {
      const text = `${ownCommitInfo()}\n${JSON.stringify({ [name]: body })}\n`;
      assert.throws(
        () => assertOwnCommit(parseDeltaCommit(text, URI), URI),
        hasCode('FJ_TABLE_FOREIGN_COMMIT', new RegExp(`holds a ${name} action featurejob never writes`)),
      );
    }
  });
});
