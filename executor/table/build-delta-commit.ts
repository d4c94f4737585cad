/**
 * The actions of one table version's commit (docs/versions.md, "The Delta log"): our
 * commitInfo first, then (version 0 only) the protocol and the table's metadata, then a
 * `remove` for every earlier file that lost rows and an `add` for every new or rewritten file.
 */
import { randomUUID } from 'node:crypto';
import { DELTA_MIN_READER_VERSION, DELTA_MIN_WRITER_VERSION, ENGINE_INFO_PREFIX } from './delta-actions.js';
import type { DataFileStats } from './data-file-stats.js';
import { featureTableSchemaString } from './feature-table-schema.js';
import { FEATURES_PREFIX } from '../plan/partition-naming.js';

/** featurejob's version in commitInfo.engineInfo. */
export const ENGINE_VERSION = '0.1.0';

export interface CommitFile {
  /** Key relative to the output root (`features/...`). */
  readonly key: string;
  readonly bytes: number;
  readonly stats: DataFileStats;
}

export interface DeltaCommitInput {
  readonly version: number;
  readonly planId: string;
  readonly modelSha256: string;
  readonly added: readonly CommitFile[];
  /** Keys (relative to the output root) of files this version takes out of the table. */
  readonly removed: readonly string[];
  readonly changes?: Readonly<Record<string, number | boolean>>;
  readonly timestamp: number;
  /** Version 0's table id (metaData.id); random when absent. */
  readonly tableId?: string;
}

/** The path of a data file in the log: relative to the table root, URI-encoded. */
export function tablePathOf(key: string): string {
  const relative = key.startsWith(FEATURES_PREFIX) ? key.slice(FEATURES_PREFIX.length) : key;
  return relative.split('/').map(encodeURIComponent).join('/');
}

export function buildDeltaCommit(input: DeltaCommitInput): Array<Record<string, unknown>> {
  const actions: Array<Record<string, unknown>> = [
    {
      commitInfo: {
        timestamp: input.timestamp,
        operation: 'WRITE',
        operationParameters: { mode: input.version === 0 ? 'ErrorIfExists' : 'Append' },
        isBlindAppend: input.removed.length === 0,
        engineInfo: `${ENGINE_INFO_PREFIX}${ENGINE_VERSION}`,
        featurejob: {
          planId: input.planId,
          model: input.modelSha256,
          ...(input.changes === undefined ? {} : { changes: input.changes }),
        },
      },
    },
  ];
  if (input.version === 0) {
    actions.push({
      protocol: { minReaderVersion: DELTA_MIN_READER_VERSION, minWriterVersion: DELTA_MIN_WRITER_VERSION },
    });
    actions.push({
      metaData: {
        id: input.tableId ?? randomUUID(),
        format: { provider: 'parquet', options: {} },
        schemaString: featureTableSchemaString(),
        partitionColumns: [],
        configuration: {},
        createdTime: input.timestamp,
      },
    });
  }
  for (const key of input.removed) {
    actions.push({
      remove: {
        path: tablePathOf(key),
        deletionTimestamp: input.timestamp,
        dataChange: true,
        extendedFileMetadata: false,
        partitionValues: {},
      },
    });
  }
  for (const file of input.added) {
    actions.push({
      add: {
        path: tablePathOf(file.key),
        partitionValues: {},
        size: file.bytes,
        modificationTime: input.timestamp,
        dataChange: true,
        stats: JSON.stringify(file.stats),
      },
    });
  }
  return actions;
}
