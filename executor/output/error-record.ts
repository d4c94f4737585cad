import { z } from 'zod';
import { FeatureJobError } from '../errors.js';

/** A stable error code as written to output files (`FJ_…`); not limited to today's catalog. */
export const StableCodeSchema = z.string().regex(/^FJ_[A-Z0-9_]+$/, 'a stable code like FJ_IMAGE_CORRUPT');

/** One line of errors.jsonl: an image that produced no feature row, and why. */
export const ErrorRecordSchema = z.strictObject({
  path: z.string().min(1),
  code: StableCodeSchema,
  message: z.string(),
});

export interface ErrorRecord {
  path: string;
  code: string;
  message: string;
}

/**
 * JSON Lines: one record per line, keys always in the order path, code, message, each line
 * ending in '\n' (so shards of lines concatenate into errors.jsonl as they are). No records
 * give the empty string. JSON escapes line breaks inside strings, so a line is a record.
 */
export function encodeErrorLines(records: readonly ErrorRecord[]): string {
  let text = '';
  for (const record of records) {
    text += `${JSON.stringify({ path: record.path, code: record.code, message: record.message })}\n`;
  }
  return text;
}

/** Parses errors.jsonl; throws FJ_OUTPUT_INVALID naming the first line that is not a record. */
export function parseErrorLines(text: string): ErrorRecord[] {
  const records: ErrorRecord[] = [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop(); // the final line break ends the last record
  lines.forEach((line, index) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new FeatureJobError('FJ_OUTPUT_INVALID', `errors line ${index + 1} is not JSON`, { cause: error });
    }
    const parsed = ErrorRecordSchema.safeParse(value);
    if (!parsed.success) {
      throw new FeatureJobError('FJ_OUTPUT_INVALID', `errors line ${index + 1}: ${z.prettifyError(parsed.error)}`);
    }
    records.push(parsed.data);
  });
  return records;
}
