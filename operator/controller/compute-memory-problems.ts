/**
 * Admission of a FeatureJob's memory: what one executor pod would hold with the spec's batch
 * size, partition size and the executor's decode budget (executor/config/worker-memory.ts)
 * must fit the pod's memory limit, or the spec is refused (InvalidSpec) with the estimate
 * term by term, instead of every pod ending OOMKilled.
 */
import type { FeatureJobSpec } from '../../crds/feature-job-spec.js';
import { parseByteQuantity } from '../../executor/config/byte-quantity.js';
import { ExecutorConfigSchema } from '../../executor/config/executor-config.js';
import { describeMemoryShortfall, estimateWorkerMemory } from '../../executor/config/worker-memory.js';
import type { ExecutorDefaults } from '../config/operator-config.js';
import { buildExecutorConfig } from './build-executor-config.js';

export function computeMemoryProblems(spec: FeatureJobSpec, defaults: ExecutorDefaults): string[] {
  const limit = spec.executor.resources?.limits?.memory ?? defaults.limits.memory;
  const limitBytes = parseByteQuantity(limit);
  if (limitBytes === undefined) return [`spec.executor.resources.limits.memory '${limit}' is not a byte size`];
  const cpuRequest = spec.executor.resources?.requests?.cpu ?? defaults.requests.cpu;
  const config = ExecutorConfigSchema.parse(buildExecutorConfig(spec, { cpuRequest, memoryLimit: limit }));
  const shortfall = describeMemoryShortfall(
    estimateWorkerMemory({
      batchSize: config.batchSize,
      // With spec.partitions the size is known once listed: each executor checks its own partition.
      imagesPerPartition: spec.partitions === undefined ? config.imagesPerPartition : 0,
      fetchConcurrency: config.fetchConcurrency,
      decodeBudgetBytes: config.decodeBudgetBytes,
      maxPixels: config.maxPixels,
      format: config.format,
      pca: config.pca !== undefined,
    }),
    limitBytes,
    `spec.executor.resources.limits.memory (${limit})`,
  );
  return shortfall === undefined
    ? []
    : [
        `${shortfall}; lower spec.executor.batchSize or spec.imagesPerPartition, or raise spec.executor.resources.limits.memory`,
      ];
}
