import { createHash, createHmac } from 'node:crypto';
import type { MinioServer } from './minio-server.js';

export interface RestrictedCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
}

export interface RestrictedCredentialsOptions {
  readonly bucket: string;
  /** Keys (full object keys in the bucket) whose GetObject answers 403 AccessDenied. */
  readonly denyGetKeys: readonly string[];
  readonly durationSeconds?: number;
}

function sha256Hex(data: string): string {
  return createHash('sha256').update(data, 'utf8').digest('hex');
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** AWS Signature Version 4 headers for a form-encoded POST to an STS endpoint. */
function signStsRequest(options: {
  url: URL;
  body: string;
  region: string;
  accessKey: string;
  secretKey: string;
  now: Date;
}): Record<string, string> {
  const amzDate = options.now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const payloadHash = sha256Hex(options.body);
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
    host: options.url.host,
    'x-amz-content-sha256': payloadHash,
    'x-amz-date': amzDate,
  };
  const signedHeaders = Object.keys(headers).sort().join(';');
  const canonicalHeaders = Object.keys(headers)
    .sort()
    .map((name) => `${name}:${headers[name]}\n`)
    .join('');
  const canonicalRequest = ['POST', '/', '', canonicalHeaders, signedHeaders, payloadHash].join('\n');
  const scope = `${day}/${options.region}/sts/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${options.secretKey}`, day), options.region), 'sts'), 'aws4_request');
  const signature = createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest('hex');
  return {
    ...headers,
    authorization: `AWS4-HMAC-SHA256 Credential=${options.accessKey}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
}

function xmlField(xml: string, name: string): string {
  const match = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml);
  if (match?.[1] === undefined) throw new Error(`AssumeRole answer has no ${name}:\n${xml}`);
  return match[1];
}

/**
 * Temporary credentials that may do anything in `bucket` except read `denyGetKeys`.
 *
 * MinIO's root user bypasses bucket policies, so the helper asks MinIO's STS (AssumeRole,
 * signed with the root credentials) for credentials carrying an inline session policy with
 * an explicit Deny. MinIO intersects a session policy with the parent's rights even for
 * root-derived credentials, so reading a denied key answers 403 AccessDenied while every
 * other key stays readable with the same credentials.
 */
export async function restrictedCredentials(
  server: MinioServer,
  options: RestrictedCredentialsOptions,
): Promise<RestrictedCredentials> {
  const statements: unknown[] = [
    {
      Effect: 'Allow',
      Action: ['s3:*'],
      Resource: [`arn:aws:s3:::${options.bucket}`, `arn:aws:s3:::${options.bucket}/*`],
    },
  ];
  if (options.denyGetKeys.length > 0) {
    statements.push({
      Effect: 'Deny',
      Action: ['s3:GetObject'],
      Resource: options.denyGetKeys.map((key) => `arn:aws:s3:::${options.bucket}/${key}`),
    });
  }
  const policy = JSON.stringify({ Version: '2012-10-17', Statement: statements });
  const body = new URLSearchParams({
    Action: 'AssumeRole',
    Version: '2011-06-15',
    DurationSeconds: String(options.durationSeconds ?? 3600),
    Policy: policy,
  }).toString();
  const url = new URL('/', server.endpoint);
  const headers = signStsRequest({
    url,
    body,
    region: server.region,
    accessKey: server.accessKey,
    secretKey: server.secretKey,
    now: new Date(),
  });
  const response = await fetch(url, { method: 'POST', headers, body });
  const text = await response.text();
  if (!response.ok) throw new Error(`AssumeRole failed with HTTP ${response.status}:\n${text}`);
  return {
    accessKeyId: xmlField(text, 'AccessKeyId'),
    secretAccessKey: xmlField(text, 'SecretAccessKey'),
    sessionToken: xmlField(text, 'SessionToken'),
  };
}
