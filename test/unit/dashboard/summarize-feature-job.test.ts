import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { computeThroughputSeries, summarizeFeatureJob } from '../../../operator/dashboard/summarize-feature-job.js';
import { featureJob, RUNNING_STATUS } from './fixtures.js';

describe('summarizeFeatureJob', () => {
  it('a running job: phase, images done of total with the percent rounded down, partitions with the pending ones', () => {
    const summary = summarizeFeatureJob(featureJob('team-a', 'fruits', RUNNING_STATUS));
    assert.equal(summary.name, 'fruits');
    assert.equal(summary.namespace, 'team-a');
    assert.equal(summary.phase, 'Running');
    assert.deepEqual(summary.progress, {
      done: 192,
      total: 512,
      succeeded: 190,
      failed: 2,
      percent: 37,
      text: '192/512 images (37%), 2 failed',
    });
    assert.deepEqual(summary.partitions, {
      total: 8,
      succeeded: 3,
      failed: 0,
      active: 2,
      pending: 3,
      text: '3/8 partitions',
    });
    assert.equal(summary.throughput.average, '6.4 img/s');
    assert.deepEqual(summary.problems, []);
    assert.equal(summary.model, 'vgg16-fc2 imagenet');
    assert.equal(summary.executorJob, 'fruits-extract');
  });

  it('shows 99% rather than 100% until the last image is done', () => {
    const status = { ...RUNNING_STATUS, images: { total: 1000, succeeded: 999, failed: 0 } };
    assert.equal(summarizeFeatureJob(featureJob('a', 'b', status)).progress?.text, '999/1000 images (99%)');
  });

  it('a job the operator has not looked at yet is Pending, with no progress and no counts made up', () => {
    const summary = summarizeFeatureJob(featureJob('a', 'new'));
    assert.equal(summary.phase, 'Pending');
    assert.equal(summary.progress, undefined);
    assert.equal(summary.partitions, undefined);
    assert.deepEqual(summary.throughput, { series: [] });
    for (const field of ['tableVersion', 'cost', 'failedPod', 'pca', 'manifestUri', 'completionTime'])
      assert.equal(field in summary, false, field);
  });

  it('a failed job lists the Failed reason first and drops the Progressing condition that repeats it', () => {
    const status = {
      phase: 'Failed',
      conditions: [
        { type: 'Accepted', status: 'True', lastTransitionTime: 't0', reason: 'SpecValid', message: 'ok' },
        { type: 'Progressing', status: 'False', lastTransitionTime: 't1', reason: 'PartitionsFailed', message: 'm' },
        {
          type: 'Failed',
          status: 'True',
          lastTransitionTime: 't1',
          reason: 'PartitionsFailed',
          message: '2 partition(s) used up their attempts: 1,4 (OOMKilled)',
        },
      ],
      partitions: { total: 5, succeeded: 3, failed: 2, active: 0 },
      failedPartitions: '1,4',
      retries: { OOMKilled: 6 },
    };
    const summary = summarizeFeatureJob(featureJob('a', 'broken', status));
    assert.deepEqual(summary.problems, [
      {
        type: 'Failed',
        status: 'True',
        reason: 'PartitionsFailed',
        message: '2 partition(s) used up their attempts: 1,4 (OOMKilled)',
        since: 't1',
      },
    ]);
    assert.equal(summary.partitions?.failedRanges, '1,4');
    assert.deepEqual(summary.retries, { OOMKilled: 6 });
  });

  it('a stalled job shows why it waits (Progressing False with the stall reason); Complete shows none', () => {
    const stalled = summarizeFeatureJob(
      featureJob('a', 'stuck', {
        phase: 'Planning',
        conditions: [
          {
            type: 'Progressing',
            status: 'False',
            lastTransitionTime: 't',
            reason: 'Unschedulable',
            message: '0/1 nodes are available',
          },
        ],
      }),
    );
    assert.deepEqual(
      stalled.problems.map((p) => `${p.type}=${p.status} ${p.reason}`),
      ['Progressing=False Unschedulable'],
    );
    const complete = summarizeFeatureJob(
      featureJob('a', 'done', {
        phase: 'Complete',
        conditions: [
          { type: 'Progressing', status: 'False', lastTransitionTime: 't', reason: 'Completed', message: 'done' },
          { type: 'Complete', status: 'True', lastTransitionTime: 't', reason: 'Completed', message: 'done' },
        ],
      }),
    );
    assert.deepEqual(complete.problems, []);
  });

  it('shows table version, cost, the failed pod log tail and the PCA scree only when the status has them, well formed', () => {
    const status = {
      ...RUNNING_STATUS,
      tableVersion: 7,
      cost: '$1.20',
      failedPod: {
        name: 'fruits-extract-2-abcde',
        logUri: 's3://features/runs/_featurejob/logs/part-00002-a1.log',
        logTail: 'FJ_STORAGE_UNAVAILABLE\n',
      },
      pca: { explainedVarianceRatio: [0.5, 0.25] },
    };
    const summary = summarizeFeatureJob(featureJob('a', 'extras', status));
    assert.equal(summary.tableVersion, 7);
    assert.equal(summary.cost, '$1.20');
    assert.deepEqual(summary.failedPod, {
      name: 'fruits-extract-2-abcde',
      logUri: 's3://features/runs/_featurejob/logs/part-00002-a1.log',
      logTail: 'FJ_STORAGE_UNAVAILABLE\n',
    });
    assert.deepEqual(summary.pca, { explainedVarianceRatio: [0.5, 0.25] });
    const malformed = summarizeFeatureJob(
      featureJob('a', 'odd', {
        ...RUNNING_STATUS,
        cost: { usd: 1 },
        pca: { explainedVarianceRatio: [] },
        tableVersion: 3,
      }),
    );
    assert.equal('cost' in malformed, false);
    assert.equal('pca' in malformed, false);
    assert.equal(malformed.tableVersion, 3);
  });

  it('a status that breaks the schema is phase Unknown with the reason, not a crash', () => {
    const summary = summarizeFeatureJob(featureJob('a', 'bad', { phase: 'Exploded', images: { total: -1 } }));
    assert.equal(summary.phase, 'Unknown');
    assert.match(summary.statusError ?? '', /^the status does not match the FeatureJob schema: phase: /);
    assert.equal(summary.progress, undefined);
  });

  it('turns the progress samples into images per second between samples', () => {
    const summary = summarizeFeatureJob(featureJob('a', 'b', RUNNING_STATUS), [
      { atMs: Date.UTC(2026, 11, 2, 10, 0, 0), processed: 0 },
      { atMs: Date.UTC(2026, 11, 2, 10, 0, 10), processed: 64 },
      { atMs: Date.UTC(2026, 11, 2, 10, 0, 30), processed: 192 },
    ]);
    assert.deepEqual(summary.throughput.series, [
      { at: '2026-12-02T10:00:10.000Z', imagesPerSecond: 6.4 },
      { at: '2026-12-02T10:00:30.000Z', imagesPerSecond: 6.4 },
    ]);
  });
});

describe('computeThroughputSeries', () => {
  it('needs two samples, and skips a pair with no time between them', () => {
    assert.deepEqual(computeThroughputSeries([]), []);
    assert.deepEqual(computeThroughputSeries([{ atMs: 1000, processed: 5 }]), []);
    assert.deepEqual(
      computeThroughputSeries([
        { atMs: 1000, processed: 5 },
        { atMs: 1000, processed: 9 },
        { atMs: 3000, processed: 13 },
      ]),
      [{ at: new Date(3000).toISOString(), imagesPerSecond: 2 }],
    );
  });
});
