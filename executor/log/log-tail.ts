/**
 * The end of a process's own log, kept in memory so that a failed task can leave it in the
 * output (`_featurejob/logs/`, docs/reliability.md, "Logs outlive pods"): a ring of the last
 * lines, bounded by a line count and a byte size, whichever is reached first. A line longer
 * than the byte bound keeps its end. Lines are what the logger writes (one JSON object each).
 */

export const LOG_TAIL_MAX_LINES = 200;
export const LOG_TAIL_MAX_BYTES = 64 * 1024;

export class LogTail {
  readonly #maxLines: number;
  readonly #maxBytes: number;
  #lines: string[] = [];
  #bytes = 0;
  /** A chunk's text after its last newline, waiting for the rest of its line. */
  #partial = '';

  constructor(options: { maxLines?: number; maxBytes?: number } = {}) {
    this.#maxLines = Math.max(1, options.maxLines ?? LOG_TAIL_MAX_LINES);
    this.#maxBytes = Math.max(1, options.maxBytes ?? LOG_TAIL_MAX_BYTES);
  }

  /** Takes what a log destination is given: one or more lines, or part of one. */
  write(chunk: string): void {
    const parts = (this.#partial + chunk).split('\n');
    this.#partial = parts.pop() ?? '';
    if (Buffer.byteLength(this.#partial) > this.#maxBytes) this.#partial = keepEnd(this.#partial, this.#maxBytes);
    for (const line of parts) this.#push(line);
  }

  /** The kept lines, oldest first, each ending in a newline (a pending partial line included). */
  text(): string {
    const lines = this.#partial === '' ? this.#lines : [...this.#lines, this.#partial];
    return lines.map((line) => `${line}\n`).join('');
  }

  /** The last `count` kept lines (the ones a short report has room for). */
  lastLines(count: number): string[] {
    const lines = this.#partial === '' ? this.#lines : [...this.#lines, this.#partial];
    return count <= 0 ? [] : lines.slice(-count);
  }

  /** Forgets every line: a worker process starts each task's log afresh. */
  clear(): void {
    this.#lines = [];
    this.#bytes = 0;
    this.#partial = '';
  }

  #push(raw: string): void {
    // Each kept line costs its bytes and its newline.
    const line = Buffer.byteLength(raw) + 1 > this.#maxBytes ? keepEnd(raw, this.#maxBytes - 1) : raw;
    this.#lines.push(line);
    this.#bytes += Buffer.byteLength(line) + 1;
    while (this.#lines.length > this.#maxLines || this.#bytes > this.#maxBytes) {
      const dropped = this.#lines.shift() as string;
      this.#bytes -= Buffer.byteLength(dropped) + 1;
    }
  }
}

/** The longest end of `text` within `maxBytes` bytes of UTF-8, never splitting a character. */
export function keepEnd(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text);
  if (bytes.length <= maxBytes) return text;
  let start = bytes.length - Math.max(0, maxBytes);
  // Skip UTF-8 continuation bytes (10xxxxxx) so the kept part starts on a character.
  while (start < bytes.length && ((bytes[start] as number) & 0xc0) === 0x80) start += 1;
  return bytes.subarray(start).toString('utf8');
}
