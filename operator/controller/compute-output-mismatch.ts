/**
 * Whether the output a FeatureJob points at already holds another job's work: a plan
 * (`_featurejob/plan.json`) made for another input, format, partition count or model, or a
 * manifest.json that this output's plan did not make. Pure: the reconcile checks it on every
 * look at the output, before it creates any Job, so a recreated FeatureJob never resumes,
 * overwrites or completes on a stale output (docs/operator.md, "An output another job wrote").
 */
import type { FeatureJobSpec } from '../../crds/feature-job-spec.js';
import { DEFAULT_MODEL_SEED, describeRandomWeights } from '../../executor/model/random-vgg16-weights.js';
import type { Manifest } from '../../executor/output/manifest-schema.js';
import type { PlanIndex } from '../../executor/plan/plan-schema.js';
import { computeS3Uri } from './build-executor-config.js';

export interface OutputMismatch {
  /** PlanMismatch: the plan disagrees with the spec; ForeignOutput: the manifest is not this plan's. */
  readonly reason: 'PlanMismatch' | 'ForeignOutput';
  readonly message: string;
}

type StoredModel = PlanIndex['model'];

const PLAN_REMEDY = "nothing was created or written: use a new spec.output, or the plan's settings to resume";
const MANIFEST_REMEDY = 'nothing was created or written: use a new spec.output, or clear the old output first';

function short(sha256: string): string {
  return sha256.slice(0, 12);
}

/**
 * What differs between the model stored and the spec's, where the spec says enough to know:
 * the sha256 it requires, and `random` weights (their description names the seed). The
 * weights of imagenet, a path or an s3:// file are known only once resolved (by the planner).
 */
function computeModelDifferences(spec: FeatureJobSpec, stored: StoredModel): string[] {
  const differences: string[] = [];
  const { sha256, weights, seed } = spec.model;
  if (sha256 !== undefined && stored.sha256 !== sha256)
    differences.push(`model sha256 ${short(stored.sha256)}, this FeatureJob requires ${short(sha256)}`);
  const random = describeRandomWeights(seed ?? DEFAULT_MODEL_SEED);
  const storedRandom = stored.weights.startsWith('random(');
  if ((weights === 'random' && stored.weights !== random) || (weights !== 'random' && storedRandom))
    differences.push(
      `model weights ${stored.weights}, this FeatureJob uses ${weights === 'random' ? random : weights}`,
    );
  return differences;
}

/** The plan's settings against the spec's, as the planner compares them (plan/ensure-plan.ts). */
function computePlanDifferences(spec: FeatureJobSpec, plan: PlanIndex): string[] {
  const differences: string[] = [];
  const input = computeS3Uri(spec.input);
  if (plan.inputUri !== input) differences.push(`input ${plan.inputUri}, this FeatureJob reads ${input}`);
  if (plan.format !== spec.output.format)
    differences.push(`format ${plan.format}, this FeatureJob writes ${spec.output.format}`);
  if (spec.partitions !== undefined && Math.min(spec.partitions, plan.images) !== plan.partitions.length)
    differences.push(
      `${plan.partitions.length} partitions, this FeatureJob asks for spec.partitions ${spec.partitions}`,
    );
  differences.push(...computeModelDifferences(spec, plan.model));
  return differences;
}

/**
 * The manifest against the spec and, at table version 0, against the output's plan: its plan
 * id, or for manifests written before plan ids in manifests, its partition and image counts. A
 * manifest of a later table version was made by `featurejob run` adding a version (pods plan
 * version 0 only); it is this job's output when it read the same input.
 */
function computeManifestDifferences(spec: FeatureJobSpec, manifest: Manifest, plan: PlanIndex | undefined): string[] {
  const differences: string[] = [];
  const input = computeS3Uri(spec.input);
  if (manifest.input.uri !== input) differences.push(`input ${manifest.input.uri}, this FeatureJob reads ${input}`);
  if (manifest.output.format !== spec.output.format)
    differences.push(`format ${manifest.output.format}, this FeatureJob writes ${spec.output.format}`);
  differences.push(...computeModelDifferences(spec, manifest.model));
  if (plan === undefined || (manifest.table?.version ?? 0) > 0) return differences;
  if (manifest.planId !== undefined && plan.planId !== undefined) {
    if (manifest.planId !== plan.planId)
      differences.push(`plan ${manifest.planId}, the output's plan.json is plan ${plan.planId}`);
  } else if (manifest.partitions.length !== plan.partitions.length || manifest.images.total !== plan.images) {
    differences.push(
      `${manifest.partitions.length} partitions and ${manifest.images.total} images, ` +
        `the output's plan.json has ${plan.partitions.length} partitions and ${plan.images} images`,
    );
  }
  return differences;
}

export function computeOutputMismatch(
  spec: FeatureJobSpec,
  output: { readonly plan: PlanIndex | undefined; readonly manifest: Manifest | undefined },
): OutputMismatch | undefined {
  const uri = computeS3Uri(spec.output);
  if (output.plan !== undefined) {
    const differences = computePlanDifferences(spec, output.plan);
    if (differences.length > 0)
      return {
        reason: 'PlanMismatch',
        message: `output ${uri} holds a plan for ${differences.join('; for ')}: ${PLAN_REMEDY}`,
      };
  }
  if (output.manifest !== undefined) {
    const differences = computeManifestDifferences(spec, output.manifest, output.plan);
    if (differences.length > 0)
      return {
        reason: 'ForeignOutput',
        message: `output ${uri} holds the manifest.json of another job, made for ${differences.join('; for ')}: ${MANIFEST_REMEDY}`,
      };
  }
  return undefined;
}
