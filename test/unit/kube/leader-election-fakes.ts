import {
  LEASE_CONFLICT,
  type LeaseClient,
  type LeaseRecord,
  type StoredLease,
} from '../../../operator/kube/leader-election-lease.js';

/** Lets pending promise chains and immediates run. */
export async function flush(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** A clock and delay function that move only when a test advances them. */
export class FakeClock {
  private time: number;
  private readonly timers = new Set<{ at: number; fire: () => void }>();

  constructor(start = Date.UTC(2030, 0, 1)) {
    this.time = start;
  }

  readonly now = (): Date => new Date(this.time);

  readonly delay = (ms: number, signal: AbortSignal): Promise<void> =>
    new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const timer = {
        at: this.time + ms,
        fire: () => {
          this.timers.delete(timer);
          signal.removeEventListener('abort', timer.fire);
          resolve();
        },
      };
      this.timers.add(timer);
      signal.addEventListener('abort', timer.fire, { once: true });
    });

  /** Moves time on by `ms`, firing each timer due on the way in order, letting work run between. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    for (;;) {
      await flush();
      let next: { at: number; fire: () => void } | undefined;
      for (const timer of this.timers)
        if (timer.at <= target && (next === undefined || timer.at < next.at)) next = timer;
      if (next === undefined) break;
      this.time = Math.max(this.time, next.at);
      next.fire();
    }
    this.time = target;
    await flush();
  }

  /** Advances in steps, calling `check` after each (to watch an invariant over time). */
  async advanceWatching(ms: number, stepMs: number, check: () => void): Promise<void> {
    for (let done = 0; done < ms; done += stepMs) {
      await this.advance(Math.min(stepMs, ms - done));
      check();
    }
  }
}

/** How a cut-off candidate's requests behave: fail at once, or never answer. */
export type Outage = 'fail' | 'hang' | undefined;

/** One Lease in memory, with the API server's resourceVersion conflicts. */
export class MemoryLease {
  private stored: StoredLease | undefined;
  private version = 0;
  /** Every successful write, in order. */
  readonly writes: LeaseRecord[] = [];

  constructor(initial?: LeaseRecord) {
    if (initial) this.put(initial);
  }

  get current(): StoredLease | undefined {
    return this.stored;
  }

  /** A write by someone outside the test's candidates (another holder renewing). */
  put(record: LeaseRecord): StoredLease {
    this.version += 1;
    this.stored = { record: { ...record }, resourceVersion: String(this.version) };
    this.writes.push({ ...record });
    return this.stored;
  }

  client(outage: () => Outage = () => undefined): LeaseClient {
    const guard = async (): Promise<void> => {
      const mode = outage();
      if (mode === 'fail') throw new Error('connect ECONNREFUSED');
      if (mode === 'hang') await new Promise(() => {});
    };
    return {
      read: async () => {
        await guard();
        return this.stored;
      },
      create: async (record) => {
        await guard();
        if (this.stored) return LEASE_CONFLICT;
        return this.put(record);
      },
      update: async (record, resourceVersion) => {
        await guard();
        if (this.stored?.resourceVersion !== resourceVersion) return LEASE_CONFLICT;
        return this.put(record);
      },
    };
  }
}
