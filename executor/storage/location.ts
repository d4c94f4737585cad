import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FeatureJobError } from '../errors.js';

/** Where a store lives: an S3 bucket + key prefix, or a local directory. */
export type Location =
  | { readonly kind: 's3'; readonly bucket: string; readonly prefix: string }
  | { readonly kind: 'file'; readonly dir: string };

export type S3Location = Extract<Location, { kind: 's3' }>;
export type FileLocation = Extract<Location, { kind: 'file' }>;

const S3_SCHEME = 's3://';
const FILE_SCHEME = 'file://';
// Any `scheme://` other than s3 and file is a user mistake (s3a://, gs://, http://), not a directory.
const URI_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
// S3's bucket naming rules (general purpose buckets): 3-63 chars, lowercase, digits, '.', '-'.
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const IP_ADDRESS = /^\d{1,3}(\.\d{1,3}){3}$/;

function invalid(arg: string, why: string): FeatureJobError {
  return new FeatureJobError('FJ_INVALID_ARGUMENT', `invalid location "${arg}": ${why}`);
}

/** Why `name` is not a valid S3 bucket name, or undefined when it is one. */
export function explainInvalidBucketName(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return 'a bucket name has 3 to 63 characters';
  if (!BUCKET_NAME.test(name)) {
    return 'a bucket name uses only lowercase letters, digits, "." and "-", and starts and ends with a letter or digit';
  }
  if (name.includes('..')) return 'a bucket name has no two adjacent periods';
  if (IP_ADDRESS.test(name)) return 'a bucket name is not formatted as an IP address';
  return undefined;
}

/** Strips every leading and trailing '/', keeping inner ones (S3 keys may contain '//'). */
export function normalizePrefix(prefix: string): string {
  return prefix.replace(/^\/+/, '').replace(/\/+$/, '');
}

function parseS3(arg: string): S3Location {
  const rest = arg.slice(S3_SCHEME.length);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const prefix = slash === -1 ? '' : normalizePrefix(rest.slice(slash + 1));
  if (bucket === '') throw invalid(arg, 'expected s3://bucket or s3://bucket/prefix');
  const problem = explainInvalidBucketName(bucket);
  if (problem !== undefined) throw invalid(arg, `"${bucket}" is not a valid bucket name (${problem})`);
  return { kind: 's3', bucket, prefix };
}

/**
 * Parses a CLI input/output argument: `s3://bucket[/prefix]`, a `file://` URL or a local
 * path (made absolute against the working directory). Throws FJ_INVALID_ARGUMENT.
 */
export function parseLocation(arg: string): Location {
  if (arg.trim() === '') throw invalid(arg, 'expected a directory or s3://bucket/prefix');
  if (arg.startsWith(S3_SCHEME)) return parseS3(arg);
  if (arg.toLowerCase().startsWith(S3_SCHEME)) throw invalid(arg, 'the scheme is written in lowercase: s3://');
  if (arg.startsWith(FILE_SCHEME)) {
    try {
      return { kind: 'file', dir: resolve(fileURLToPath(arg)) };
    } catch (error) {
      throw new FeatureJobError('FJ_INVALID_ARGUMENT', `invalid location "${arg}": not a valid file:// URL`, {
        cause: error,
      });
    }
  }
  if (URI_SCHEME.test(arg)) throw invalid(arg, 'only s3:// URIs and local directories are supported');
  return { kind: 'file', dir: resolve(arg) };
}

/** The canonical text of a location: `s3://bucket`, `s3://bucket/prefix` or an absolute path. */
export function formatLocation(location: Location): string {
  if (location.kind === 'file') return location.dir;
  return location.prefix === ''
    ? `${S3_SCHEME}${location.bucket}`
    : `${S3_SCHEME}${location.bucket}/${location.prefix}`;
}
