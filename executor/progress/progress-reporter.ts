import type { ProgressMode } from '../config/run-config.js';
import { formatDuration } from './format-duration.js';

export interface ProgressOptions {
  readonly mode: ProgressMode;
  /** Images this run has to process (committed partitions excluded). */
  readonly total: number;
  readonly stream: NodeJS.WriteStream;
  readonly now?: () => number;
  readonly logIntervalMs?: number;
}

const BAR_WIDTH = 28;

/**
 * Shows progress: a redrawn bar with images/s and ETA on a terminal, a plain line every few
 * seconds otherwise (CI logs, kubectl logs). Counts come from workers per partition.
 */
export class ProgressReporter {
  private readonly perPartition = new Map<number, { done: number; failed: number }>();
  private readonly now: () => number;
  private readonly started: number;
  private readonly mode: 'bar' | 'log' | 'none';
  private lastDraw = 0;
  private lastDrawnDone = -1;
  private firstImage: number | undefined;

  constructor(private readonly options: ProgressOptions) {
    this.now = options.now ?? (() => performance.now());
    this.started = this.now();
    this.mode = options.mode === 'auto' ? (options.stream.isTTY ? 'bar' : 'log') : options.mode;
  }

  update(index: number, done: number, failed: number): void {
    this.perPartition.set(index, { done, failed });
    if (this.firstImage === undefined && done > failed) this.firstImage = this.now();
    this.draw(false);
  }

  get done(): number {
    let sum = 0;
    for (const counts of this.perPartition.values()) sum += counts.done;
    return sum;
  }

  get failed(): number {
    let sum = 0;
    for (const counts of this.perPartition.values()) sum += counts.failed;
    return sum;
  }

  /** When the first image's features were ready, on the clock's scale (ms since process start by default). */
  get firstImageAt(): number | undefined {
    return this.firstImage;
  }

  finish(): void {
    // A log line already showing the final count need not be repeated.
    if (this.mode !== 'log' || this.lastDrawnDone !== this.done) this.draw(true);
    if (this.mode === 'bar') this.options.stream.write('\n');
  }

  private draw(force: boolean): void {
    if (this.mode === 'none') return;
    const now = this.now();
    const interval = this.mode === 'bar' ? 200 : (this.options.logIntervalMs ?? 5_000);
    if (!force && now - this.lastDraw < interval) return;
    this.lastDraw = now;
    const { total } = this.options;
    const done = this.done;
    this.lastDrawnDone = done;
    const elapsed = (now - this.started) / 1000;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const eta = rate > 0 ? (total - done) / rate : Number.NaN;
    const stats = `${done}/${total} images  ${rate.toFixed(2)} img/s  ETA ${formatDuration(eta)}  failed ${this.failed}`;
    if (this.mode === 'bar') {
      const filled = total === 0 ? BAR_WIDTH : Math.round((done / total) * BAR_WIDTH);
      this.options.stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${stats}  `);
    } else {
      this.options.stream.write(`progress: ${stats}  elapsed ${formatDuration(elapsed)}\n`);
    }
  }
}
