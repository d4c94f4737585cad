import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { createOperatorMetrics, type OperatorMetrics } from '../../../operator/metrics/operator-metrics.js';

type Labels = Record<string, string | number>;

interface Sample {
  readonly metricName: string;
  readonly labels: Labels;
  readonly value: number;
}

async function valuesOf(metrics: OperatorMetrics, name: string): Promise<Sample[]> {
  const metric = metrics.registry.getSingleMetric(name);
  assert.ok(metric, `${name} is registered`);
  const data = await metric.get();
  return data.values.map((v) => ({
    metricName: (v as { metricName?: string }).metricName ?? name,
    labels: v.labels as Labels,
    value: v.value,
  }));
}

async function metricValue(metrics: OperatorMetrics, name: string, labels: Labels): Promise<number | undefined> {
  const values = await valuesOf(metrics, name);
  return values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value;
}

describe('createOperatorMetrics', () => {
  it('registers its metrics and the prefixed process metrics on its own registry', async () => {
    const metrics = createOperatorMetrics();
    const text = await metrics.registry.metrics();
    for (const name of [
      'featurejob_jobs',
      'featurejob_partitions',
      'featurejob_partition_retries_total',
      'featurejob_images_processed_total',
      'featurejob_reconcile_duration_seconds',
      'featurejob_operator_process_cpu_user_seconds_total',
      'featurejob_operator_nodejs_eventloop_lag_seconds',
    ]) {
      assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), name);
    }
  });

  it('uses a registry it is given', () => {
    const registry = new Registry();
    const metrics = createOperatorMetrics({ registry });
    assert.equal(metrics.registry, registry);
    assert.ok(registry.getSingleMetric('featurejob_jobs'));
  });

  it('keeps two instances apart, so tests and the operator never share counters', async () => {
    const a = createOperatorMetrics();
    const b = createOperatorMetrics();
    a.countRetries('OOMKilled');
    assert.equal(await metricValue(a, 'featurejob_partition_retries_total', { cause: 'OOMKilled' }), 1);
    assert.equal(await metricValue(b, 'featurejob_partition_retries_total', { cause: 'OOMKilled' }), undefined);
  });

  it('reports every phase as zero before the first count', async () => {
    const metrics = createOperatorMetrics();
    const values = await valuesOf(metrics, 'featurejob_jobs');
    assert.deepEqual(
      values.map((v) => [v.labels.phase, v.value]),
      ['Pending', 'Planning', 'Running', 'Merging', 'Reducing', 'Complete', 'Failed', 'Suspended'].map((p) => [p, 0]),
    );
  });

  it('replaces the job counts on each recount, so a phase no job is in anymore drops to zero', async () => {
    const metrics = createOperatorMetrics();
    metrics.setJobsByPhase({ Running: 3, Complete: 1, Paused: 2 });
    assert.equal(await metricValue(metrics, 'featurejob_jobs', { phase: 'Running' }), 3);
    assert.equal(await metricValue(metrics, 'featurejob_jobs', { phase: 'Paused' }), 2);

    metrics.setJobsByPhase({ Complete: 4 });
    assert.equal(await metricValue(metrics, 'featurejob_jobs', { phase: 'Running' }), 0);
    assert.equal(await metricValue(metrics, 'featurejob_jobs', { phase: 'Complete' }), 4);
    assert.equal(await metricValue(metrics, 'featurejob_jobs', { phase: 'Paused' }), undefined);
  });

  it('sets partitions per job and state, and forgets a deleted job without touching the others', async () => {
    const metrics = createOperatorMetrics();
    metrics.setPartitions('ns', 'a', { pending: 4, active: 2, succeeded: 1, failed: 0 });
    metrics.setPartitions('ns', 'b', { pending: 0, active: 0, succeeded: 7, failed: 1 });
    assert.equal(
      await metricValue(metrics, 'featurejob_partitions', { namespace: 'ns', featurejob: 'a', state: 'active' }),
      2,
    );
    assert.equal((await valuesOf(metrics, 'featurejob_partitions')).length, 8);

    metrics.forgetJob('ns', 'a');
    const left = await valuesOf(metrics, 'featurejob_partitions');
    assert.equal(left.length, 4);
    assert.ok(left.every((v) => v.labels.featurejob === 'b'));
  });

  it('counts retries by cause, one by default', async () => {
    const metrics = createOperatorMetrics();
    metrics.countRetries('OOMKilled');
    metrics.countRetries('OOMKilled', 2);
    metrics.countRetries('Evicted', 0);
    assert.equal(await metricValue(metrics, 'featurejob_partition_retries_total', { cause: 'OOMKilled' }), 3);
    assert.equal(await metricValue(metrics, 'featurejob_partition_retries_total', { cause: 'Evicted' }), undefined);
  });

  it("adds only the growth of each job's image totals", async () => {
    const metrics = createOperatorMetrics();
    const succeeded = (): Promise<number | undefined> =>
      metricValue(metrics, 'featurejob_images_processed_total', { outcome: 'succeeded' });
    const failed = (): Promise<number | undefined> =>
      metricValue(metrics, 'featurejob_images_processed_total', { outcome: 'failed' });
    assert.equal(await succeeded(), 0);

    metrics.addImagesProcessed('ns', 'a', { succeeded: 100, failed: 2 });
    metrics.addImagesProcessed('ns', 'a', { succeeded: 100, failed: 2 });
    metrics.addImagesProcessed('ns', 'b', { succeeded: 10, failed: 0 });
    metrics.addImagesProcessed('ns', 'a', { succeeded: 150, failed: 3 });
    assert.equal(await succeeded(), 160);
    assert.equal(await failed(), 3);
  });

  it('ignores a lower image total as a stale read and does not count the growth back twice', async () => {
    const metrics = createOperatorMetrics();
    metrics.addImagesProcessed('ns', 'a', { succeeded: 100, failed: 0 });
    metrics.addImagesProcessed('ns', 'a', { succeeded: 80, failed: 0 });
    metrics.addImagesProcessed('ns', 'a', { succeeded: 120, failed: 0 });
    assert.equal(await metricValue(metrics, 'featurejob_images_processed_total', { outcome: 'succeeded' }), 120);
  });

  it('counts a recreated job from zero once the deleted one was forgotten', async () => {
    const metrics = createOperatorMetrics();
    metrics.addImagesProcessed('ns', 'a', { succeeded: 100, failed: 0 });
    metrics.forgetJob('ns', 'a');
    metrics.addImagesProcessed('ns', 'a', { succeeded: 30, failed: 0 });
    assert.equal(await metricValue(metrics, 'featurejob_images_processed_total', { outcome: 'succeeded' }), 130);
  });

  it('observes reconcile durations by result', async () => {
    const metrics = createOperatorMetrics();
    metrics.observeReconcile(0.02, 'ok');
    metrics.observeReconcile(0.3, 'ok');
    metrics.observeReconcile(1.5, 'error');
    const values = await valuesOf(metrics, 'featurejob_reconcile_duration_seconds');
    const count = (result: string): number | undefined =>
      values.find((v) => v.metricName === 'featurejob_reconcile_duration_seconds_count' && v.labels.result === result)
        ?.value;
    assert.equal(count('ok'), 2);
    assert.equal(count('error'), 1);
    assert.equal(count('requeue'), undefined);
  });

  it('never throws on a bad number, so metrics cannot break a reconcile', () => {
    const metrics = createOperatorMetrics();
    assert.doesNotThrow(() => {
      metrics.countRetries('Error', -1);
      metrics.countRetries('Error', Number.NaN);
      metrics.observeReconcile(-1, 'ok');
      metrics.setPartitions('ns', 'a', { pending: Number.NaN, active: -1, succeeded: 1, failed: 0 });
      metrics.addImagesProcessed('ns', 'a', { succeeded: Number.POSITIVE_INFINITY, failed: -5 });
      metrics.setJobsByPhase({ Running: Number.NaN });
    });
  });
});
