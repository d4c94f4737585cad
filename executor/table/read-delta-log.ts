/**
 * Reads the feature table's Delta log (`features/_delta_log/`): the latest version and the
 * files current at a version, by replaying commits 0..N (the protocol's "Action
 * Reconciliation": the last add or remove of a path wins). Every commit must be ours and the
 * versions contiguous; checkpoint files are written by other engines, never by us, so one
 * is refused like a foreign commit.
 */
import { FeatureJobError } from '../errors.js';
import { DELTA_LOG_PREFIX, deltaCommitKey } from '../plan/partition-naming.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { AddAction, DeltaAction } from './delta-actions.js';
import { assertOwnCommit, parseDeltaCommit } from './delta-commit-file.js';

const COMMIT_NAME = /^(\d{20})\.json$/;
/** Files other tools may leave beside commits that change nothing a reader sees. */
const HARMLESS_NAME = /^(\d{20})\.crc$|^\.|^_commits\/?$/;

/**
 * The latest committed version, or undefined when the output holds no table. The latest
 * commit must be ours (FJ_TABLE_FOREIGN_COMMIT, FJ_TABLE_LOG_INVALID otherwise): a run never
 * builds on a version another engine made.
 */
export async function readLatestTableVersion(output: ObjectStore): Promise<number | undefined> {
  const latest = await readLatestCommitNumber(output);
  if (latest === undefined) return undefined;
  const key = deltaCommitKey(latest);
  const bytes = await output.get(key);
  assertOwnCommit(parseDeltaCommit(Buffer.from(bytes).toString('utf8'), output.uriOf(key)), output.uriOf(key));
  return latest;
}

async function readLatestCommitNumber(output: ObjectStore): Promise<number | undefined> {
  const versions: number[] = [];
  for await (const object of output.list(DELTA_LOG_PREFIX)) {
    const name = object.key.slice(DELTA_LOG_PREFIX.length);
    const match = COMMIT_NAME.exec(name);
    if (match !== null) versions.push(Number(match[1]));
    else if (!HARMLESS_NAME.test(name)) {
      throw new FeatureJobError(
        'FJ_TABLE_FOREIGN_COMMIT',
        `${output.uriOf(object.key)} is not a commit featurejob writes (a checkpoint or another engine's file)`,
      );
    }
  }
  if (versions.length === 0) return undefined;
  versions.sort((a, b) => a - b);
  // The folder's URI without its trailing '/': a FileStore refuses a key with an empty segment.
  const log = output.uriOf(DELTA_LOG_PREFIX.slice(0, -1));
  versions.forEach((version, position) => {
    if (version === position) return;
    throw new FeatureJobError(
      'FJ_TABLE_LOG_INVALID',
      position === 0
        ? `${log} starts at version ${version}: version 0 is missing`
        : `${log} jumps to version ${version} after ${position - 1}: a commit is missing`,
    );
  });
  return versions.at(-1);
}

export interface TableSnapshot {
  readonly version: number;
  /** Current data files by path relative to the table root (decoded), with their add action. */
  readonly files: Map<string, AddAction>;
  /** The plan whose run made each version, oldest first. */
  readonly planIds: string[];
}

/** Replays commits 0..`version`; throws FJ_TABLE_LOG_INVALID or FJ_TABLE_FOREIGN_COMMIT naming the file. */
export async function readTableSnapshot(output: ObjectStore, version: number): Promise<TableSnapshot> {
  const files = new Map<string, AddAction>();
  const planIds: string[] = [];
  for (let v = 0; v <= version; v++) {
    const { actions, planId } = await readOwnCommit(output, v);
    planIds.push(planId);
    for (const action of actions) {
      if (action.kind === 'add') files.set(decodeURIComponent(action.add.path), action.add);
      else if (action.kind === 'remove') files.delete(decodeURIComponent(action.remove.path));
    }
  }
  return { version, files, planIds };
}

/**
 * Every data file some commit 0..`version` adds, by path relative to the table root (decoded):
 * the current ones and those a later commit removed, which time travel still reads.
 */
export async function readAddedFiles(output: ObjectStore, version: number): Promise<Set<string>> {
  const added = new Set<string>();
  for (let v = 0; v <= version; v++) {
    for (const action of (await readOwnCommit(output, v)).actions)
      if (action.kind === 'add') added.add(decodeURIComponent(action.add.path));
  }
  return added;
}

async function readOwnCommit(
  output: ObjectStore,
  version: number,
): Promise<{ actions: DeltaAction[]; planId: string }> {
  const key = deltaCommitKey(version);
  const bytes = await output.getIfExists(key);
  if (bytes === undefined)
    throw new FeatureJobError('FJ_TABLE_LOG_INVALID', `${output.uriOf(key)} is missing from the table's log`);
  const actions = parseDeltaCommit(Buffer.from(bytes).toString('utf8'), output.uriOf(key));
  return { actions, planId: assertOwnCommit(actions, output.uriOf(key)).planId };
}
