/**
 * Every API call the operator makes, by verb and resource (operator-rbac.ts grants exactly
 * these). Creates are idempotent: 409 AlreadyExists returns the existing object.
 */
import { ContentTypes, isKubeStatus, type KubeClient } from './kube-client.js';
import {
  FEATURE_JOB_GROUP,
  FEATURE_JOB_PLURAL,
  FEATURE_JOB_VERSION,
  type FeatureJobObject,
} from '../../crds/feature-job-resource.js';
import type { FeatureJobStatus } from '../../crds/feature-job-status.js';
import type { JobObject } from './job-object.js';
import type { PodObject } from './pod-object.js';

const featureJobsPath = (namespace: string): string =>
  `/apis/${FEATURE_JOB_GROUP}/${FEATURE_JOB_VERSION}/namespaces/${namespace}/${FEATURE_JOB_PLURAL}`;
const jobsPath = (namespace: string): string => `/apis/batch/v1/namespaces/${namespace}/jobs`;

export class ClusterApi {
  constructor(private readonly client: KubeClient) {}

  async getFeatureJob(namespace: string, name: string): Promise<FeatureJobObject | undefined> {
    return this.getOrUndefined<FeatureJobObject>(`${featureJobsPath(namespace)}/${name}`);
  }

  /** A JSON merge patch of the status: the fields that changed, `null` for those removed. */
  async patchFeatureJobStatus(
    namespace: string,
    name: string,
    status: Partial<Record<keyof FeatureJobStatus, unknown>>,
  ): Promise<void> {
    await this.client.request({
      method: 'PATCH',
      path: `${featureJobsPath(namespace)}/${name}/status`,
      body: { status },
      contentType: ContentTypes.mergePatch,
    });
  }

  async deleteFeatureJob(namespace: string, name: string): Promise<void> {
    await this.deleteIgnoringMissing(`${featureJobsPath(namespace)}/${name}`, { propagationPolicy: 'Background' });
  }

  async getJob(namespace: string, name: string): Promise<JobObject | undefined> {
    return this.getOrUndefined<JobObject>(`${jobsPath(namespace)}/${name}`);
  }

  /** Creates the Job; if it exists already (a previous reconcile made it), returns that one. */
  async ensureJob(namespace: string, job: Record<string, unknown>): Promise<JobObject> {
    try {
      return await this.client.request<JobObject>({ method: 'POST', path: jobsPath(namespace), body: job });
    } catch (error) {
      if (!isKubeStatus(error, 409)) throw error;
      const name = (job.metadata as { name: string }).name;
      const existing = await this.getJob(namespace, name);
      if (existing === undefined) throw error;
      return existing;
    }
  }

  async patchJob(namespace: string, name: string, patch: Record<string, unknown>): Promise<void> {
    await this.client.request({
      method: 'PATCH',
      path: `${jobsPath(namespace)}/${name}`,
      body: patch,
      contentType: ContentTypes.mergePatch,
    });
  }

  async serviceAccountExists(namespace: string, name: string): Promise<boolean> {
    return (await this.getOrUndefined(`/api/v1/namespaces/${namespace}/serviceaccounts/${name}`)) !== undefined;
  }

  async listPods(namespace: string, labelSelector: string): Promise<PodObject[]> {
    const list = await this.client.request<{ items: PodObject[] }>({
      method: 'GET',
      path: `/api/v1/namespaces/${namespace}/pods`,
      query: { labelSelector },
    });
    return list.items;
  }

  /** Creates an Event under a deterministic name: a reconcile that repeats itself adds nothing. */
  async ensureEvent(namespace: string, event: Record<string, unknown>): Promise<void> {
    try {
      await this.client.request({ method: 'POST', path: `/api/v1/namespaces/${namespace}/events`, body: event });
    } catch (error) {
      if (!isKubeStatus(error, 409)) throw error;
    }
  }

  private async getOrUndefined<T>(path: string): Promise<T | undefined> {
    try {
      return await this.client.request<T>({ method: 'GET', path });
    } catch (error) {
      if (isKubeStatus(error, 404)) return undefined;
      throw error;
    }
  }

  private async deleteIgnoringMissing(path: string, body: Record<string, unknown>): Promise<void> {
    try {
      await this.client.request({ method: 'DELETE', path, body });
    } catch (error) {
      if (!isKubeStatus(error, 404)) throw error;
    }
  }
}
