/**
 * A table version's errors (`table.errorsUri`, `_featurejob/.../errors.jsonl`): exactly the
 * image index's error entries, with their codes; and `errors.jsonl`, once the version is
 * published, is a copy of them (commit/publish-table-version.ts).
 */
import { parseErrorLines, type ErrorRecord } from '../output/error-record.js';
import type { ManifestTable } from '../output/manifest-schema.js';
import { ERRORS_KEY } from '../plan/partition-naming.js';
import type { ObjectStore } from '../storage/object-store.js';
import { isErrorEntry, type ImageIndexEntry } from '../table/image-index.js';
import { messageOf, type ProblemList } from './problem-list.js';

export interface TableErrorsCheck {
  readonly output: ObjectStore;
  readonly table: ManifestTable;
  /** `table.errorsUri` as a key of the output. */
  readonly errorsKey: string;
  readonly index: readonly ImageIndexEntry[];
  /** Whether errors.jsonl must be a copy of the version's errors (false while a newer version is unpublished). */
  readonly published: boolean;
  /** The run's errors file: already checked as such, so a missing one is not reported twice. */
  readonly runErrorsKey: string;
  readonly found: ProblemList;
}

export async function verifyTableErrors(check: TableErrorsCheck): Promise<void> {
  const { output, table, errorsKey, index, found } = check;
  const uri = output.uriOf(errorsKey);
  const bytes = await output.getIfExists(errorsKey);
  if (bytes === undefined) {
    found.add('table-errors', `${uri}, the errors of table version ${table.version}, does not exist`);
    return;
  }
  let records: ErrorRecord[];
  try {
    records = parseErrorLines(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    found.add('table-errors', `${uri} is not valid: ${messageOf(error)}`);
    return;
  }
  const ofVersion = `the image index of version ${table.version}`;
  const expected = new Map(index.filter(isErrorEntry).map((entry) => [entry.path, entry]));
  const listed = new Set<string>();
  for (const record of records) {
    if (listed.has(record.path)) found.add('table-errors', `${uri} lists ${record.path} more than once`);
    listed.add(record.path);
    const entry = expected.get(record.path);
    if (entry === undefined)
      found.add('table-errors', `${uri} lists ${record.path} (${record.code}), but ${ofVersion} holds no error for it`);
    else if (entry.code !== record.code)
      found.add('table-errors', `${uri} lists ${record.path} with ${record.code}, ${ofVersion} with ${entry.code}`);
  }
  for (const [path, entry] of expected) {
    if (!listed.has(path))
      found.add('table-errors', `${ofVersion} lists ${path} as failed (${entry.code}), but ${uri} does not`);
  }
  if (!check.published || errorsKey === ERRORS_KEY) return;
  const publishedBytes = await output.getIfExists(ERRORS_KEY);
  if (publishedBytes === undefined) {
    if (check.runErrorsKey !== ERRORS_KEY) found.add('table-errors', `${output.uriOf(ERRORS_KEY)} does not exist`);
  } else if (!Buffer.from(publishedBytes).equals(Buffer.from(bytes))) {
    found.add(
      'table-errors',
      `${output.uriOf(ERRORS_KEY)} is not a copy of ${uri}, the errors of table version ${table.version}`,
    );
  }
}
