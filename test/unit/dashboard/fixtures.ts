import type { FeatureJobObject } from '../../../crds/feature-job-resource.js';

/** A FeatureJob as the informer holds it, with the given status (uid and generation fixed). */
export function featureJob(namespace: string, name: string, status?: unknown, uid = `uid-${name}`): FeatureJobObject {
  return {
    apiVersion: 'featurejob.dev/v1alpha1',
    kind: 'FeatureJob',
    metadata: { namespace, name, uid, generation: 1 },
    spec: {},
    ...(status === undefined ? {} : { status: status as FeatureJobObject['status'] }),
  };
}

export const RUNNING_STATUS = {
  observedGeneration: 1,
  phase: 'Running',
  conditions: [
    {
      type: 'Accepted',
      status: 'True',
      lastTransitionTime: '2026-12-02T10:00:00Z',
      reason: 'SpecValid',
      message: 'the spec is valid',
    },
    {
      type: 'Progressing',
      status: 'True',
      lastTransitionTime: '2026-12-02T10:00:05Z',
      reason: 'Running',
      message: '3/8 partitions committed, 2 executor(s) active',
    },
  ],
  images: { total: 512, succeeded: 190, failed: 2 },
  partitions: { total: 8, succeeded: 3, failed: 0, active: 2 },
  progress: { images: '192/512', partitions: '3/8' },
  throughput: '6.4 img/s',
  model: 'vgg16-fc2 imagenet',
  startTime: '2026-12-02T10:00:00Z',
  executorJob: 'fruits-extract',
};
