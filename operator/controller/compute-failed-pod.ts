/**
 * status.failedPod: the most recent failed executor pod of a FeatureJob (planner, extract or
 * PCA), with the log tail it left in the output (docs/reliability.md, "Logs outlive pods"). It
 * is read from the pods' termination messages only, never fetched from the API server's log
 * endpoint. Once the pod is gone (garbage collected, the Job replaced) the stored one stays,
 * so a steady world computes the same status and writes nothing.
 */
import { MAX_FAILED_POD_LOG_TAIL_LENGTH, type FeatureJobStatus } from '../../crds/feature-job-status.js';
import type { PodObject } from '../kube/pod-object.js';
import { classifyPod } from './classify-pod.js';

export type FailedPod = NonNullable<FeatureJobStatus['failedPod']>;

/** When the pod's container ended (RFC 3339 compares as text); '' when it never ran. */
function finishedAt(pod: PodObject): string {
  return pod.status?.containerStatuses?.[0]?.state?.terminated?.finishedAt ?? '';
}

export function computeFailedPod(pods: readonly PodObject[], previous: FailedPod | undefined): FailedPod | undefined {
  let latest: { pod: PodObject; failed: FailedPod } | undefined;
  for (const pod of pods) {
    const verdict = classifyPod(pod);
    if (verdict.state !== 'failed') continue;
    // The latest to finish; of two at the same second, the last by name, so the answer is stable.
    if (latest !== undefined) {
      const [at, latestAt] = [finishedAt(pod), finishedAt(latest.pod)];
      if (at < latestAt || (at === latestAt && pod.metadata.name < latest.pod.metadata.name)) continue;
    }
    const logTail = verdict.logTail?.slice(-MAX_FAILED_POD_LOG_TAIL_LENGTH);
    latest = {
      pod,
      failed: {
        name: pod.metadata.name,
        ...(verdict.logUri === undefined ? {} : { logUri: verdict.logUri }),
        ...(logTail === undefined ? {} : { logTail }),
      },
    };
  }
  return latest?.failed ?? previous;
}
