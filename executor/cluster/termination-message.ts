import { writeFileSync } from 'node:fs';
import { z } from 'zod';

/** Kubernetes' default terminationMessagePath: the kubelet copies it into the pod's status. */
export const TERMINATION_LOG_PATH = '/dev/termination-log';
/** The kubelet keeps at most 4 KiB of it. */
const MAX_MESSAGE_CHARS = 3_000;

export const TerminationMessageSchema = z.object({
  code: z.string().max(64),
  reason: z.string().max(128),
  message: z.string().max(4096),
});
export type TerminationMessage = z.infer<typeof TerminationMessageSchema>;

/** One JSON line, so the operator can read the failure's stable code instead of its text. */
export function encodeTerminationMessage(message: TerminationMessage): string {
  return JSON.stringify({ ...message, message: message.message.slice(0, MAX_MESSAGE_CHARS) });
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

/** Written to stderr (the log fallback) and to the termination log where the pod has one. */
export function writeTerminationMessage(message: TerminationMessage, path: string = TERMINATION_LOG_PATH): void {
  const line = encodeTerminationMessage(message);
  process.stderr.write(`${line}\n`);
  try {
    writeFileSync(path, line);
  } catch {
    // outside Kubernetes (or a read-only path): stderr is enough
  }
}
