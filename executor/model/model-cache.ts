/**
 * The model cache: converted or downloaded models under `<cacheDir>/models/`, one
 * `<name>-<sha256>.onnx` per model plus a JSON sidecar that says what it is and where its
 * weights came from. The sidecar is written last, so a sidecar always describes a complete
 * model file; both are written to a temp name and renamed, so readers and concurrent
 * writers never see a partial file (two writers of the same model write the same bytes).
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { FeatureJobError } from '../errors.js';

/** Bump when the sidecar's meaning changes; sidecars of other formats are ignored. */
export const CACHED_MODEL_FORMAT = 1;

const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 digest in lowercase hex');
const Md5Hex = z.string().regex(/^[0-9a-f]{32}$/, 'an md5 digest in lowercase hex');

export const CachedModelRecordSchema = z.object({
  format: z.literal(CACHED_MODEL_FORMAT),
  /** Model name, e.g. 'vgg16'; part of the file name. */
  name: z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/),
  layer: z.string().min(1).max(64),
  dimensions: z.number().int().positive(),
  /** What the weights are, for people and manifests, e.g. 'imagenet (keras …, md5 …)'. */
  weights: z.string().min(1).max(4096),
  /** A well-known name for these weights ('imagenet'), when they were verified as such. */
  alias: z.string().min(1).max(64).optional(),
  /** sha256 of the original weights file (the .h5 or .onnx the model was made from). */
  sourceSha256: Sha256Hex,
  /** md5 of the original weights file (Keras publishes md5 checksums). */
  sourceMd5: Md5Hex.optional(),
  /** sha256 and size of the cached .onnx file. */
  sha256: Sha256Hex,
  bytes: z.number().int().nonnegative(),
  createdAt: z.iso.datetime(),
});

export type CachedModelRecord = z.infer<typeof CachedModelRecordSchema>;

export interface CachedModel extends CachedModelRecord {
  /** Absolute path of the .onnx file. */
  readonly path: string;
  /** Absolute path of its JSON sidecar. */
  readonly sidecarPath: string;
}

export function computeModelsDir(cacheDir: string): string {
  return resolve(cacheDir, 'models');
}

export function computeCachedModelPath(cacheDir: string, name: string, sha256: string): string {
  return join(computeModelsDir(cacheDir), `${name}-${sha256}.onnx`);
}

export function computeSidecarPath(cacheDir: string, name: string, sha256: string): string {
  return join(computeModelsDir(cacheDir), `${name}-${sha256}.json`);
}

const SIDECAR_NAME = /^([a-z0-9][a-z0-9_.-]{0,63})-([0-9a-f]{64})\.json$/;

export interface ListCachedModelsOptions {
  readonly cacheDir: string;
  /** Told about each sidecar that is unreadable, invalid or whose model file is missing. */
  readonly onInvalid?: (path: string, why: string) => void;
}

/** Every complete cached model, oldest first. Invalid entries are skipped (and reported). */
export async function listCachedModels(options: ListCachedModelsOptions): Promise<CachedModel[]> {
  const dir = computeModelsDir(options.cacheDir);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new FeatureJobError('FJ_MODEL_INVALID', `cannot read the model cache ${dir}: ${String(error)}`, {
      cause: error,
    });
  }
  const models: CachedModel[] = [];
  for (const fileName of names.sort()) {
    const match = SIDECAR_NAME.exec(fileName);
    if (match === null) continue;
    const sidecarPath = join(dir, fileName);
    const entry = await readEntry(sidecarPath, match[1] as string, match[2] as string);
    if (typeof entry === 'string') options.onInvalid?.(sidecarPath, entry);
    else models.push(entry);
  }
  return models.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.path.localeCompare(b.path));
}

/** Reads one sidecar and checks it against its file name and model file; a string says why not. */
async function readEntry(sidecarPath: string, name: string, sha256: string): Promise<CachedModel | string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(sidecarPath, 'utf8'));
  } catch (error) {
    return `unreadable sidecar: ${error instanceof Error ? error.message : String(error)}`;
  }
  const result = CachedModelRecordSchema.safeParse(parsed);
  if (!result.success)
    return `invalid sidecar: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`;
  const record = result.data;
  if (record.name !== name || record.sha256 !== sha256) return 'the sidecar does not match its file name';
  const path = sidecarPath.replace(/\.json$/, '.onnx');
  const found = await stat(path).catch(() => undefined);
  if (found === undefined || !found.isFile()) return `model file ${path} is missing`;
  if (found.size !== record.bytes)
    return `model file ${path} has ${found.size} bytes, the sidecar says ${record.bytes}`;
  return { ...record, path, sidecarPath };
}

export interface FindCachedModelOptions {
  readonly cacheDir: string;
  readonly name: string;
  /** The model made from this exact weights file. */
  readonly sourceSha256?: string;
  /** Or the model known by this alias ('imagenet') ... */
  readonly alias?: string;
  /** ... whose source had this md5 (a mirror's weights are a different entry). */
  readonly sourceMd5?: string;
}

/** The newest cached model matching every criterion given, or undefined. */
export async function findCachedModel(options: FindCachedModelOptions): Promise<CachedModel | undefined> {
  if (options.sourceSha256 === undefined && options.alias === undefined) {
    throw new FeatureJobError('FJ_INVALID_ARGUMENT', 'findCachedModel needs sourceSha256 or alias');
  }
  const models = await listCachedModels({ cacheDir: options.cacheDir });
  const matches = models.filter(
    (model) =>
      model.name === options.name &&
      (options.sourceSha256 === undefined || model.sourceSha256 === options.sourceSha256) &&
      (options.alias === undefined || model.alias === options.alias) &&
      (options.sourceMd5 === undefined || model.sourceMd5 === options.sourceMd5),
  );
  return matches[matches.length - 1];
}

export interface StoreCachedModelOptions {
  readonly cacheDir: string;
  readonly record: Omit<CachedModelRecord, 'format' | 'sha256' | 'bytes' | 'createdAt'>;
  /** The .onnx bytes to store. */
  readonly onnx: Uint8Array;
  readonly now?: () => Date;
}

/** Writes a model and its sidecar into the cache (idempotent: same bytes, same names). */
export async function storeCachedModel(options: StoreCachedModelOptions): Promise<CachedModel> {
  const { cacheDir, onnx } = options;
  const sha256 = createHash('sha256').update(onnx).digest('hex');
  const record = CachedModelRecordSchema.parse({
    ...options.record,
    format: CACHED_MODEL_FORMAT,
    sha256,
    bytes: onnx.byteLength,
    createdAt: (options.now?.() ?? new Date()).toISOString(),
  });
  const path = computeCachedModelPath(cacheDir, record.name, sha256);
  const sidecarPath = computeSidecarPath(cacheDir, record.name, sha256);
  await mkdir(computeModelsDir(cacheDir), { recursive: true });
  await writeFileAtomic(path, onnx);
  await writeFileAtomic(sidecarPath, Buffer.from(`${JSON.stringify(record, null, 2)}\n`));
  return { ...record, path, sidecarPath };
}

/** Temp file in the same directory, fsync, rename: the final name only ever holds whole files. */
export async function writeFileAtomic(path: string, body: Uint8Array | readonly Uint8Array[]): Promise<void> {
  const chunks = body instanceof Uint8Array ? [body] : body;
  const temp = `${path}.${process.pid}.${randomUUID()}.tmp`;
  try {
    const file = await open(temp, 'wx');
    try {
      for (const chunk of chunks) {
        for (let offset = 0; offset < chunk.byteLength; ) {
          offset += (await file.write(chunk, offset, chunk.byteLength - offset)).bytesWritten;
        }
      }
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw new FeatureJobError('FJ_MODEL_INVALID', `cannot write ${path} to the model cache: ${String(error)}`, {
      cause: error,
    });
  }
}
