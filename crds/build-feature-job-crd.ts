/**
 * The FeatureJob CustomResourceDefinition, built from the zod schemas the operator validates
 * with (docs/architecture.md, "The FeatureJob API"), so the API server and the operator cannot disagree about what a
 * valid FeatureJob is. crds/featurejob.dev_featurejobs.yaml is this object rendered
 * (`npm run crds`); a unit test fails when the two drift.
 */
import { buildStructuralSchema, type StructuralSchema } from './build-structural-schema.js';
import { FeatureJobSpecSchema, SPEC_RULES } from './feature-job-spec.js';
import {
  FEATURE_JOB_CRD_NAME,
  FEATURE_JOB_GROUP,
  FEATURE_JOB_KIND,
  FEATURE_JOB_PLURAL,
  FEATURE_JOB_VERSION,
} from './feature-job-resource.js';
import { FeatureJobStatusSchema } from './feature-job-status.js';

const PRINTER_COLUMNS = [
  { name: 'Phase', type: 'string', jsonPath: '.status.phase', description: 'where the job is in its life cycle' },
  { name: 'Images', type: 'string', jsonPath: '.status.progress.images', description: 'images done/total' },
  {
    name: 'Failed',
    type: 'integer',
    jsonPath: '.status.images.failed',
    description: 'images that could not be processed',
  },
  { name: 'Partitions', type: 'string', jsonPath: '.status.progress.partitions', description: 'partitions done/total' },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  {
    name: 'Throughput',
    type: 'string',
    jsonPath: '.status.throughput',
    priority: 1,
    description: 'recent images per second',
  },
  { name: 'Model', type: 'string', jsonPath: '.status.model', priority: 1, description: 'the model the executors run' },
] as const;

function buildSpecSchema(): StructuralSchema {
  return {
    description: 'What to extract: where the images are, where the features go, and how to run the executors.',
    ...buildStructuralSchema(FeatureJobSpecSchema),
    // A rule that reads oldSelf is a transition rule: checked on update only.
    'x-kubernetes-validations': SPEC_RULES.map(({ rule, message }) => ({ rule, message })),
  };
}

function buildStatusSchema(): StructuralSchema {
  return {
    description: 'A bounded summary written by the operator; per-image detail lives in storage.',
    ...buildStructuralSchema(FeatureJobStatusSchema),
  };
}

/** The apiextensions.k8s.io/v1 CustomResourceDefinition `featurejobs.featurejob.dev`. */
export function buildFeatureJobCrd(): object {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: FEATURE_JOB_CRD_NAME },
    spec: {
      group: FEATURE_JOB_GROUP,
      names: {
        kind: FEATURE_JOB_KIND,
        listKind: `${FEATURE_JOB_KIND}List`,
        plural: FEATURE_JOB_PLURAL,
        singular: 'featurejob',
        shortNames: ['fj'],
      },
      scope: 'Namespaced',
      versions: [
        {
          name: FEATURE_JOB_VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: PRINTER_COLUMNS,
          schema: {
            openAPIV3Schema: {
              description: 'FeatureJob extracts VGG16 fc2 features from every image under an S3 prefix.',
              type: 'object',
              properties: {
                // Set by the API server; no bounds needed (they take part in no rule).
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec: buildSpecSchema(),
                status: buildStatusSchema(),
              },
              required: ['spec'],
            },
          },
        },
      ],
    },
  };
}
