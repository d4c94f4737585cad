/** The leader-election fields of a coordination.k8s.io/v1 Lease. */
export interface LeaseRecord {
  /** '' once released: free for anyone to take at once. */
  readonly holderIdentity: string;
  readonly leaseDurationSeconds: number;
  readonly acquireTime?: Date;
  readonly renewTime?: Date;
  readonly leaseTransitions: number;
}

export interface StoredLease {
  readonly record: LeaseRecord;
  /** Sent back with an update so that a concurrent writer makes it fail with a conflict. */
  readonly resourceVersion: string;
}

/** A write lost to a concurrent writer (HTTP 409): re-read and decide again. */
export const LEASE_CONFLICT = 'conflict';
export type LeaseWriteResult = StoredLease | typeof LEASE_CONFLICT;

/**
 * Reads and writes one Lease. The seam between the election loop and the API server: tests
 * substitute an in-memory store, or wrap the real client to cut a candidate off.
 */
export interface LeaseClient {
  read(): Promise<StoredLease | undefined>;
  create(record: LeaseRecord): Promise<LeaseWriteResult>;
  update(record: LeaseRecord, resourceVersion: string): Promise<LeaseWriteResult>;
}
