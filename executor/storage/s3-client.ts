import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';

export interface S3ClientOptions {
  /** An S3-compatible endpoint (MinIO); otherwise AWS_ENDPOINT_URL_S3, which the SDK reads itself. */
  readonly endpoint?: string;
  /** Otherwise the SDK's chain (AWS_REGION, the shared config profile), then us-east-1. */
  readonly region?: string;
  /** Attempts per request including the first (the SDK's standard retry strategy); default 3. */
  readonly maxAttempts?: number;
  /** Static credentials, for tests; otherwise the SDK's standard credential chain. */
  readonly credentials?: S3ClientConfig['credentials'];
  /** How long to wait for a TCP connection before giving up; default 10 s. */
  readonly connectionTimeoutMs?: number;
  /** How long a socket may stay idle during a request; default 120 s. */
  readonly requestTimeoutMs?: number;
}

export const DEFAULT_REGION = 'us-east-1';

/** Whether requests go to an S3-compatible endpoint rather than AWS, from options or environment. */
export function isCustomEndpoint(options: { endpoint?: string }, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(options.endpoint || env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL);
}

/**
 * The SDK's own region chain, falling back to us-east-1 where it finds nothing: a MinIO user
 * should not have to invent a region. A throwaway client borrows the chain without copying it.
 */
function regionWithDefault(): () => Promise<string> {
  const probe = new S3Client({});
  const sdkRegion = probe.config.region;
  probe.destroy();
  let resolved: Promise<string> | undefined;
  return () => {
    resolved ??= sdkRegion().catch(() => DEFAULT_REGION);
    return resolved;
  };
}

/**
 * The process's S3 client: create it once and pass it around (it pools connections).
 * Credentials come from the standard chain (env, profile, IRSA / Pod Identity). With an
 * S3-compatible endpoint, buckets are addressed by path (`http://host/bucket/key`), as MinIO
 * expects, instead of by virtual host.
 */
export function createS3Client(options: S3ClientOptions = {}): S3Client {
  const config: S3ClientConfig = {
    region: options.region ?? regionWithDefault(),
    maxAttempts: options.maxAttempts ?? 3,
    requestHandler: {
      connectionTimeout: options.connectionTimeoutMs ?? 10_000,
      requestTimeout: options.requestTimeoutMs ?? 120_000,
    },
  };
  if (options.endpoint !== undefined) config.endpoint = options.endpoint;
  if (options.credentials !== undefined) config.credentials = options.credentials;
  if (isCustomEndpoint(options)) config.forcePathStyle = true;
  return new S3Client(config);
}
