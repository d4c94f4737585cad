import { ApiException, CoordinationV1Api, V1MicroTime, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import { LEASE_CONFLICT, type LeaseClient, type LeaseRecord, type StoredLease } from './leader-election-lease.js';

export interface CreateLeaseClientOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  readonly name: string;
}

function isStatus(error: unknown, code: number): boolean {
  return error instanceof ApiException && error.code === code;
}

/**
 * client-node declares MicroTime fields as Date but does not convert them: a read returns
 * the server's string ("2025-01-02T03:04:05.123456Z"). Accept both.
 */
function parseMicroTime(value: unknown): Date | undefined {
  if (value instanceof Date) return value;
  if (typeof value !== 'string' || value === '') return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * The API server rejects a MicroTime without exactly six fractional digits; V1MicroTime's
 * toISOString (which JSON.stringify uses) pads milliseconds to microseconds.
 */
function toMicroTime(date: Date | undefined): V1MicroTime | undefined {
  return date === undefined ? undefined : new V1MicroTime(date.getTime());
}

function toStoredLease(lease: V1Lease): StoredLease {
  const spec = lease.spec ?? {};
  const acquireTime = parseMicroTime(spec.acquireTime);
  const renewTime = parseMicroTime(spec.renewTime);
  return {
    record: {
      holderIdentity: spec.holderIdentity ?? '',
      leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
      ...(acquireTime ? { acquireTime } : {}),
      ...(renewTime ? { renewTime } : {}),
      leaseTransitions: spec.leaseTransitions ?? 0,
    },
    resourceVersion: lease.metadata?.resourceVersion ?? '',
  };
}

/** The Lease through the API server (CoordinationV1Api of @kubernetes/client-node). */
export function createLeaseClient(options: CreateLeaseClientOptions): LeaseClient {
  const api = options.kubeConfig.makeApiClient(CoordinationV1Api);
  const { namespace, name } = options;
  // Like client-go's LeaseLock, updates send back the whole object last seen, so labels or
  // annotations someone put on the Lease survive.
  let lastSeen: V1Lease | undefined;

  const buildLease = (record: LeaseRecord, resourceVersion?: string): V1Lease => {
    const metadata =
      lastSeen?.metadata?.resourceVersion === resourceVersion && lastSeen?.metadata
        ? { ...lastSeen.metadata }
        : { name, namespace };
    if (resourceVersion !== undefined) metadata.resourceVersion = resourceVersion;
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata,
      spec: {
        holderIdentity: record.holderIdentity,
        leaseDurationSeconds: record.leaseDurationSeconds,
        acquireTime: toMicroTime(record.acquireTime),
        renewTime: toMicroTime(record.renewTime),
        leaseTransitions: record.leaseTransitions,
      },
    };
  };

  const remember = (lease: V1Lease): StoredLease => {
    lastSeen = lease;
    return toStoredLease(lease);
  };

  return {
    async read() {
      try {
        return remember(await api.readNamespacedLease({ name, namespace }));
      } catch (error) {
        if (isStatus(error, 404)) return undefined;
        throw error;
      }
    },

    async create(record) {
      try {
        return remember(await api.createNamespacedLease({ namespace, body: buildLease(record) }));
      } catch (error) {
        if (isStatus(error, 409)) return LEASE_CONFLICT;
        throw error;
      }
    },

    async update(record, resourceVersion) {
      try {
        return remember(
          await api.replaceNamespacedLease({ name, namespace, body: buildLease(record, resourceVersion) }),
        );
      } catch (error) {
        // 409: someone wrote since our read. 404: deleted since; the next read creates it anew.
        if (isStatus(error, 409) || isStatus(error, 404)) return LEASE_CONFLICT;
        throw error;
      }
    },
  };
}
