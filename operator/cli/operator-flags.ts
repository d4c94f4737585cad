/** `featurejob operator`: its flag table, and its command line (plus environment) turned into OperatorConfig input. */
import { z } from 'zod';
import { defineCommand } from '../../executor/cli/flags/flag-table.js';
import { parseCommandLine } from '../../executor/cli/flags/parse-command-line.js';
import type { OperatorConfigInput } from '../config/operator-config.js';

/** Numbers arrive as text; the operator's config schema checks their range. */
const numberText = z.string().trim().min(1).pipe(z.coerce.number());

const jsonText = z.string().transform((text, context) => {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    context.addIssue({ code: 'custom', message: `not JSON: ${(error as Error).message}` });
    return z.NEVER;
  }
});

export const OPERATOR_COMMAND = defineCommand({
  command: 'operator',
  usage: ['featurejob operator [options]'],
  about: `Reconciles FeatureJob resources (featurejob.dev/v1alpha1) into executor Jobs. Uses the
in-cluster service account, or KUBECONFIG outside a cluster.`,
  flags: {
    'executor-image': {
      type: 'string',
      value: '<image>',
      required: true,
      env: 'FEATUREJOB_EXECUTOR_IMAGE',
      help: 'executor container image',
    },
    'executor-command': {
      type: 'string',
      value: '<cmd>',
      default: '`featurejob`',
      // A container command is a list; the flag takes it space-separated.
      schema: z.string().transform((text) => text.split(' ').filter((part) => part !== '')),
      help: "the image's command before 'executor plan|extract', words separated by spaces",
      readme: "the image's command before `executor plan|extract`, words separated by spaces",
    },
    'image-pull-policy': {
      type: 'string',
      value: '<policy>',
      default: '`IfNotPresent`',
      help: 'Always, IfNotPresent or Never',
      readme: '`Always`, `IfNotPresent` or `Never`',
    },
    namespace: {
      type: 'string',
      value: '<ns>',
      default: 'all namespaces',
      env: 'WATCH_NAMESPACE',
      help: 'watch only this namespace',
    },
    'executor-defaults': {
      type: 'string',
      value: '<json>',
      schema: jsonText,
      help: 'executor pod defaults: nodeSelector, tolerations, requests, limits, serviceAccountName, scratchSizeLimit',
      readme:
        'executor pod defaults (JSON): `nodeSelector`, `tolerations`, `requests`, `limits`, `serviceAccountName`, `scratchSizeLimit`',
    },
    'no-leader-elect': {
      type: 'boolean',
      key: 'leaderElection',
      schema: z.boolean().transform((given) => !given),
      help: 'reconcile without taking the Lease (a single replica only)',
    },
    'lease-namespace': {
      type: 'string',
      value: '<ns>',
      default: 'the `default` namespace',
      env: 'POD_NAMESPACE',
      help: 'where the leader Lease lives',
    },
    'lease-name': { type: 'string', value: '<name>', default: '`featurejob-operator`', help: 'the leader Lease' },
    'http-port': {
      type: 'string',
      value: '<port>',
      default: '8080',
      schema: numberText,
      help: 'health, readiness, metrics and the read-only dashboard',
    },
    'stall-timeout': {
      type: 'string',
      value: '<seconds>',
      key: 'stallTimeoutSeconds',
      default: '900',
      schema: numberText,
      help: 'fail a job whose executors cannot be scheduled or pulled for this long',
      readme: 'seconds before a job whose executors cannot be scheduled or pulled fails',
    },
    resync: {
      type: 'string',
      value: '<seconds>',
      key: 'resyncSeconds',
      default: '10',
      schema: numberText,
      help: 'how often running jobs are re-read',
      readme: 'seconds between two looks at a running job',
    },
    workers: { type: 'string', value: '<n>', default: '4', schema: numberText, help: 'concurrent reconciles' },
  },
});

export type ParsedOperatorCommandLine = { help: true } | { help: false; input: Record<string, unknown> };

/**
 * The operator's settings from flags and the environment; the caller validates them with
 * parseOperatorConfig (through parseCommandSettings, so that errors name the flags).
 */
export function parseOperatorCommandLine(argv: readonly string[], env: NodeJS.ProcessEnv): ParsedOperatorCommandLine {
  const { help, fields } = parseCommandLine(OPERATOR_COMMAND, argv, { env });
  if (help) return { help: true };
  const input: Partial<Record<keyof OperatorConfigInput, unknown>> = {
    ...fields,
    // Set by the downward API in the chart; no flag, since nobody chooses them by hand.
    ...(env.POD_NAME === undefined ? {} : { identity: env.POD_NAME }),
    ...(env.AWS_REGION === undefined ? {} : { defaultRegion: env.AWS_REGION }),
  };
  return { help: false, input };
}
