/**
 * The keys a version's planner found gone from the input (`_featurejob/versions/N/removed.jsonl`,
 * one JSON string per line, sorted): written before the plan index, read by the merge, which
 * takes their rows out of the table.
 */
import { z } from 'zod';
import { removedKeysKey } from '../plan/partition-naming.js';
import type { ObjectStore } from '../storage/object-store.js';
import { parseTableJsonLines } from './parse-json-lines.js';

const RemovedKeySchema = z.string().min(1);

export async function readRemovedKeys(output: ObjectStore, version: number): Promise<string[]> {
  const key = removedKeysKey(version);
  const bytes = await output.getIfExists(key);
  if (bytes === undefined) return [];
  return parseTableJsonLines(Buffer.from(bytes).toString('utf8'), output.uriOf(key), RemovedKeySchema);
}

export async function writeRemovedKeys(output: ObjectStore, version: number, keys: readonly string[]): Promise<void> {
  await output.put(removedKeysKey(version), keys.map((key) => `${JSON.stringify(key)}\n`).join(''));
}
