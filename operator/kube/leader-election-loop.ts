import type { Logger } from 'pino';
import { LEASE_CONFLICT, type LeaseClient, type LeaseRecord, type StoredLease } from './leader-election-lease.js';

export interface ElectionLoopOptions {
  /** Reads and writes the Lease. */
  readonly leaseClient: LeaseClient;
  /** `namespace/name` of the Lease, for logs. */
  readonly lease: string;
  /** Unique per process: the pod name. */
  readonly identity: string;
  /** How long others wait, after they last saw the Lease change, before taking it. Default 15. */
  readonly leaseDurationSeconds?: number;
  /** How long the leader keeps retrying a failing renewal before it gives up. Default 10. */
  readonly renewDeadlineSeconds?: number;
  /** Between acquire attempts and between renewals. Default 2. */
  readonly retryPeriodSeconds?: number;
  /** Leadership begins; `signal` aborts when it ends. A rejection is logged, nothing more. */
  readonly onStartedLeading: (signal: AbortSignal) => void | Promise<void>;
  /**
   * Leadership was lost: renewals failed for renewDeadlineSeconds. Called once at most, after
   * the signal aborted; never by stop(), whose caller already knows.
   */
  readonly onStoppedLeading: () => void;
  readonly logger?: Logger;
  readonly now?: () => Date;
  /** Waits `ms`, or less if `signal` aborts; never rejects. Default: a timer. */
  readonly delay?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface LeaderElection {
  isLeader(): boolean;
  /**
   * Stops campaigning. A leader aborts the signal, waits for onStartedLeading's promise to
   * settle (at most renewDeadlineSeconds), then releases the Lease so a successor starts at once.
   */
  stop(): Promise<void>;
}

// Acquire attempts wait up to this much longer than the retry period, so that candidates that
// started together do not keep colliding.
const JITTER_FACTOR = 0.2;

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

function validateTimings(lease: number, renew: number, retry: number): void {
  if (!Number.isInteger(lease) || lease < 1)
    throw new Error(`leaseDurationSeconds must be a whole number ≥ 1, got ${lease}`);
  if (!(renew > 0 && renew < lease))
    throw new Error(`renewDeadlineSeconds must be > 0 and < leaseDurationSeconds, got ${renew}`);
  if (!(retry > 0 && retry * (1 + JITTER_FACTOR) < renew)) {
    throw new Error(`retryPeriodSeconds must be > 0 and well below renewDeadlineSeconds, got ${retry}`);
  }
}

/**
 * Lease-based leader election (coordination.k8s.io/v1), after client-go's leaderelection,
 * over any LeaseClient (startLeaderElection wires it to the API server).
 *
 * A candidate creates the Lease if there is none, takes it once it is free (released) or has
 * not changed for its leaseDurationSeconds, and then renews it every retry period. Expiry is
 * measured from when this process last saw the Lease change, on its own clock, never by
 * comparing the holder's renewTime with local time: clocks of different nodes disagree.
 * Writes carry the resourceVersion that was read, so of two concurrent takeovers one gets 409.
 *
 * When renewals keep failing for renewDeadlineSeconds (shorter than the lease, so this happens
 * before anyone else may take over), the signal aborts and onStoppedLeading runs; the election
 * is then over for this process. The operator exits there and a fresh process campaigns again:
 * resuming in place would mean proving every piece of leader-only state was torn down.
 */
export function startElectionLoop(options: ElectionLoopOptions): LeaderElection {
  const leaseSeconds = options.leaseDurationSeconds ?? 15;
  const renewSeconds = options.renewDeadlineSeconds ?? 10;
  const retrySeconds = options.retryPeriodSeconds ?? 2;
  validateTimings(leaseSeconds, renewSeconds, retrySeconds);
  if (options.identity === '') throw new Error('identity must not be empty');

  const renewDeadlineMs = renewSeconds * 1000;
  const retryMs = retrySeconds * 1000;
  const client = options.leaseClient;
  const now = options.now ?? (() => new Date());
  const delay = options.delay ?? abortableDelay;
  const log = options.logger?.child({ lease: options.lease, identity: options.identity });

  const stopping = new AbortController();
  let leading = false;
  let leadership: AbortController | undefined;
  let work: Promise<void> = Promise.resolve();
  /** The Lease as last read or written, and when (our clock) its resourceVersion last changed. */
  let observed: { lease: StoredLease; changedAt: number } | undefined;

  /** Records what was read or written; returns when (our clock) it was first seen as it is. */
  const observe = (lease: StoredLease): number => {
    const changedAt = observed?.lease.resourceVersion === lease.resourceVersion ? observed.changedAt : now().getTime();
    observed = { lease, changedAt };
    return changedAt;
  };

  /** One read and at most one write; true when this candidate holds the Lease afterwards. */
  const tryAcquireOrRenew = async (): Promise<boolean> => {
    const at = now();
    const current = await client.read();
    if (current === undefined) {
      const created = await client.create({
        holderIdentity: options.identity,
        leaseDurationSeconds: leaseSeconds,
        acquireTime: at,
        renewTime: at,
        leaseTransitions: 0,
      });
      // Another candidate created it first: the next attempt reads theirs.
      if (created === LEASE_CONFLICT) return false;
      observe(created);
      return true;
    }
    const unchangedSince = observe(current);
    const held = current.record;
    const ours = held.holderIdentity === options.identity;
    if (!ours && held.holderIdentity !== '' && unchangedSince + held.leaseDurationSeconds * 1000 > now().getTime()) {
      return false;
    }
    const next: LeaseRecord = {
      holderIdentity: options.identity,
      leaseDurationSeconds: leaseSeconds,
      acquireTime: ours && held.acquireTime ? held.acquireTime : at,
      renewTime: at,
      leaseTransitions: ours ? held.leaseTransitions : held.leaseTransitions + 1,
    };
    const written = await client.update(next, current.resourceVersion);
    if (written === LEASE_CONFLICT) return false;
    observe(written);
    return true;
  };

  /**
   * A lease request that cannot outlast `ms` or stop(): a hung request must not let a leader
   * believe it leads after its Lease expired, nor hold up shutdown. A late answer of an
   * abandoned request does not count as a renewal here; to the others, a write it made looks
   * like one more renewal (so they wait a little longer, which is the safe side).
   */
  const within = async <T>(ms: number, request: () => Promise<T>, fallback: T, cancel?: AbortSignal): Promise<T> => {
    const timeout = new AbortController();
    const signal = cancel ? AbortSignal.any([cancel, timeout.signal]) : timeout.signal;
    const answer = request().catch((error: unknown) => {
      log?.warn({ err: error }, 'lease request failed');
      return fallback;
    });
    try {
      return await Promise.race([answer, delay(ms, signal).then(() => fallback)]);
    } finally {
      timeout.abort();
    }
  };
  const attemptWithin = (ms: number): Promise<boolean> => within(ms, tryAcquireOrRenew, false, stopping.signal);

  const beginLeading = (): void => {
    leading = true;
    leadership = new AbortController();
    const signal = leadership.signal;
    log?.info('became leader');
    work = Promise.resolve()
      .then(() => options.onStartedLeading(signal))
      .catch((error: unknown) => log?.error({ err: error }, 'leader work failed'));
  };

  const notifyStopped = (): void => {
    try {
      options.onStoppedLeading();
    } catch (error) {
      log?.error({ err: error }, 'onStoppedLeading threw');
    }
  };

  const stepDown = (): void => {
    leading = false;
    leadership?.abort();
  };

  const campaign = async (): Promise<void> => {
    while (!stopping.signal.aborted) {
      if (await attemptWithin(renewDeadlineMs)) break;
      await delay(retryMs * (1 + Math.random() * JITTER_FACTOR), stopping.signal);
    }
    if (stopping.signal.aborted) return;
    beginLeading();
    let renewedAt = now().getTime();
    for (;;) {
      await delay(retryMs, stopping.signal);
      if (stopping.signal.aborted) return;
      const left = renewedAt + renewDeadlineMs - now().getTime();
      if (left > 0 && (await attemptWithin(left))) {
        renewedAt = now().getTime();
        continue;
      }
      if (stopping.signal.aborted) return;
      if (now().getTime() - renewedAt >= renewDeadlineMs) {
        log?.warn({ renewDeadlineSeconds: renewSeconds }, 'lost leadership: no renewal within the renew deadline');
        stepDown();
        notifyStopped();
        return;
      }
    }
  };

  /** Hands the Lease on at once: no holder and a 1 s duration, as client-go does. */
  const release = async (): Promise<void> => {
    const last = observed?.lease;
    if (last === undefined || last.record.holderIdentity !== options.identity) return;
    const at = now();
    const released = await client.update(
      {
        holderIdentity: '',
        leaseDurationSeconds: 1,
        acquireTime: at,
        renewTime: at,
        leaseTransitions: last.record.leaseTransitions,
      },
      last.resourceVersion,
    );
    if (released === LEASE_CONFLICT) log?.warn('lease changed before release; left as it is');
    else log?.info('released leadership');
  };

  const running = campaign().catch((error: unknown) =>
    log?.error({ err: error }, 'leader election stopped on an error'),
  );
  let stopped: Promise<void> | undefined;

  return {
    isLeader: () => leading,
    stop() {
      stopped ??= (async () => {
        stopping.abort();
        await running;
        if (leading) {
          stepDown();
          // The Lease is still ours: no successor starts until the work settles or the renew
          // deadline passes (the last renewal was at most a retry period ago and the renew
          // deadline is below the lease duration, so the Lease has not expired by then).
          const settled = new AbortController();
          await Promise.race([work, delay(renewDeadlineMs, settled.signal)]);
          settled.abort();
        }
        // Also when not leading: an attempt cut short by stop() may have taken the Lease.
        await within(renewDeadlineMs, release, undefined);
      })();
      return stopped;
    },
  };
}
