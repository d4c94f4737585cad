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
  return findTerminationMessage(text)?.message;
}

/** The last line that is a termination message, and the log lines before it (the fallback's case). */
function findTerminationMessage(
  text: string | undefined,
): { readonly message: TerminationMessage; readonly before: readonly string[] } | undefined {
  if (text === undefined) return undefined;
  const lines = text.trim().split('\n');
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    const line = lines[i] as string;
    if (!line.startsWith('{')) continue;
    try {
      const parsed = TerminationMessageSchema.safeParse(JSON.parse(line));
      if (parsed.success) return { message: parsed.data, before: lines.slice(0, i) };
    } catch {
      // not JSON: keep looking
    }
  }
  return undefined;
}

/** The least of the log's end the kubelet keeps with FallbackToLogsOnError (2 KiB or 80 lines). */
const FALLBACK_LOG_BYTES = 2048;

function isJsonLine(line: string): boolean {
  if (!line.startsWith('{')) return false;
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

/**
 * The last log lines a terminated container's message carries: the message's own `logTail`
 * (read from the termination-log file), else, when the kubelet fell back to the log's end
 * (FallbackToLogsOnError), the complete lines before the message line; undefined when none.
 */
export function parseTerminationLogTail(text: string | undefined): string | undefined {
  const found = findTerminationMessage(text);
  if (found === undefined) return undefined;
  if (found.message.logTail !== undefined && found.message.logTail !== '') return found.message.logTail;
  // A long log's end starts anywhere in a line: its first line counts only when it is whole (a JSON log record).
  const cut = Buffer.byteLength(text ?? '') >= FALLBACK_LOG_BYTES && !isJsonLine(found.before[0] ?? '');
  const lines = found.before.slice(cut ? 1 : 0).filter((line) => line.trim() !== '');
  return lines.length === 0 ? undefined : lines.slice(-MAX_TERMINATION_LOG_LINES).join('\n');
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
