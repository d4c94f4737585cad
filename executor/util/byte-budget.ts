/**
 * A budget of bytes shared by concurrent holders (e.g. the full-resolution decodes of one
 * worker process). A holder acquires its size before allocating and releases it after; a
 * holder that does not fit waits. Waiters are served first come, first served, so a large
 * image is not overtaken forever by small ones. A request larger than the whole budget is
 * granted once nothing else is held, and then holds the budget alone: it still runs, never
 * beside another.
 */
export interface ByteBudgetStats {
  /** Bytes held right now. */
  readonly heldBytes: number;
  /** The most bytes ever held at once. */
  readonly peakHeldBytes: number;
  /** The most holders ever at once. */
  readonly peakHolders: number;
  /** Requests granted so far. */
  readonly granted: number;
  /** Requests that had to wait before they were granted. */
  readonly waited: number;
}

interface Waiter {
  readonly bytes: number;
  readonly grant: () => void;
}

export class ByteBudget {
  readonly capacityBytes: number;
  private held = 0;
  private holders = 0;
  private peakHeld = 0;
  private peakHolderCount = 0;
  private grantedCount = 0;
  private waitedCount = 0;
  private readonly waiters: Waiter[] = [];

  constructor(capacityBytes: number) {
    if (!Number.isSafeInteger(capacityBytes) || capacityBytes < 1)
      throw new RangeError(`a byte budget needs a positive integer capacity, got ${capacityBytes}`);
    this.capacityBytes = capacityBytes;
  }

  /** What the budget holds now and has held at most: observable by tests and logs. */
  get stats(): ByteBudgetStats {
    return {
      heldBytes: this.held,
      peakHeldBytes: this.peakHeld,
      peakHolders: this.peakHolderCount,
      granted: this.grantedCount,
      waited: this.waitedCount,
    };
  }

  /** Runs `fn` while holding `bytes` of the budget. */
  async run<T>(bytes: number, fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire(bytes);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /** Resolves, once `bytes` fit, to the function that gives them back (idempotent). */
  async acquire(bytes: number): Promise<() => void> {
    if (!Number.isSafeInteger(bytes) || bytes < 0)
      throw new RangeError(`a byte budget request must be a non-negative integer, got ${bytes}`);
    if (this.waiters.length === 0 && this.fits(bytes)) this.take(bytes);
    else {
      this.waitedCount += 1;
      await new Promise<void>((resolve) => this.waiters.push({ bytes, grant: resolve }));
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.held -= bytes;
      this.holders -= 1;
      this.grantWaiters();
    };
  }

  /** Fits beside what is held, or is alone: an oversized request waits for an empty budget. */
  private fits(bytes: number): boolean {
    return this.holders === 0 || this.held + bytes <= this.capacityBytes;
  }

  private take(bytes: number): void {
    this.held += bytes;
    this.holders += 1;
    this.grantedCount += 1;
    this.peakHeld = Math.max(this.peakHeld, this.held);
    this.peakHolderCount = Math.max(this.peakHolderCount, this.holders);
  }

  private grantWaiters(): void {
    for (let next = this.waiters[0]; next !== undefined && this.fits(next.bytes); next = this.waiters[0]) {
      this.waiters.shift();
      this.take(next.bytes);
      next.grant();
    }
  }
}
