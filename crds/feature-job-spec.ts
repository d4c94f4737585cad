/**
 * The FeatureJob spec (featurejob.dev/v1alpha1): the one zod schema the operator validates
 * with and the CRD's OpenAPI schema is generated from (build-feature-job-crd.ts). Every string and
 * list is bounded, so the API server can cost CEL rules and refuse oversized objects.
 */
import { z } from 'zod';
import { celWithSlash, isInputInsideOutput } from './is-input-inside-output.js';

export const OUTPUT_FORMATS = ['parquet', 'csv'] as const;
/** `spec.model.precision`, the values of `featurejob run --precision`. */
export const MODEL_PRECISIONS = ['fp32', 'int8', 'auto'] as const;
export const DEFAULT_PARALLELISM = 10;
export const DEFAULT_BATCH_SIZE = 8;
export const DEFAULT_IMAGES_PER_PARTITION = 256;
export const DEFAULT_MAX_ATTEMPTS_PER_PARTITION = 3;
export const MAX_PARTITIONS = 100_000;

/** S3 bucket naming rules (3-63 characters, lower case, digits, dots and hyphens). */
const bucketName = z
  .string()
  .min(3)
  .max(63)
  .regex(/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/)
  .describe('S3 bucket name');
/**
 * No leading slash and no empty segment, so that the prefix a user writes is the one the
 * store uses (S3Store drops leading and trailing slashes) and prefixes compare as written.
 */
const keyPrefix = z
  .string()
  .max(1024)
  .regex(/^([^/]+(\/[^/]+)*\/?)?$/, 'a key prefix without a leading slash or empty segments')
  .default('')
  .describe('key prefix inside the bucket ("" for the whole bucket)');
const quantity = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/)
  .describe('a Kubernetes resource quantity, e.g. "3500m" or "13Gi"');
const labelValue = z.string().max(253);
const labelMap = z.record(z.string().min(1).max(317), labelValue).meta({ maxProperties: 32 });

const resourceList = z
  .object({ cpu: quantity.optional(), memory: quantity.optional(), 'ephemeral-storage': quantity.optional() })
  .strict();

const toleration = z
  .object({
    key: z.string().max(317).optional(),
    operator: z.enum(['Exists', 'Equal']).optional(),
    value: labelValue.optional(),
    effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
    tolerationSeconds: z.int().min(0).max(31_536_000).optional(),
  })
  .strict();

export const FeatureJobInputSchema = z
  .object({
    bucket: bucketName,
    prefix: keyPrefix,
    region: z.string().min(1).max(64).optional().describe("S3 region (default: the operator's AWS_REGION)"),
    endpoint: z
      .string()
      .max(2048)
      .regex(/^https?:\/\/[^\s]+$/)
      .optional()
      .describe('S3-compatible endpoint URL (MinIO etc.); input and output share it'),
  })
  .strict();

export const FeatureJobOutputSchema = z
  .object({
    bucket: bucketName,
    prefix: keyPrefix,
    format: z.enum(OUTPUT_FORMATS).default('parquet'),
  })
  .strict();

export const FeatureJobModelSchema = z
  .object({
    name: z.literal('vgg16').default('vgg16'),
    weights: z
      .string()
      .min(1)
      .max(2048)
      .default('imagenet')
      .describe('imagenet, random, or the s3:// URL or in-image path of a Keras .h5 / ONNX file'),
    seed: z.int().min(0).max(2_147_483_647).optional().describe('seed of weights: random'),
    sha256: z
      .string()
      .length(64)
      .regex(/^[0-9a-f]{64}$/)
      .optional()
      .describe('expected sha256 of the model file; executors refuse any other'),
    precision: z
      .enum(MODEL_PRECISIONS)
      .default('fp32')
      .describe(
        'inference precision: fp32; int8 is not built for executor pods yet and fails the job ' +
          '(PrecisionUnsupported); auto runs fp32 in pods',
      ),
  })
  .strict();

export const FeatureJobExecutorSchema = z
  .object({
    image: z.string().min(1).max(512).optional().describe("executor container image (default: the operator's)"),
    imagePullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']).optional(),
    resources: z.object({ requests: resourceList.optional(), limits: resourceList.optional() }).strict().optional(),
    nodeSelector: labelMap.optional(),
    tolerations: z.array(toleration).max(32).optional(),
    serviceAccountName: z.string().min(1).max(253).optional(),
    batchSize: z.int().min(1).max(256).default(DEFAULT_BATCH_SIZE),
    threads: z.int().min(1).max(64).optional().describe('inference threads (default: the CPU request, rounded down)'),
    fetchConcurrency: z.int().min(1).max(256).optional(),
  })
  .strict();

export const FeatureJobRetrySchema = z
  .object({
    maxAttemptsPerPartition: z.int().min(1).max(100).default(DEFAULT_MAX_ATTEMPTS_PER_PARTITION),
    maxFailedPartitions: z
      .int()
      .min(0)
      .max(MAX_PARTITIONS)
      .default(0)
      .describe('partitions allowed to fail before the job fails'),
  })
  .strict();

export const FeatureJobReduceSchema = z
  .object({
    pca: z
      .object({
        components: z
          .int()
          .min(1)
          .max(4096)
          .describe('K: principal components to keep (at most the rows and the 4,096 dimensions)'),
        whiten: z.boolean().default(false).describe('scale each component to unit variance'),
      })
      .strict(),
  })
  .strict()
  .describe('dimension reduction after extraction: PCA fitted on all features, projected shards under pca/');

export const FeatureJobSpecSchema = z
  .object({
    input: FeatureJobInputSchema,
    output: FeatureJobOutputSchema,
    partitions: z.int().min(1).max(MAX_PARTITIONS).optional(),
    imagesPerPartition: z.int().min(1).max(1_000_000).optional(),
    parallelism: z.int().min(1).max(10_000).default(DEFAULT_PARALLELISM),
    model: FeatureJobModelSchema.default({ name: 'vgg16', weights: 'imagenet', precision: 'fp32' }),
    executor: FeatureJobExecutorSchema.default({ batchSize: DEFAULT_BATCH_SIZE }),
    reduce: FeatureJobReduceSchema.optional(),
    retry: FeatureJobRetrySchema.default({
      maxAttemptsPerPartition: DEFAULT_MAX_ATTEMPTS_PER_PARTITION,
      maxFailedPartitions: 0,
    }),
    activeDeadlineSeconds: z.int().min(1).max(31_536_000).optional(),
    ttlSecondsAfterFinished: z.int().min(0).max(31_536_000).optional(),
    suspend: z.boolean().default(false),
  })
  .strict();

export type FeatureJobSpecInput = z.input<typeof FeatureJobSpecSchema>;
export type FeatureJobSpec = z.output<typeof FeatureJobSpecSchema>;

/**
 * Invariants the API server checks with CEL (x-kubernetes-validations on the spec), so a bad
 * spec is refused at `kubectl apply` with these messages. The operator checks the same
 * rules in computeSpecProblems for objects that bypassed them (older CRD versions).
 */
export const SPEC_RULES = [
  {
    rule: '!(has(self.partitions) && has(self.imagesPerPartition))',
    message: 'set partitions or imagesPerPartition, not both',
  },
  {
    rule:
      'self.input.bucket != self.output.bucket || ' +
      `!${celWithSlash('self.input.prefix')}.startsWith(${celWithSlash('self.output.prefix')})`,
    message: 'output must differ from input and must not contain it',
  },
  {
    rule: 'self.input == oldSelf.input && self.output == oldSelf.output && self.model == oldSelf.model',
    message: 'input, output and model are immutable once the job exists',
  },
  {
    rule: "self.model.weights in ['imagenet', 'random'] || self.model.weights.startsWith('s3://') || self.model.weights.startsWith('/')",
    message: 'model.weights must be imagenet, random, an s3:// URL or an absolute path inside the executor image',
  },
] as const;

/** The same invariants, evaluated by the operator (the ones that need no old object). */
export function computeSpecProblems(spec: FeatureJobSpec): string[] {
  const problems: string[] = [];
  if (spec.partitions !== undefined && spec.imagesPerPartition !== undefined) problems.push(SPEC_RULES[0].message);
  if (isInputInsideOutput(spec.input, spec.output)) problems.push(SPEC_RULES[1].message);
  const weights = spec.model.weights;
  if (!(weights === 'imagenet' || weights === 'random' || weights.startsWith('s3://') || weights.startsWith('/'))) {
    problems.push(SPEC_RULES[3].message);
  }
  return problems;
}
