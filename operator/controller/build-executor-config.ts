import { parseByteQuantity } from '../../executor/config/byte-quantity.js';
import type { ExecutorConfigInput } from '../../executor/config/executor-config.js';
import type { FeatureJobSpec } from '../../crds/feature-job-spec.js';
import { DEFAULT_IMAGES_PER_PARTITION } from '../../crds/feature-job-spec.js';

/** `s3://bucket/prefix` of a spec location (no trailing slash). */
export function computeS3Uri(location: { bucket: string; prefix: string }): string {
  const prefix = location.prefix.replace(/^\/+|\/+$/g, '');
  return prefix === '' ? `s3://${location.bucket}` : `s3://${location.bucket}/${prefix}`;
}

/** Inference threads: the spec's, else the CPU request rounded down (at least 1). */
export function computeThreads(spec: FeatureJobSpec, cpuRequest: string): number {
  if (spec.executor.threads !== undefined) return spec.executor.threads;
  const cores = cpuRequest.endsWith('m') ? Number(cpuRequest.slice(0, -1)) / 1000 : Number(cpuRequest);
  return Math.max(1, Math.floor(Number.isFinite(cores) ? cores : 1));
}

/** What every executor pod of a FeatureJob is told (FEATUREJOB_EXECUTOR_CONFIG). */
export function buildExecutorConfig(
  spec: FeatureJobSpec,
  options: { cpuRequest: string; memoryLimit?: string; defaultRegion?: string },
): ExecutorConfigInput {
  const region = spec.input.region ?? options.defaultRegion;
  const memoryLimitBytes = options.memoryLimit === undefined ? undefined : parseByteQuantity(options.memoryLimit);
  return {
    version: 1,
    input: computeS3Uri(spec.input),
    output: computeS3Uri(spec.output),
    ...(spec.input.endpoint === undefined ? {} : { s3Endpoint: spec.input.endpoint }),
    ...(region === undefined ? {} : { region }),
    format: spec.output.format,
    weights: spec.model.weights,
    ...(spec.model.seed === undefined ? {} : { seed: spec.model.seed }),
    ...(spec.model.sha256 === undefined ? {} : { sha256: spec.model.sha256 }),
    precision: spec.model.precision,
    ...(spec.partitions === undefined ? {} : { partitions: spec.partitions }),
    imagesPerPartition: spec.imagesPerPartition ?? DEFAULT_IMAGES_PER_PARTITION,
    threads: computeThreads(spec, options.cpuRequest),
    batchSize: spec.executor.batchSize,
    ...(spec.executor.fetchConcurrency === undefined ? {} : { fetchConcurrency: spec.executor.fetchConcurrency }),
    // The pod's memory limit: an executor refuses a partition its rows could not fit in.
    ...(memoryLimitBytes === undefined ? {} : { memoryLimitBytes }),
    ...(spec.reduce === undefined
      ? {}
      : { pca: { components: spec.reduce.pca.components, whiten: spec.reduce.pca.whiten } }),
  };
}
