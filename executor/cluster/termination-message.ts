import { writeFileSync } from 'node:fs';
import { z } from 'zod';

/** Kubernetes' default terminationMessagePath: the kubelet copies it into the pod's status. */
export const TERMINATION_LOG_PATH = '/dev/termination-log';
/** The kubelet keeps at most 4 KiB of it: the whole line stays within that. */
export const MAX_TERMINATION_MESSAGE_BYTES = 4096;
const MAX_MESSAGE_CHARS = 3_000;
/** The log lines a termination message may carry, room permitting (the whole tail is in storage). */
export const MAX_TERMINATION_LOG_LINES = 20;

export const TerminationMessageSchema = z.object({
  code: z.string().max(64),
  reason: z.string().max(128),
  message: z.string().max(4096),
  /** Where the failed task left its log tail (`…/_featurejob/logs/…`), when it could write it. */
  logUri: z.string().max(2048).optional(),
  /** The last lines of that log, as many as fit in the 4 KiB. */
  logTail: z.string().max(4096).optional(),
});
export type TerminationMessage = z.infer<typeof TerminationMessageSchema>;

const bytesOf = (value: unknown): number => Buffer.byteLength(JSON.stringify(value));

/**
 * One JSON line within the kubelet's 4 KiB, so the operator can read the failure's stable
 * code instead of its text: the code, the reason, the log's URI, then the message (shortened
 * when it must be), then as many of the last log lines as still fit (none when none does).
 */
export function encodeTerminationMessage(message: TerminationMessage): string {
  const { logTail, ...rest } = message;
  const base = { ...rest, message: rest.message.slice(0, MAX_MESSAGE_CHARS) };
  while (bytesOf(base) > MAX_TERMINATION_MESSAGE_BYTES && base.message.length > 0) {
    const excess = bytesOf(base) - MAX_TERMINATION_MESSAGE_BYTES;
    base.message = base.message.slice(0, Math.max(0, base.message.length - Math.max(16, excess)));
  }
  const lines = (logTail ?? '')
    .split('\n')
    .filter((line) => line !== '')
    .slice(-MAX_TERMINATION_LOG_LINES);
  while (lines.length > 0) {
    const withTail = { ...base, logTail: lines.join('\n') };
    if (bytesOf(withTail) <= MAX_TERMINATION_MESSAGE_BYTES) return JSON.stringify(withTail);
    lines.shift();
  }
  return JSON.stringify(base);
}

/**
 * Reads the last JSON line of a container's termination message (the file, or the log tail
 * with FallbackToLogsOnError); undefined when the container died before writing one.
 */
export function parseTerminationMessage(text: string | undefined): TerminationMessage | undefined {
  if (text === undefined) return undefined;
  const lines = text.trim().split('\n').reverse();
  for (const line of lines) {
    if (!line.startsWith('{')) continue;
    try {
      const parsed = TerminationMessageSchema.safeParse(JSON.parse(line));
      if (parsed.success) return parsed.data;
    } catch {
      // not JSON: keep looking
    }
  }
  return undefined;
}

/**
 * Written to the termination log where the pod has one, and to stderr (the log fallback,
 * which keeps only the log's last 2 KiB) without the log lines: they are in the log already.
 */
export function writeTerminationMessage(message: TerminationMessage, path: string = TERMINATION_LOG_PATH): void {
  const { logTail: _, ...short } = message;
  process.stderr.write(`${encodeTerminationMessage(short)}\n`);
  const line = encodeTerminationMessage(message);
  try {
    writeFileSync(path, line);
  } catch {
    // outside Kubernetes (or a read-only path): stderr is enough
  }
}
