/**
 * The answer of GET /api/featurejobs: the FeatureJobs of the operator's informer cache,
 * summarised, optionally of one namespace. Bad input has a stable `error` code in the JSON
 * (docs/dashboard.md): a malformed namespace is a 400, a namespace this operator does not
 * watch a 404 that says which one it watches, a cache not there (yet) a 503.
 */
import { z } from 'zod';
import type { FeatureJobObject } from '../../crds/feature-job-resource.js';
import { summarizeFeatureJob, type FeatureJobSummary } from './summarize-feature-job.js';
import type { ProgressSample } from './throughput-history.js';

/** What the operator's cache holds right now, or why it holds nothing to show. */
export type FeatureJobCache =
  | { readonly available: true; readonly jobs: readonly FeatureJobObject[] }
  | { readonly available: false; readonly reason: string };

export interface DashboardSource {
  /** The one namespace the operator watches (--namespace); undefined when it watches all. */
  readonly watchedNamespace: string | undefined;
  read(): FeatureJobCache;
  samples(job: FeatureJobObject): readonly ProgressSample[];
}

export const DASHBOARD_ERRORS = {
  BadNamespace: 'the namespace parameter is not a Kubernetes namespace name',
  NamespaceNotWatched: 'this operator does not watch that namespace, so it knows none of its FeatureJobs',
  CacheUnavailable: 'this replica has no FeatureJob cache to show (standing by, or not synced yet)',
} as const;
export type DashboardError = keyof typeof DASHBOARD_ERRORS;

export interface FeatureJobsList {
  /** RFC 3339, on the operator's clock. */
  readonly generatedAt: string;
  /** "all namespaces", or the one namespace watched. */
  readonly watching: string;
  readonly namespace?: string;
  readonly jobs: readonly FeatureJobSummary[];
}

export interface DashboardErrorBody {
  readonly error: DashboardError;
  readonly message: string;
  readonly watching?: string;
}

export type FeatureJobsAnswer =
  | { readonly statusCode: 200; readonly body: FeatureJobsList }
  | { readonly statusCode: 400 | 404 | 503; readonly body: DashboardErrorBody };

// RFC 1123 label, as the API server checks namespace names.
const NamespaceName = z
  .string()
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
const QuerySchema = z.object({ namespace: NamespaceName.optional() });

function byNamespaceThenName(a: FeatureJobObject, b: FeatureJobObject): number {
  const ns = a.metadata.namespace.localeCompare(b.metadata.namespace);
  return ns !== 0 ? ns : a.metadata.name.localeCompare(b.metadata.name);
}

export function answerFeatureJobs(source: DashboardSource, query: unknown, now: Date): FeatureJobsAnswer {
  const watching = source.watchedNamespace ?? 'all namespaces';
  const parsed = QuerySchema.safeParse(query ?? {});
  if (!parsed.success) {
    const raw = (query as { namespace?: unknown } | undefined)?.namespace;
    return {
      statusCode: 400,
      body: {
        error: 'BadNamespace',
        message: `${JSON.stringify(String(raw)).slice(0, 80)} is not a namespace name (lowercase letters, digits and '-', at most 63)`,
      },
    };
  }
  const { namespace } = parsed.data;
  if (namespace !== undefined && source.watchedNamespace !== undefined && namespace !== source.watchedNamespace) {
    return {
      statusCode: 404,
      body: {
        error: 'NamespaceNotWatched',
        message: `this operator watches namespace "${source.watchedNamespace}" only, not "${namespace}": it knows no FeatureJobs there`,
        watching,
      },
    };
  }
  const cache = source.read();
  if (!cache.available)
    return { statusCode: 503, body: { error: 'CacheUnavailable', message: cache.reason, watching } };
  const jobs = cache.jobs
    .filter((job) => namespace === undefined || job.metadata.namespace === namespace)
    .sort(byNamespaceThenName)
    .map((job) => summarizeFeatureJob(job, source.samples(job)));
  return {
    statusCode: 200,
    body: {
      generatedAt: now.toISOString().replace(/\.\d+Z$/, 'Z'),
      watching,
      ...(namespace === undefined ? {} : { namespace }),
      jobs,
    },
  };
}
