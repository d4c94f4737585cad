import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { afterEach, describe, it } from 'node:test';
import { pino } from 'pino';
import {
  startElectionLoop,
  type ElectionLoopOptions,
  type LeaderElection,
} from '../../../operator/kube/leader-election-loop.js';
import { FakeClock, MemoryLease, type Outage } from './leader-election-fakes.js';

const SECOND = 1000;

interface Candidate {
  readonly election: LeaderElection;
  readonly events: string[];
  signal(): AbortSignal | undefined;
}

describe('startElectionLoop', () => {
  const running: LeaderElection[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((election) => election.stop()));
  });

  /** A candidate on the fake clock with the default timings (15 s lease, 10 s renew deadline, 2 s retry). */
  const candidate = (
    clock: FakeClock,
    lease: MemoryLease,
    identity: string,
    extra: Partial<ElectionLoopOptions> & { outage?: () => Outage } = {},
  ): Candidate => {
    const { outage, ...overrides } = extra;
    const events: string[] = [];
    let signal: AbortSignal | undefined;
    const election = startElectionLoop({
      lease: 'featurejob-system/featurejob-operator',
      identity,
      now: clock.now,
      delay: clock.delay,
      leaseClient: lease.client(outage),
      onStartedLeading: (s) => {
        signal = s;
        events.push('started');
      },
      onStoppedLeading: () => events.push('stopped'),
      ...overrides,
    });
    running.push(election);
    return { election, events, signal: () => signal };
  };

  it('creates the Lease and leads at once when there is none', async () => {
    const clock = new FakeClock();
    const lease = new MemoryLease();
    const a = candidate(clock, lease, 'a');
    await clock.advance(0);
    assert.equal(a.election.isLeader(), true);
    assert.deepEqual(a.events, ['started']);
    assert.deepEqual(lease.current?.record, {
      holderIdentity: 'a',
      leaseDurationSeconds: 15,
      acquireTime: clock.now(),
      renewTime: clock.now(),
      leaseTransitions: 0,
    });
  });

  it('lets exactly one of two candidates lead, for as long as the leader renews', async () => {
    const clock = new FakeClock();
    const lease = new MemoryLease();
    const a = candidate(clock, lease, 'a');
    const b = candidate(clock, lease, 'b');
    await clock.advanceWatching(120 * SECOND, 500, () => {
      assert.equal([a, b].filter((c) => c.election.isLeader()).length, 1);
    });
    const leader = a.election.isLeader() ? 'a' : 'b';
    assert.equal(lease.current?.record.holderIdentity, leader);
    assert.equal(lease.current?.record.leaseTransitions, 0);
  });

  it('renews every retry period, keeping acquireTime and leaseTransitions', async () => {
    const clock = new FakeClock();
    const lease = new MemoryLease();
    candidate(clock, lease, 'a');
    await clock.advance(0);
    const acquired = clock.now();
    await clock.advance(10 * SECOND);
    assert.equal(lease.writes.length, 6);
    const record = lease.current!.record;
    assert.deepEqual(record.acquireTime, acquired);
    assert.equal(record.renewTime?.getTime(), acquired.getTime() + 10 * SECOND);
    assert.equal(record.leaseTransitions, 0);
  });

  it('never takes a Lease whose holder keeps renewing it', async () => {
    const clock = new FakeClock();
    const lease = new MemoryLease({
      holderIdentity: 'other',
      leaseDurationSeconds: 15,
      renewTime: clock.now(),
      leaseTransitions: 3,
    });
    const a = candidate(clock, lease, 'a');
    for (let i = 0; i < 30; i++) {
      await clock.advance(5 * SECOND);
      lease.put({ ...lease.current!.record, renewTime: clock.now() });
      assert.equal(a.election.isLeader(), false);
    }
  });

  it('takes over a silent holder after the lease duration, timed by its own clock rather than the stored renewTime', async () => {
    const clock = new FakeClock();
    // A renewTime far in the past (or a holder whose clock is behind) does not make it expired.
    const lease = new MemoryLease({
      holderIdentity: 'crashed',
      leaseDurationSeconds: 15,
      acquireTime: new Date(0),
      renewTime: new Date(0),
      leaseTransitions: 4,
    });
    const started = clock.now().getTime();
    const a = candidate(clock, lease, 'a');
    await clock.advance(14 * SECOND);
    assert.equal(a.election.isLeader(), false);
    await clock.advance(4 * SECOND);
    assert.equal(a.election.isLeader(), true);
    const record = lease.current!.record;
    assert.equal(record.holderIdentity, 'a');
    assert.equal(record.leaseTransitions, 5);
    assert.ok(record.acquireTime!.getTime() >= started + 15 * SECOND);
  });

  it('takes a released Lease at once', async () => {
    const clock = new FakeClock();
    const lease = new MemoryLease({
      holderIdentity: '',
      leaseDurationSeconds: 1,
      renewTime: clock.now(),
      leaseTransitions: 2,
    });
    const a = candidate(clock, lease, 'a');
    await clock.advance(0);
    assert.equal(a.election.isLeader(), true);
    assert.equal(lease.current?.record.leaseTransitions, 3);
  });

  it('lets only one of two candidates take over an expired Lease: the other write conflicts', async () => {
    const clock = new FakeClock();
    const lease = new MemoryLease({
      holderIdentity: 'crashed',
      leaseDurationSeconds: 15,
      renewTime: clock.now(),
      leaseTransitions: 0,
    });
    // Random jitter may line both attempts up or not; either way only one may win.
    const a = candidate(clock, lease, 'a');
    const b = candidate(clock, lease, 'b');
    await clock.advanceWatching(60 * SECOND, 250, () => {
      assert.ok([a, b].filter((c) => c.election.isLeader()).length <= 1);
    });
    assert.equal([a, b].filter((c) => c.election.isLeader()).length, 1);
    assert.equal(lease.current?.record.leaseTransitions, 1);
  });

  for (const mode of ['fail', 'hang'] as const) {
    it(`steps down when renewals ${mode === 'fail' ? 'fail' : 'hang'} for the renew deadline, before others may take over`, async () => {
      const clock = new FakeClock();
      const lease = new MemoryLease();
      let outage: Outage;
      const a = candidate(clock, lease, 'a', { outage: () => outage });
      const b = candidate(clock, lease, 'b');
      await clock.advance(0);
      const [leader, other] = a.election.isLeader() ? [a, b] : [b, a];
      assert.equal(leader, a);
      const lastRenewal = lease.current!.record.renewTime!.getTime();
      outage = mode;

      await clock.advanceWatching(30 * SECOND, 100, () => {
        if (other.election.isLeader()) assert.equal(leader.election.isLeader(), false);
      });
      assert.deepEqual(leader.events, ['started', 'stopped']);
      assert.equal(leader.signal()?.aborted, true);
      assert.deepEqual(other.events, ['started']);
      const takenOver = lease.writes.find((w) => w.holderIdentity === 'b')!;
      assert.ok(takenOver.renewTime!.getTime() >= lastRenewal + 15 * SECOND);

      // Over for this process: it does not campaign again once the API server answers again.
      outage = undefined;
      await other.election.stop();
      await clock.advance(60 * SECOND);
      assert.equal(leader.election.isLeader(), false);
      assert.deepEqual(leader.events, ['started', 'stopped']);
    });
  }

  it('on stop, ends the leader work first and then releases the Lease, without reporting a loss', async () => {
    const clock = new FakeClock();
    const lease = new MemoryLease();
    const order: string[] = [];
    const a = candidate(clock, lease, 'a', {
      onStartedLeading: (signal) =>
        new Promise<void>((resolve) => {
          signal.addEventListener('abort', () => {
            order.push(`work ends (holder ${lease.current?.record.holderIdentity})`);
            resolve();
          });
        }),
      onStoppedLeading: () => order.push('onStoppedLeading'),
    });
    await clock.advance(3 * SECOND);
    assert.equal(a.election.isLeader(), true);
    await a.election.stop();
    assert.equal(a.election.isLeader(), false);
    assert.deepEqual(order, ['work ends (holder a)']);
    assert.equal(lease.current?.record.holderIdentity, '');
    assert.equal(lease.current?.record.leaseDurationSeconds, 1);
    assert.equal(lease.current?.record.leaseTransitions, 0);
  });

  it('lets a successor lead at its next attempt after a release', async () => {
    const clock = new FakeClock();
    const lease = new MemoryLease();
    const a = candidate(clock, lease, 'a');
    await clock.advance(0);
    const b = candidate(clock, lease, 'b');
    await clock.advance(5 * SECOND);
    assert.equal(b.election.isLeader(), false);
    await a.election.stop();
    await clock.advance(2.4 * SECOND);
    assert.equal(b.election.isLeader(), true);
    assert.equal(lease.current?.record.leaseTransitions, 1);
  });

  it('does not release on stop when it never led, and calls no callback', async () => {
    const clock = new FakeClock();
    const lease = new MemoryLease({
      holderIdentity: 'other',
      leaseDurationSeconds: 15,
      renewTime: clock.now(),
      leaseTransitions: 0,
    });
    const a = candidate(clock, lease, 'a');
    await clock.advance(5 * SECOND);
    await a.election.stop();
    assert.deepEqual(a.events, []);
    assert.equal(lease.current?.record.holderIdentity, 'other');
    assert.equal(lease.writes.length, 1);
  });

  it('logs leader work that fails and keeps leading', async () => {
    const clock = new FakeClock();
    const lease = new MemoryLease();
    const lines: string[] = [];
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          lines.push(chunk.toString());
          callback();
        },
      }),
    );
    const a = candidate(clock, lease, 'a', {
      logger,
      onStartedLeading: () => Promise.reject(new Error('informer exploded')),
    });
    await clock.advance(10 * SECOND);
    assert.equal(a.election.isLeader(), true);
    const failure = lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((l) => l.msg === 'leader work failed');
    assert.ok(failure);
    assert.equal(failure.identity, 'a');
    assert.equal(failure.lease, 'featurejob-system/featurejob-operator');
  });

  it('refuses timings under which two leaders could overlap', () => {
    const base = {
      lease: 'ns/lease',
      identity: 'a',
      leaseClient: new MemoryLease().client(),
      onStartedLeading: () => {},
      onStoppedLeading: () => {},
    };
    assert.throws(
      () => startElectionLoop({ ...base, leaseDurationSeconds: 10, renewDeadlineSeconds: 10 }),
      /renewDeadlineSeconds/,
    );
    assert.throws(
      () => startElectionLoop({ ...base, renewDeadlineSeconds: 2, retryPeriodSeconds: 2 }),
      /retryPeriodSeconds/,
    );
    assert.throws(() => startElectionLoop({ ...base, leaseDurationSeconds: 2.5 }), /leaseDurationSeconds/);
    assert.throws(() => startElectionLoop({ ...base, identity: '' }), /identity/);
  });
});
