/**
 * The table's JSON Lines files (the image index, removed keys): one value per line, each
 * checked with its schema. A line that is not JSON or not such a value is FJ_TABLE_INVALID
 * naming the file and the line: the run state of a version is ours, and never half read.
 */
import { z } from 'zod';
import { FeatureJobError } from '../errors.js';

export function parseTableJsonLines<T extends z.ZodType>(text: string, uri: string, schema: T): Array<z.output<T>> {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((line, number) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new FeatureJobError('FJ_TABLE_INVALID', `${uri} line ${number + 1} is not JSON`, { cause: error });
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success)
      throw new FeatureJobError('FJ_TABLE_INVALID', `${uri} line ${number + 1}: ${z.prettifyError(parsed.error)}`);
    return parsed.data;
  });
}
