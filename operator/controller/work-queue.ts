/**
 * A rate-limited work queue of `namespace/name` keys, like client-go's: a key is queued at
 * most once, never processed by two workers at once (a change during processing queues it
 * again), and can be re-added after a delay (requeueAfter, error backoff).
 */
export interface WorkQueueOptions {
  readonly setTimer?: (fn: () => void, ms: number) => { unref?: () => void } & object;
  readonly clearTimer?: (timer: object) => void;
}

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly timers = new Map<string, { at: number; timer: object }>();
  private waiters: Array<(key: string | undefined) => void> = [];
  private shuttingDown = false;
  private readonly setTimer: NonNullable<WorkQueueOptions['setTimer']>;
  private readonly clearTimer: NonNullable<WorkQueueOptions['clearTimer']>;

  constructor(options: WorkQueueOptions = {}) {
    this.setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = options.clearTimer ?? ((timer) => clearTimeout(timer as NodeJS.Timeout));
  }

  add(key: string): void {
    if (this.shuttingDown) return;
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    const waiter = this.waiters.shift();
    if (waiter !== undefined) {
      this.queued.delete(key);
      this.processing.add(key);
      waiter(key);
      return;
    }
    this.queue.push(key);
  }

  /** Adds the key after `ms`; an earlier pending delay for the same key wins. */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    const at = Date.now() + ms;
    const pending = this.timers.get(key);
    if (pending !== undefined && pending.at <= at) return;
    if (pending !== undefined) this.clearTimer(pending.timer);
    const timer = this.setTimer(() => {
      this.timers.delete(key);
      this.add(key);
    }, ms);
    (timer as { unref?: () => void }).unref?.();
    this.timers.set(key, { at, timer });
  }

  /** The next key to process (marked as processing), or undefined once shut down. */
  get(): Promise<string | undefined> {
    const key = this.queue.shift();
    if (key !== undefined) {
      this.queued.delete(key);
      this.processing.add(key);
      return Promise.resolve(key);
    }
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks a key processed; if it changed meanwhile it is queued again. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.delete(key)) this.add(key);
  }

  get length(): number {
    return this.queue.length;
  }

  shutDown(): void {
    this.shuttingDown = true;
    for (const { timer } of this.timers.values()) this.clearTimer(timer);
    this.timers.clear();
    for (const waiter of this.waiters) waiter(undefined);
    this.waiters = [];
  }
}
