import type { KubeConfig } from '@kubernetes/client-node';
import type { LeaseClient } from './leader-election-lease.js';
import { createLeaseClient } from './leader-election-lease-client.js';
import { startElectionLoop, type ElectionLoopOptions, type LeaderElection } from './leader-election-loop.js';

export type { LeaderElection } from './leader-election-loop.js';

export interface LeaderElectionOptions extends Omit<ElectionLoopOptions, 'leaseClient' | 'lease'> {
  readonly kubeConfig: KubeConfig;
  /** Where the Lease lives (the operator's own namespace). */
  readonly namespace: string;
  readonly name: string;
  /** Default: the Lease through the API server of `kubeConfig`. Tests wrap it to cut a candidate off. */
  readonly leaseClient?: LeaseClient;
}

/**
 * Campaigns for the Lease `namespace/name` through the API server; see startElectionLoop for
 * the rules. The operator exits when onStoppedLeading runs (leadership lost), so that a fresh
 * process campaigns again with nothing left over from its time as leader.
 */
export function startLeaderElection(options: LeaderElectionOptions): LeaderElection {
  const { kubeConfig, namespace, name, leaseClient, ...loop } = options;
  return startElectionLoop({
    ...loop,
    lease: `${namespace}/${name}`,
    leaseClient: leaseClient ?? createLeaseClient({ kubeConfig, namespace, name }),
  });
}
