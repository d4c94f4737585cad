/**
 * The keys a version's planner found gone from the input (`_featurejob/versions/N/removed.jsonl`,
 * one JSON string per line, sorted): written before the plan index, read by the merge, which
 * takes their rows out of the table.
 */
import { z } from 'zod';
import { FeatureJobError } from '../errors.js';
import { removedKeysKey } from '../plan/partition-naming.js';
import type { ObjectStore } from '../storage/object-store.js';

const RemovedKeySchema = z.string().min(1);

export async function readRemovedKeys(output: ObjectStore, version: number): Promise<string[]> {
  const key = removedKeysKey(version);
  const bytes = await output.getIfExists(key);
  if (bytes === undefined) return [];
  const lines = Buffer.from(bytes).toString('utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((line, number) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new FeatureJobError('FJ_TABLE_INVALID', `${output.uriOf(key)} line ${number + 1} is not JSON`, {
        cause: error,
      });
    }
    const parsed = RemovedKeySchema.safeParse(value);
    if (!parsed.success)
      throw new FeatureJobError('FJ_TABLE_INVALID', `${output.uriOf(key)} line ${number + 1} is not a key`);
    return parsed.data;
  });
}

export async function writeRemovedKeys(output: ObjectStore, version: number, keys: readonly string[]): Promise<void> {
  await output.put(removedKeysKey(version), keys.map((key) => `${JSON.stringify(key)}\n`).join(''));
}
