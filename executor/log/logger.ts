import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured logs go to stderr so stdout stays free for results. A constant message plus
 * fields (featureJob, partition, ...), never interpolated strings.
 */
export function createLogger(options: { level?: string; name?: string } = {}): Logger {
  return pino(
    { name: options.name ?? 'featurejob', level: options.level ?? process.env.FEATUREJOB_LOG_LEVEL ?? 'warn' },
    pino.destination(2),
  );
}
