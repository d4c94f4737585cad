import { hostname } from 'node:os';
import { z } from 'zod';

/** Executor pod defaults for an EKS m5.xlarge executor node group (4 vCPU, ~13.8 GiB allocatable). */
export const EXECUTOR_NODE_GROUP_LABEL = 'featurejob.dev/node-group';
export const EXECUTOR_TAINT_KEY = 'featurejob.dev/executors';

const quantity = z.string().regex(/^[0-9]+(\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/);

export const ExecutorDefaultsSchema = z
  .object({
    nodeSelector: z.record(z.string(), z.string()).default({ [EXECUTOR_NODE_GROUP_LABEL]: 'executors' }),
    tolerations: z
      .array(
        z
          .object({
            key: z.string().optional(),
            operator: z.enum(['Exists', 'Equal']).optional(),
            value: z.string().optional(),
            effect: z.string().optional(),
          })
          .strict(),
      )
      .default([{ key: EXECUTOR_TAINT_KEY, operator: 'Exists', effect: 'NoSchedule' }]),
    // 3 vCPU of 4: the 4th is left to system daemons (aws-node, kube-proxy) and image decoding.
    // 12Gi requested fits 13.8 GiB allocatable; the 16Gi limit matches the reference executors.
    requests: z.object({ cpu: quantity, memory: quantity }).strict().default({ cpu: '3', memory: '12Gi' }),
    limits: z.object({ cpu: quantity.optional(), memory: quantity }).strict().default({ memory: '16Gi' }),
    serviceAccountName: z.string().min(1).default('featurejob-executor'),
    scratchSizeLimit: quantity.default('8Gi'),
  })
  .strict();
export type ExecutorDefaults = z.output<typeof ExecutorDefaultsSchema>;

export const OperatorConfigSchema = z
  .object({
    executorImage: z.string().min(1),
    imagePullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']).default('IfNotPresent'),
    /** The executor container's command before `executor plan|extract`. */
    executorCommand: z.array(z.string().min(1)).min(1).default(['featurejob']),
    /** Watch one namespace only (default: all). */
    namespace: z.string().min(1).optional(),
    leaderElection: z.boolean().default(true),
    leaseNamespace: z.string().min(1).default('default'),
    leaseName: z.string().min(1).default('featurejob-operator'),
    identity: z.string().min(1).default(`${hostname()}-${process.pid}`),
    httpHost: z.string().default('0.0.0.0'),
    httpPort: z.int().min(0).max(65535).default(8080),
    /** How long executors may sit unschedulable (or unable to pull their image) before the job fails. */
    stallTimeoutSeconds: z.int().min(1).default(900),
    /** How often a running job is looked at again (storage has no events). */
    resyncSeconds: z.number().positive().default(10),
    workers: z.int().min(1).max(64).default(4),
    /** S3 settings when a FeatureJob names none. */
    defaultRegion: z.string().optional(),
    executorDefaults: ExecutorDefaultsSchema.default(ExecutorDefaultsSchema.parse({})),
  })
  .strict();

export type OperatorConfigInput = z.input<typeof OperatorConfigSchema>;
export type OperatorConfig = Readonly<z.output<typeof OperatorConfigSchema>>;

export function parseOperatorConfig(input: OperatorConfigInput): OperatorConfig {
  return Object.freeze(OperatorConfigSchema.parse(input));
}
