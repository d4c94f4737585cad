/**
 * The FeatureJob resource as the API server serves it: its group, version and names (one
 * source for the CRD builder, the operator's paths and owner references) and the object
 * shape the operator reads before its spec is parsed.
 */
import type { FeatureJobStatus } from './feature-job-status.js';
import type { KubeObject } from './kube-object.js';

export const FEATURE_JOB_GROUP = 'featurejob.dev';
export const FEATURE_JOB_VERSION = 'v1alpha1';
export const FEATURE_JOB_KIND = 'FeatureJob';
export const FEATURE_JOB_PLURAL = 'featurejobs';
export const FEATURE_JOB_API_VERSION = `${FEATURE_JOB_GROUP}/${FEATURE_JOB_VERSION}`;
export const FEATURE_JOB_CRD_NAME = `${FEATURE_JOB_PLURAL}.${FEATURE_JOB_GROUP}`;

/** A FeatureJob as read from the API server: the spec is not trusted until parsed. */
export interface FeatureJobObject extends KubeObject {
  readonly metadata: KubeObject['metadata'] & {
    readonly uid: string;
    readonly generation: number;
    readonly namespace: string;
  };
  readonly spec: unknown;
  readonly status?: FeatureJobStatus;
}
