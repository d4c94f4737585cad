/**
 * The operator's permissions: exactly the verbs operator/kube/ uses, no wildcards, no
 * secrets. The Helm chart renders these rules; the end-to-end tests run the operator under
 * them, so a missing verb fails a test instead of a user's cluster.
 */
export interface PolicyRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
}

/** Cluster-wide (FeatureJobs live in any namespace): a ClusterRole. */
export const OPERATOR_CLUSTER_RULES: readonly PolicyRule[] = [
  // informer (list, watch), reconcile (get), ttlSecondsAfterFinished (delete)
  { apiGroups: ['featurejob.dev'], resources: ['featurejobs'], verbs: ['get', 'list', 'watch', 'delete'] },
  // one merge patch of the status per reconcile
  { apiGroups: ['featurejob.dev'], resources: ['featurejobs/status'], verbs: ['patch'] },
  // ownerReferences with blockOwnerDeletion on the child Jobs
  { apiGroups: ['featurejob.dev'], resources: ['featurejobs/finalizers'], verbs: ['update'] },
  { apiGroups: ['batch'], resources: ['jobs'], verbs: ['get', 'list', 'watch', 'create', 'patch'] },
  { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] },
  // a missing executor ServiceAccount stops pod creation silently (only a Job Event says so)
  { apiGroups: [''], resources: ['serviceaccounts'], verbs: ['get'] },
  { apiGroups: [''], resources: ['events'], verbs: ['create'] },
];

/** In the operator's own namespace only: the leader-election Lease (a Role). */
export const OPERATOR_LEASE_RULES: readonly PolicyRule[] = [
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
];
