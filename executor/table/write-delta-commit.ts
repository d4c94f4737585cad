/**
 * Creates version N's commit file create-only (S3 `If-None-Match: *`, an exclusive create on
 * files): of two runs committing the same version exactly one creates it. The other reads it
 * back: made by the same plan (the same run, retried, or its twin) it is our commit; made by
 * another plan it is FJ_TABLE_VERSION_CONFLICT, and nothing of ours is in the table.
 */
import { FeatureJobError } from '../errors.js';
import { deltaCommitKey } from '../plan/partition-naming.js';
import type { ObjectStore } from '../storage/object-store.js';
import { assertOwnCommit, encodeDeltaCommit, parseDeltaCommit } from './delta-commit-file.js';

export async function writeDeltaCommit(
  output: ObjectStore,
  version: number,
  planId: string,
  actions: ReadonlyArray<Record<string, unknown>>,
): Promise<{ readonly created: boolean }> {
  const key = deltaCommitKey(version);
  if (await output.putIfAbsent(key, encodeDeltaCommit(actions))) return { created: true };
  const bytes = await output.get(key);
  const winner = assertOwnCommit(
    parseDeltaCommit(Buffer.from(bytes).toString('utf8'), output.uriOf(key)),
    output.uriOf(key),
  );
  if (winner.planId !== planId) {
    throw new FeatureJobError(
      'FJ_TABLE_VERSION_CONFLICT',
      `version ${version} of ${output.uriOf(key)} was committed by plan ${winner.planId}, not this run's plan ${planId}`,
    );
  }
  return { created: false };
}
