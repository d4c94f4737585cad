import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JobObject } from '../../../operator/kube/job-object.js';
import type { PodObject } from '../../../operator/kube/pod-object.js';
import { selectOwnedChildren } from '../../../operator/controller/select-owned-children.js';

const FEATURE_JOB_UID = 'fj-uid-new';

const jobOwnedBy = (name: string, uid: string, owner?: { uid: string; name: string }): JobObject => ({
  metadata: {
    name,
    uid,
    ...(owner === undefined
      ? {}
      : { ownerReferences: [{ uid: owner.uid, kind: 'FeatureJob', name: owner.name, controller: true }] }),
  },
});
const podOf = (name: string, jobUid: string): PodObject => ({
  metadata: {
    name,
    labels: { 'featurejob.dev/job': 'fj' },
    ownerReferences: [{ uid: jobUid, kind: 'Job', name: 'x', controller: true }],
  },
});

describe('selectOwnedChildren', () => {
  it('takes only Jobs with an ownerReference to this FeatureJob, and names the owner of the others', () => {
    const children = selectOwnedChildren({
      featureJobUid: FEATURE_JOB_UID,
      jobs: {
        plan: jobOwnedBy('fj-plan', 'job-old-plan', { uid: 'fj-uid-old', name: 'fj' }),
        extract: jobOwnedBy('fj-extract', 'job-extract', { uid: FEATURE_JOB_UID, name: 'fj' }),
        'pca-fit': jobOwnedBy('fj-pca-fit', 'job-someone'),
        'pca-project': undefined,
      },
      pods: [],
    });
    assert.deepEqual(Object.keys(children.owned), ['extract']);
    assert.deepEqual(children.foreign, {
      plan: { name: 'fj-plan', owner: 'FeatureJob fj (uid fj-uid-old)' },
      'pca-fit': { name: 'fj-pca-fit', owner: undefined },
    });
  });

  it("leaves out the pods of a Job it does not own, though they carry the FeatureJob's label", () => {
    const children = selectOwnedChildren({
      featureJobUid: FEATURE_JOB_UID,
      jobs: {
        plan: jobOwnedBy('fj-plan', 'job-old-plan', { uid: 'fj-uid-old', name: 'fj' }),
        extract: jobOwnedBy('fj-extract', 'job-extract', { uid: FEATURE_JOB_UID, name: 'fj' }),
      },
      pods: [podOf('fj-plan-abc', 'job-old-plan'), podOf('fj-extract-0-xyz', 'job-extract'), podOf('stray', 'gone')],
    });
    assert.deepEqual(
      children.pods.map((pod) => pod.metadata.name),
      ['fj-extract-0-xyz'],
    );
  });

  it('owns nothing without a uid to compare', () => {
    const children = selectOwnedChildren({
      featureJobUid: undefined,
      jobs: { plan: jobOwnedBy('fj-plan', 'job-plan') },
      pods: [],
    });
    assert.deepEqual(children.owned, {});
    assert.equal(children.foreign.plan?.name, 'fj-plan');
  });
});
