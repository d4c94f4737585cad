import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  type CompletedPart,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { FeatureJobError, type ErrorCode } from '../errors.js';
import { formatLocation, normalizePrefix } from './location.js';
import { undefinedIfMissing, type ObjectStore, type StoredObject } from './object-store.js';

export interface S3StoreOptions {
  /** The process's one client (see createS3Client). */
  readonly client: S3Client;
  readonly bucket: string;
  /** Key prefix under which this store's keys live; leading/trailing '/' are ignored. */
  readonly prefix?: string;
  /** Keys per ListObjectsV2 page (S3's maximum and default is 1,000). */
  readonly pageSize?: number;
  /** Extra PutObject attempts after a 409 ConditionalRequestConflict; default 3. */
  readonly conflictRetries?: number;
  /** A `put` of more bytes than this goes multipart; default 64 MiB (S3's single PUT allows 5 GiB). */
  readonly multipartThresholdBytes?: number;
  /** Bytes per part of a multipart put (at least S3's 5 MiB, more when 10,000 parts would not hold the body); default 16 MiB. */
  readonly partBytes?: number;
}

export const DEFAULT_MULTIPART_THRESHOLD_BYTES = 64 * 2 ** 20;
export const DEFAULT_PART_BYTES = 16 * 2 ** 20;
/** S3's smallest part (every part but the last) and most parts per upload. */
const MIN_PART_BYTES = 5 * 2 ** 20;
const MAX_PARTS = 10_000;

/** What the SDK attaches to errors: a service error's name and HTTP status, retry attempts. */
interface SdkErrorShape {
  name?: string;
  code?: string;
  errors?: unknown[];
  cause?: unknown;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

const CONNECTION_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);
const CONNECTION_ERROR_NAMES = new Set(['TimeoutError', 'AbortError']);
// The caller's identity is wrong or expired: true for every object, so never a per-object verdict.
const CREDENTIAL_ERROR_NAMES = new Set([
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'CredentialsProviderError',
]);

function shapeOf(error: unknown): SdkErrorShape {
  return typeof error === 'object' && error !== null ? (error as SdkErrorShape) : {};
}

function statusOf(error: unknown): number | undefined {
  return shapeOf(error).$metadata?.httpStatusCode;
}

/** A network-level failure (no HTTP answer), looking through causes and AggregateErrors. */
export function isConnectionError(error: unknown, depth = 0): boolean {
  if (depth > 4) return false;
  const shape = shapeOf(error);
  if (shape.code !== undefined && CONNECTION_ERRNOS.has(shape.code)) return true;
  if (shape.name !== undefined && CONNECTION_ERROR_NAMES.has(shape.name) && statusOf(error) === undefined) return true;
  if (Array.isArray(shape.errors) && shape.errors.some((inner) => isConnectionError(inner, depth + 1))) return true;
  return shape.cause !== undefined && isConnectionError(shape.cause, depth + 1);
}

function isCredentialError(error: unknown): boolean {
  return CREDENTIAL_ERROR_NAMES.has(shapeOf(error).name ?? '');
}

/** Failures of the store as a whole (listing, writing): by SDK error name and status, never text. */
export function classifyStorageError(error: unknown): ErrorCode {
  const name = shapeOf(error).name;
  const status = statusOf(error);
  if (isConnectionError(error)) return 'FJ_STORAGE_UNREACHABLE';
  if (name === 'NoSuchBucket') return 'FJ_STORAGE_NOT_FOUND';
  if (isCredentialError(error) || name === 'AccessDenied' || status === 403) return 'FJ_STORAGE_ACCESS_DENIED';
  return 'FJ_STORAGE_FAILED';
}

/**
 * Failures reading one object. Only what concerns that object (absent, forbidden) is a
 * per-object verdict; a wrong identity, a missing bucket or an unreachable endpoint is
 * reported as the store's failure so it is not written off image by image.
 */
export function classifyObjectError(error: unknown): ErrorCode {
  const name = shapeOf(error).name;
  const status = statusOf(error);
  if (isConnectionError(error)) return 'FJ_STORAGE_UNREACHABLE';
  if (name === 'NoSuchBucket') return 'FJ_STORAGE_NOT_FOUND';
  if (isCredentialError(error)) return 'FJ_STORAGE_ACCESS_DENIED';
  if (name === 'NoSuchKey' || name === 'NotFound' || status === 404) return 'FJ_OBJECT_MISSING';
  if (name === 'AccessDenied' || status === 403) return 'FJ_OBJECT_FORBIDDEN';
  return 'FJ_OBJECT_READ_FAILED';
}

function describe(error: unknown): string {
  const shape = shapeOf(error);
  const status = statusOf(error);
  const message = error instanceof Error ? error.message : String(error);
  const label = [shape.name, shape.code, status].filter((part) => part !== undefined).join(' ');
  return label === '' ? message : `${label}: ${message}`;
}

function toBytes(body: Uint8Array | string): Uint8Array {
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}

/** An ObjectStore over `s3://bucket/prefix`; keys are relative to the prefix. */
export class S3Store implements ObjectStore {
  readonly uri: string;
  readonly bucket: string;
  readonly prefix: string;
  private readonly client: S3Client;
  private readonly pageSize: number;
  private readonly conflictRetries: number;
  private readonly multipartThresholdBytes: number;
  private readonly partBytes: number;

  constructor(options: S3StoreOptions) {
    this.client = options.client;
    this.bucket = options.bucket;
    this.prefix = normalizePrefix(options.prefix ?? '');
    this.pageSize = options.pageSize ?? 1000;
    this.conflictRetries = options.conflictRetries ?? 3;
    this.multipartThresholdBytes = options.multipartThresholdBytes ?? DEFAULT_MULTIPART_THRESHOLD_BYTES;
    this.partBytes = Math.max(MIN_PART_BYTES, options.partBytes ?? DEFAULT_PART_BYTES);
    this.uri = formatLocation({ kind: 's3', bucket: this.bucket, prefix: this.prefix });
  }

  uriOf(key: string): string {
    return `s3://${this.bucket}/${this.fullKey(key)}`;
  }

  async *list(prefix = ''): AsyncIterable<StoredObject> {
    const root = this.prefix === '' ? '' : `${this.prefix}/`;
    let continuationToken: string | undefined;
    do {
      let page: ListObjectsV2CommandOutput;
      try {
        page = await this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: root + prefix,
            MaxKeys: this.pageSize,
            ContinuationToken: continuationToken,
          }),
        );
      } catch (error) {
        throw this.storageError(`list ${this.uri}/${prefix}`, error);
      }
      for (const object of page.Contents ?? []) {
        const key = object.Key;
        // Zero-byte "folder" markers made by consoles are not objects of the data set.
        if (key === undefined || key.endsWith('/') || !key.startsWith(root)) continue;
        yield { key: key.slice(root.length), size: object.Size ?? 0, tag: object.ETag ?? '' };
      }
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken !== undefined);
  }

  async get(key: string): Promise<Uint8Array> {
    const uri = this.uriOf(key);
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.fullKey(key) }));
      if (response.Body === undefined) {
        throw new FeatureJobError('FJ_OBJECT_READ_FAILED', `cannot read ${uri}: the response has no body`);
      }
      return await response.Body.transformToByteArray();
    } catch (error) {
      if (error instanceof FeatureJobError) throw error;
      throw new FeatureJobError(classifyObjectError(error), `cannot read ${uri}: ${describe(error)}`, { cause: error });
    }
  }

  getIfExists(key: string): Promise<Uint8Array | undefined> {
    return undefinedIfMissing(this.get(key));
  }

  /** One PutObject up to the multipart threshold; above it a multipart upload (putMultipart). */
  async put(key: string, body: Uint8Array | string): Promise<void> {
    const bytes = toBytes(body);
    if (bytes.byteLength > this.multipartThresholdBytes) return this.putMultipart(key, bytes);
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.fullKey(key), Body: bytes }));
    } catch (error) {
      throw this.storageError(`write ${this.uriOf(key)}`, error);
    }
  }

  /**
   * A body too large for one request (a shard of a big partition): CreateMultipartUpload,
   * UploadPart for each slice (views of the body, no copies; each retried by the SDK), then
   * CompleteMultipartUpload. Any failure aborts the upload (AbortMultipartUpload) so that no
   * incomplete upload is left to be billed, and throws the failure's code (5xx: transient).
   * Create-only writes (putIfAbsent) stay single PUTs: markers and indexes are small.
   */
  private async putMultipart(key: string, bytes: Uint8Array): Promise<void> {
    const Key = this.fullKey(key);
    let uploadId: string | undefined;
    try {
      const created = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key }));
      uploadId = created.UploadId;
      if (uploadId === undefined) throw new Error('CreateMultipartUpload answered without an UploadId');
      const partBytes = Math.max(this.partBytes, Math.ceil(bytes.byteLength / MAX_PARTS));
      const parts: CompletedPart[] = [];
      for (let start = 0, PartNumber = 1; start < bytes.byteLength; start += partBytes, PartNumber += 1) {
        const Body = bytes.subarray(start, Math.min(start + partBytes, bytes.byteLength));
        const part = await this.client.send(
          new UploadPartCommand({ Bucket: this.bucket, Key, UploadId: uploadId, PartNumber, Body }),
        );
        parts.push({ ETag: part.ETag, PartNumber });
      }
      await this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts },
        }),
      );
    } catch (error) {
      const aborted = uploadId === undefined ? '' : await this.abortUpload(Key, uploadId);
      const failure = this.storageError(`write ${this.uriOf(key)} (multipart)`, error);
      throw aborted === ''
        ? failure
        : new FeatureJobError(failure.code, `${failure.message}; ${aborted}`, { cause: error });
    }
  }

  /** Aborts an upload; returns '' on success, else what went wrong (the caller's failure comes first). */
  private async abortUpload(Key: string, UploadId: string): Promise<string> {
    try {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId }));
      return '';
    } catch (error) {
      return `aborting upload ${UploadId} failed too: ${describe(error)}`;
    }
  }

  async putIfAbsent(key: string, body: Uint8Array | string): Promise<boolean> {
    const bytes = toBytes(body);
    for (let attempt = 0; ; attempt += 1) {
      try {
        await this.client.send(
          new PutObjectCommand({ Bucket: this.bucket, Key: this.fullKey(key), Body: bytes, IfNoneMatch: '*' }),
        );
        return true;
      } catch (error) {
        const name = shapeOf(error).name;
        const status = statusOf(error);
        if (name === 'PreconditionFailed' || status === 412) return this.isOwnWriteAfterRetry(key, bytes);
        // 409: a concurrent conditional write to the same key was in flight; S3 asks to retry.
        if ((name === 'ConditionalRequestConflict' || status === 409) && attempt < this.conflictRetries) continue;
        throw this.storageError(`create ${this.uriOf(key)}`, error);
      }
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.fullKey(key) }));
    } catch (error) {
      if (shapeOf(error).name === 'NoSuchKey' || statusOf(error) === 404) return;
      throw this.storageError(`delete ${this.uriOf(key)}`, error);
    }
  }

  /**
   * A 412 normally means another writer won. But an earlier try of this same call may have
   * written the object and lost its answer: the SDK retried it, or S3 answered a retry with
   * 409 while the first write was still completing, and our loop tried again. So a 412 always
   * reads the object back: bytes equal to ours (a commit marker names its attempt) mean the
   * object is our own write (docs/architecture.md, "Commit protocol").
   */
  private async isOwnWriteAfterRetry(key: string, bytes: Uint8Array): Promise<boolean> {
    const stored = await this.getIfExists(key);
    return stored !== undefined && Buffer.compare(Buffer.from(stored), Buffer.from(bytes)) === 0;
  }

  private fullKey(key: string): string {
    if (key === '') throw new FeatureJobError('FJ_INVALID_ARGUMENT', 'an object key is never empty');
    return this.prefix === '' ? key : `${this.prefix}/${key}`;
  }

  private storageError(action: string, error: unknown): FeatureJobError {
    return new FeatureJobError(classifyStorageError(error), `cannot ${action}: ${describe(error)}`, { cause: error });
  }
}
