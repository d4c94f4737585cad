import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogTail } from './log-tail.js';

export type { Logger };

/**
 * Structured logs go to stderr so stdout stays free for results. A constant message plus
 * fields (featureJob, partition, ...), never interpolated strings. With a `tail`, every line
 * is also kept there (log-tail.ts), for a failed task to leave in the output.
 */
export function createLogger(options: { level?: string; name?: string; tail?: LogTail } = {}): Logger {
  const stderr = pino.destination(2);
  const { tail } = options;
  const destination: DestinationStream =
    tail === undefined
      ? stderr
      : {
          write(line: string): void {
            tail.write(line);
            stderr.write(line);
          },
        };
  return pino(
    { name: options.name ?? 'featurejob', level: options.level ?? process.env.FEATUREJOB_LOG_LEVEL ?? 'warn' },
    destination,
  );
}
