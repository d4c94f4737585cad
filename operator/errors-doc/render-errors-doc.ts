/**
 * The text of docs/errors.md, from the two registries: the data plane's codes
 * (executor/errors.ts) and the operator's reasons (operator/errors.ts). Pure: the writer
 * (write-errors-doc.ts) puts it on disk and a unit test compares it with the committed file,
 * so a code cannot be added without the page that explains it.
 */
import { CONDITION_TYPES } from '../../crds/feature-job-status.js';
import { ExecutorExitCodes } from '../../executor/cluster/executor-exit-codes.js';
import { ErrorCatalog, type ErrorSpec } from '../../executor/errors.js';
import { OperatorReasons, type ReasonSpec } from '../errors.js';

export interface ErrorsDocInput {
  readonly codes: Readonly<Record<string, ErrorSpec>>;
  readonly reasons: Readonly<Record<string, ReasonSpec>>;
}

const HEADER =
  '<!-- Generated from executor/errors.ts and operator/errors.ts: do not edit. Regenerate with ' +
  '`npm run docs:errors` (a unit test fails while this file is out of date). -->';

/** A table cell: a `|` would end the cell and a newline the row. */
function escapeCell(text: string): string {
  return text.replaceAll('|', '\\|').replace(/\s*\n\s*/g, ' ');
}

function buildRow(cells: readonly string[]): string {
  return `| ${cells.map(escapeCell).join(' | ')} |`;
}

function buildIntro(): string[] {
  const exit = ExecutorExitCodes;
  const conditions = CONDITION_TYPES.map((type) => `\`${type}\``).join(', ');
  return [
    '# Errors and reasons',
    '',
    'One model on both sides: every failure a user can see has a stable name, a kind and a',
    'meaning (what happened, what to do). The data plane (`featurejob run`, `reduce`, `inspect`',
    'and the executor pods) names failures by **code**; the operator names what it writes on a',
    'FeatureJob by **reason**. Match on codes and reasons, never on message text: messages say',
    'more, and change.',
    '',
    '## Codes',
    '',
    'A code (`FJ_…`) is stable and comes with a CamelCase reason. It appears:',
    '',
    '- on stderr when a command fails: `featurejob: FJ_…: message`;',
    '- in `errors.jsonl`, one `{"path", "code", "message"}` line per image that could not be',
    "  used, and in the manifest's `failuresByCode`. Only the per-image codes go there",
    '  (`FJ_IMAGE_EMPTY`, `FJ_IMAGE_UNRECOGNIZED`, `FJ_IMAGE_CORRUPT`, `FJ_IMAGE_TOO_LARGE`,',
    '  `FJ_OBJECT_FORBIDDEN`, `FJ_OBJECT_MISSING`): the image is written off and the job goes on;',
    '- in an executor pod\'s termination message, one JSON line `{"code", "reason", "message"}`,',
    "  which the operator reads and copies into the reason's message.",
    '',
    '## Kinds',
    '',
    '- **transient**: retrying may help. A partition that fails this way is retried, up to',
    '  `--max-attempts` with `featurejob run` and `spec.retry.maxAttemptsPerPartition` on',
    '  Kubernetes.',
    '- **terminal**: retrying cannot help; fix the cause (the meaning says how). For a per-image',
    '  code it means that retrying the image would give the same answer.',
    '- **info** (operator reasons only): progress, not a failure.',
    '',
    '## Exit codes',
    '',
    '- `featurejob run`, `reduce`, `inspect`, `models`, `demo`: 0 done, 2 `FJ_INVALID_ARGUMENT`,',
    '  1 any other failure.',
    `- \`featurejob executor\` (the pods the operator runs): ${exit.ok} done, ${exit.transient} a transient code`,
    `  (EX_TEMPFAIL), ${exit.badConfiguration} a terminal code or \`FJ_INVALID_ARGUMENT\` (EX_CONFIG), ${exit.crashed} an unexpected`,
    '  crash (`FJ_EXECUTOR_CRASHED`).',
    '',
    "The operator turns a failed executor pod into a reason: the kubelet's `OOMKilled` and",
    `\`Evicted\`, \`Disrupted\` for preemption or a drain, exit ${exit.badConfiguration} into \`BadInput\` (the Job's`,
    `podFailurePolicy fails the partition at once), exit ${exit.transient} into \`TransientFailure\` and any`,
    "other non-zero exit into `ExecutorFailed`; the message carries the executor's `code: message`.",
    '',
    '## Reasons',
    '',
    'A reason is the `reason` of a FeatureJob condition',
    `(${conditions}) and of the Event the operator`,
    "writes when a condition's status or reason changes (a Warning for `Failed`, for",
    '`Progressing=Unknown`, and for `Progressing=False` other than `Completed` and `Suspended`).',
    'Each failed pod also gets one Warning Event with its pod reason, naming the partition, and',
    '`status.retries` counts failed pods by reason.',
    '',
    "When the operator itself fails to read the output or to write the manifest, the code's",
    "kind decides: a terminal code ends the job with that code's own reason on `Failed` and",
    '`Progressing` (`ManifestInvalid` for `FJ_MANIFEST_INVALID`, `StorageAccessDenied` for',
    '`FJ_STORAGE_ACCESS_DENIED`; the data-plane codes below), the message starting with what',
    'failed and the code; a transient code keeps the job going as `StorageUnavailable` or',
    '`MergeFailed` below, retried with a backoff of 10 s doubling to 5 min',
    '(docs/operator.md, "How failures are classified").',
  ];
}

/** docs/errors.md for these registries (by default the two real ones). */
export function renderErrorsDoc(input: ErrorsDocInput = { codes: ErrorCatalog, reasons: OperatorReasons }): string {
  const lines = [HEADER, '', ...buildIntro(), ''];
  lines.push('## Data-plane codes', '');
  lines.push(buildRow(['code', 'reason', 'kind', 'meaning']), '|---|---|---|---|');
  for (const [code, spec] of Object.entries(input.codes))
    lines.push(buildRow([`\`${code}\``, spec.reason, spec.kind, spec.meaning]));
  lines.push('', '## Operator reasons', '');
  lines.push(buildRow(['reason', 'kind', 'meaning']), '|---|---|---|');
  for (const [reason, spec] of Object.entries(input.reasons))
    lines.push(buildRow([`\`${reason}\``, spec.kind, spec.meaning]));
  return `${lines.join('\n')}\n`;
}
