import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoordinationV1Api, KubeConfig, type V1Lease } from '@kubernetes/client-node';
import { startLeaderElection, type LeaderElection } from '../../../operator/kube/leader-election.js';
import type { LeaseClient } from '../../../operator/kube/leader-election-lease.js';
import { createLeaseClient } from '../../../operator/kube/leader-election-lease-client.js';
import { startControlPlane, type ControlPlane } from '../../cluster/start-control-plane.js';
import { eventually } from '../../support/eventually.js';

// Short timings keep the suite quick; their ratios are the defaults' (15/10/2) in spirit:
// renew deadline below the lease duration, retry period well below the renew deadline.
const TIMINGS = { leaseDurationSeconds: 3, renewDeadlineSeconds: 2, retryPeriodSeconds: 0.5 } as const;
const NAMESPACE = 'default';
const MICRO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

/** A LeaseClient whose requests, once cut, never answer: a frozen or partitioned process. */
function cuttable(client: LeaseClient): { client: LeaseClient; cut(): void } {
  let cut = false;
  const gate = <T>(call: () => Promise<T>): Promise<T> => (cut ? new Promise<T>(() => {}) : call());
  return {
    client: {
      read: () => gate(() => client.read()),
      create: (record) => gate(() => client.create(record)),
      update: (record, resourceVersion) => gate(() => client.update(record, resourceVersion)),
    },
    cut: () => {
      cut = true;
    },
  };
}

interface Candidate {
  readonly identity: string;
  readonly election: LeaderElection;
  /** 'started' / 'stopped' with the wall time they happened. */
  readonly events: { event: string; at: number }[];
}

describe('leader election on a Lease of a real API server', { timeout: 15 * 60_000 }, () => {
  let cluster: ControlPlane;
  let kubeConfig: KubeConfig;
  let leases: CoordinationV1Api;
  const running: LeaderElection[] = [];
  let leaseNumber = 0;

  before(async () => {
    cluster = await startControlPlane({ log: (line) => console.error(`control plane: ${line}`) });
    kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(cluster.kubeconfig);
    leases = kubeConfig.makeApiClient(CoordinationV1Api);
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((election) => election.stop()));
  });

  after(async () => {
    await cluster?.stop();
  });

  const newLeaseName = (): string => `featurejob-operator-${++leaseNumber}`;

  const candidate = (name: string, identity: string, leaseClient?: LeaseClient): Candidate => {
    const events: { event: string; at: number }[] = [];
    const election = startLeaderElection({
      kubeConfig,
      namespace: NAMESPACE,
      name,
      identity,
      ...TIMINGS,
      ...(leaseClient ? { leaseClient } : {}),
      onStartedLeading: () => {
        events.push({ event: 'started', at: Date.now() });
      },
      onStoppedLeading: () => {
        events.push({ event: 'stopped', at: Date.now() });
      },
    });
    running.push(election);
    return { identity, election, events };
  };

  const readLease = (name: string): Promise<V1Lease> => leases.readNamespacedLease({ name, namespace: NAMESPACE });
  const leader = (candidates: Candidate[]): Candidate | undefined => {
    const leading = candidates.filter((c) => c.election.isLeader());
    assert.ok(leading.length <= 1, `two leaders: ${leading.map((c) => c.identity).join(', ')}`);
    return leading[0];
  };

  it('lets one of two candidates lead while the other stands by, and the Lease names the leader', async () => {
    const name = newLeaseName();
    const a = candidate(name, 'operator-a');
    const b = candidate(name, 'operator-b');
    const first = await eventually('a leader', () => leader([a, b]));
    // Several renewals later it is still the only leader.
    for (let i = 0; i < 20; i++) {
      await sleep(100);
      assert.equal(leader([a, b]), first);
    }
    const lease = await readLease(name);
    assert.equal(lease.spec?.holderIdentity, first.identity);
    assert.equal(lease.spec?.leaseDurationSeconds, TIMINGS.leaseDurationSeconds);
    assert.equal(lease.spec?.leaseTransitions, 0);
    // RFC 3339 with microseconds, as the API server's MicroTime wants it.
    assert.match(String(lease.spec?.renewTime), MICRO_TIME);
    assert.match(String(lease.spec?.acquireTime), MICRO_TIME);
    assert.deepEqual(
      first.events.map((e) => e.event),
      ['started'],
    );
  });

  it('hands the Lease to the other candidate within about two retry periods when the leader stops', async () => {
    const name = newLeaseName();
    const a = candidate(name, 'operator-a');
    await eventually('a to lead', () => (a.election.isLeader() ? true : undefined));
    const b = candidate(name, 'operator-b');
    await sleep(1000);
    assert.equal(b.election.isLeader(), false);

    const stoppedAt = Date.now();
    await a.election.stop();
    assert.equal(a.election.isLeader(), false);
    await eventually('b to lead', () => (b.election.isLeader() ? true : undefined));
    const handover = Date.now() - stoppedAt;
    // Well before the 3 s lease could have expired: the release, not the expiry, let b in.
    assert.ok(handover < TIMINGS.leaseDurationSeconds * 1000, `handover took ${handover} ms`);
    console.error(`leader election: handover after release took ${handover} ms`);

    const lease = await readLease(name);
    assert.equal(lease.spec?.holderIdentity, 'operator-b');
    assert.equal(lease.spec?.leaseTransitions, 1);
    assert.equal(lease.spec?.leaseDurationSeconds, TIMINGS.leaseDurationSeconds);
  });

  it('lets the other candidate take over a lease duration after the leader went silent, the silent one stepping down first', async () => {
    const name = newLeaseName();
    const silent = cuttable(createLeaseClient({ kubeConfig, namespace: NAMESPACE, name }));
    const a = candidate(name, 'operator-a', silent.client);
    await eventually('a to lead', () => (a.election.isLeader() ? true : undefined));
    const b = candidate(name, 'operator-b');
    await sleep(1000);

    silent.cut();
    const cutAt = Date.now();
    const lastRenewal = new Date(String((await readLease(name)).spec?.renewTime)).getTime();
    await eventually('b to take over', () => (b.election.isLeader() ? true : undefined));
    console.error(`leader election: takeover after the leader went silent took ${Date.now() - cutAt} ms`);

    // a gave up when its renew deadline passed, before b could take the Lease.
    assert.equal(a.election.isLeader(), false);
    const stopped = a.events.find((e) => e.event === 'stopped');
    const started = b.events.find((e) => e.event === 'started');
    assert.ok(stopped && started);
    assert.ok(stopped.at < started.at);

    const lease = await readLease(name);
    assert.equal(lease.spec?.holderIdentity, 'operator-b');
    assert.equal(lease.spec?.leaseTransitions, 1);
    const acquired = new Date(String(lease.spec?.acquireTime)).getTime();
    assert.ok(
      acquired - lastRenewal >= TIMINGS.leaseDurationSeconds * 1000,
      `taken ${acquired - lastRenewal} ms after the last renewal`,
    );
  });

  it('creates the Lease it campaigns for, and a second candidate that loses the create race still stands by', async () => {
    const name = newLeaseName();
    const candidates = [candidate(name, 'operator-a'), candidate(name, 'operator-b'), candidate(name, 'operator-c')];
    const first = await eventually('a leader', () => leader(candidates));
    await sleep(1500);
    assert.equal(leader(candidates), first);
    assert.equal((await readLease(name)).spec?.holderIdentity, first.identity);
  });
});
