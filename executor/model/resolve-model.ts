/**
 * Turns the user's `--weights` choice into a model file and its ModelInfo, in the parent
 * process, before any worker starts:
 *   random          seeded He-normal weights, built once per seed and cached
 *   imagenet        the Keras ImageNet weights, from the cache or downloaded, verified and converted
 *   auto            imagenet when cached or fetchable, else random with a warning (the default)
 *   file.h5         Keras HDF5 weights, converted once and cached by the file's sha256
 *   file.onnx       any VGG16-fc2 ONNX model, used as it is
 *   s3://…/x.h5     read through the storage layer, then as above (.onnx: copied into the cache)
 * Workers only ever read the resulting .onnx file. No onnxruntime here, and the h5 converter
 * is imported only when a conversion happens: this module must stay cheap to import.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { FeatureJobError, isFeatureJobError } from '../errors.js';
import { formatLocation, parseLocation, type Location } from '../storage/location.js';
import type { ObjectStore } from '../storage/object-store.js';
import { downloadWeights, fileNameOf, type DownloadProgress } from './download-weights.js';
import { findCachedModel, storeCachedModel, writeFileAtomic, type CachedModel } from './model-cache.js';
import type { ModelInfo } from './model-runner.js';
import { buildRandomVgg16Weights, DEFAULT_MODEL_SEED, describeRandomWeights } from './random-vgg16-weights.js';
import { encodeVgg16Onnx, VGG16_OUTPUT_NAME, VGG16_WIDTHS } from './vgg16-graph.js';

/** keras.applications.vgg16's WEIGHTS_PATH and the md5 its get_file call verifies. */
export const IMAGENET_VGG16_URL =
  'https://storage.googleapis.com/tensorflow/keras-applications/vgg16/vgg16_weights_tf_dim_ordering_tf_kernels.h5';
export const IMAGENET_VGG16_MD5 = '64373286793e3c8b2b4e3219cbf3544b';
export const IMAGENET_ALIAS = 'imagenet';
export const WEIGHTS_KEYWORDS = ['auto', 'imagenet', 'random'] as const;

export interface ImagenetSource {
  readonly url: string;
  readonly md5: string;
}

export interface ResolveModelOptions {
  /** 'auto', 'imagenet', 'random', a path to an .h5 or .onnx file, or s3://bucket/key(.h5|.onnx). */
  readonly weights: 'auto' | 'imagenet' | 'random' | string;
  /** Seed for 'random' (default 0). */
  readonly seed?: number;
  /** Where built models are cached (default $FEATUREJOB_CACHE or ~/.cache/featurejob). */
  readonly cacheDir?: string;
  /** A mirror of the ImageNet weights (default $FEATUREJOB_VGG16_URL / $FEATUREJOB_VGG16_MD5, else Keras'). */
  readonly imagenet?: Partial<ImagenetSource>;
  /** Opens the store holding s3:// weights (the caller owns the process's one S3 client). */
  readonly openStore?: (location: Location) => ObjectStore;
  readonly onDownloadProgress?: (progress: DownloadProgress & { readonly url: string }) => void;
  /** One line per slow step (downloading, converting), for the user. */
  readonly onStatus?: (message: string) => void;
  readonly fetch?: typeof fetch;
}

/** How the model was obtained this time. */
export type ModelOrigin = 'random' | 'file' | 'cache' | 'converted' | 'downloaded';

export interface ResolvedModel {
  /** Absolute path of the .onnx file. */
  readonly path: string;
  readonly info: ModelInfo;
  readonly origin: ModelOrigin;
  /** Set when 'auto' fell back to random weights: say it to the user. */
  readonly warning?: string;
}

export function defaultCacheDir(): string {
  const fromEnv = process.env.FEATUREJOB_CACHE;
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : join(homedir(), '.cache', 'featurejob');
}

/** Bump when the graph, the weight generator or the encoding changes, so stale cache files are never reused. */
export const RANDOM_MODEL_FORMAT = 1;

/** Where the random model for `seed` lives under `cacheDir`. */
export function computeRandomModelPath(cacheDir: string, seed: number): string {
  return resolve(cacheDir, 'models', `vgg16-fc2-random-v${RANDOM_MODEL_FORMAT}-seed${seed}.onnx`);
}

/** The ImageNet weights to fetch: options, then FEATUREJOB_VGG16_URL / FEATUREJOB_VGG16_MD5, then Keras'. */
export function computeImagenetSource(
  overrides: Partial<ImagenetSource> = {},
  env: NodeJS.ProcessEnv = process.env,
): ImagenetSource {
  const url = overrides.url ?? nonEmpty(env.FEATUREJOB_VGG16_URL) ?? IMAGENET_VGG16_URL;
  const md5 = (overrides.md5 ?? nonEmpty(env.FEATUREJOB_VGG16_MD5) ?? IMAGENET_VGG16_MD5).toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(md5))
    throw new FeatureJobError('FJ_INVALID_ARGUMENT', `md5 must be 32 hex digits, got '${md5}'`);
  if (!/^https?:\/\//.test(url))
    throw new FeatureJobError('FJ_INVALID_ARGUMENT', `the weights URL must be http(s)://…, got '${url}'`);
  return { url, md5 };
}

export function describeImagenetWeights(source: ImagenetSource): string {
  return `${IMAGENET_ALIAS} (keras ${fileNameOf(source.url)}, md5 ${source.md5})`;
}

const BASE_INFO = { name: 'vgg16', layer: VGG16_OUTPUT_NAME, dimensions: VGG16_WIDTHS.dense } as const;

export async function resolveModel(options: ResolveModelOptions): Promise<ResolvedModel> {
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const { weights } = options;
  if (weights === 'random') return resolveRandomModel(options.seed, cacheDir);
  if (weights === 'imagenet' || weights === 'auto') {
    const source = computeImagenetSource(options.imagenet);
    try {
      const { model, origin } = await ensureImagenetModel({ ...options, cacheDir, source });
      return fromCached(model, origin, model.weights);
    } catch (error) {
      if (weights === 'imagenet' || !isFeatureJobError(error) || error.code !== 'FJ_WEIGHTS_UNAVAILABLE') throw error;
      const random = await resolveRandomModel(options.seed, cacheDir);
      return {
        ...random,
        warning: `the ImageNet weights are not cached and could not be fetched, so RANDOM weights are used (${error.message})`,
      };
    }
  }
  if (weights.startsWith('s3://')) return resolveStoredWeights(weights, { ...options, cacheDir });
  return resolveFileWeights(resolve(weights), { ...options, cacheDir });
}

async function resolveRandomModel(seed: number = DEFAULT_MODEL_SEED, cacheDir: string): Promise<ResolvedModel> {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new FeatureJobError('FJ_INVALID_ARGUMENT', `seed must be a non-negative integer, got ${seed}`);
  }
  const path = computeRandomModelPath(cacheDir, seed);
  const sha256 = await ensureRandomModel(path, seed);
  return { path, origin: 'random', info: { ...BASE_INFO, weights: describeRandomWeights(seed), sha256 } };
}

function fromCached(model: CachedModel, origin: ModelOrigin, weights: string): ResolvedModel {
  return {
    path: model.path,
    origin,
    info: { name: model.name, layer: model.layer, dimensions: model.dimensions, weights, sha256: model.sha256 },
  };
}

export interface EnsureImagenetModelOptions
  extends Pick<ResolveModelOptions, 'openStore' | 'onDownloadProgress' | 'onStatus' | 'fetch'> {
  readonly cacheDir: string;
  readonly source: ImagenetSource;
  /** Use this local file or s3:// object instead of downloading (air-gapped); its md5 is still checked. */
  readonly from?: string;
  /** Read-only model caches searched before `cacheDir` (default: $FEATUREJOB_MODEL_DIRS). */
  readonly searchDirs?: readonly string[];
}

/**
 * `FEATUREJOB_MODEL_DIRS`: colon-separated caches made by `featurejob models pull` that are
 * only read, e.g. /opt/featurejob/models baked into the container image, so executor pods
 * find the ImageNet model there while their writable cache is an emptyDir.
 */
export function computeModelSearchDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.FEATUREJOB_MODEL_DIRS ?? '').split(':').filter((dir) => dir !== '');
}

/** The cached ImageNet model for `source`, pulled (downloaded or read `from`, verified, converted) when missing. */
export async function ensureImagenetModel(
  options: EnsureImagenetModelOptions,
): Promise<{ model: CachedModel; origin: ModelOrigin }> {
  const { cacheDir, source } = options;
  // Read-only caches first (a model baked into the container image), then the writable one.
  for (const dir of [...(options.searchDirs ?? computeModelSearchDirs()), cacheDir]) {
    const cached = await findCachedModel({
      cacheDir: dir,
      name: BASE_INFO.name,
      alias: IMAGENET_ALIAS,
      sourceMd5: source.md5,
    });
    if (cached !== undefined) return { model: cached, origin: 'cache' };
  }
  const description = describeImagenetWeights(source);
  if (options.from !== undefined) {
    const bytes = await readWeightsBytes(options.from, options);
    const md5 = createHash('md5').update(bytes).digest('hex');
    if (md5 !== source.md5) {
      throw new FeatureJobError(
        'FJ_WEIGHTS_CHECKSUM_MISMATCH',
        `${options.from} has md5 ${md5}, expected ${source.md5} (${fileNameOf(source.url)}); nothing was cached. ` +
          `For other VGG16 weights pass --weights <file.h5> to featurejob run`,
      );
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const model = await convertAndStore({
      cacheDir,
      bytes,
      source: options.from,
      record: { weights: description, alias: IMAGENET_ALIAS, sourceSha256: sha256, sourceMd5: md5 },
      onStatus: options.onStatus,
    });
    return { model, origin: 'converted' };
  }
  const dest = join(cacheDir, 'downloads', `${fileNameOf(source.url)}.${randomUUID()}`);
  options.onStatus?.(`downloading ${source.url}`);
  const downloaded = await downloadWeights({
    url: source.url,
    expectedMd5: source.md5,
    dest,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    ...(options.onDownloadProgress === undefined
      ? {}
      : { onProgress: (p) => options.onDownloadProgress?.({ ...p, url: source.url }) }),
  });
  try {
    const bytes = await readFile(downloaded.path);
    const model = await convertAndStore({
      cacheDir,
      bytes,
      source: source.url,
      record: {
        weights: description,
        alias: IMAGENET_ALIAS,
        sourceSha256: downloaded.sha256,
        sourceMd5: downloaded.md5,
      },
      onStatus: options.onStatus,
    });
    return { model, origin: 'downloaded' };
  } finally {
    // The .h5 is not needed once converted; keeping it would double the cache's 537 MB.
    await unlink(downloaded.path).catch(() => undefined);
  }
}

/** `--weights path`: an .h5 is converted once (cached by its sha256); anything else is used as an ONNX model. */
async function resolveFileWeights(
  path: string,
  options: ResolveModelOptions & { cacheDir: string },
): Promise<ResolvedModel> {
  const found = await stat(path).catch(() => undefined);
  if (found !== undefined && (found.isDirectory() || path.toLowerCase().endsWith('.json')))
    return resolveTfjsWeights(path);
  if (found === undefined || !found.isFile()) {
    throw new FeatureJobError(
      'FJ_MODEL_NOT_FOUND',
      `weights file ${path} not found: pass auto, imagenet, random, a Keras VGG16 .h5 file, a VGG16 fc2 .onnx file or s3://bucket/key`,
    );
  }
  if (!(await isHdf5File(path)))
    return { path, origin: 'file', info: { ...BASE_INFO, weights: path, sha256: await computeFileSha256(path) } };
  const { sha256, md5 } = await computeFileDigests(path);
  const weights = describeH5Weights(path, md5, options);
  const cached = await findCachedModel({ cacheDir: options.cacheDir, name: BASE_INFO.name, sourceSha256: sha256 });
  if (cached !== undefined) return fromCached(cached, 'cache', weights);
  const model = await convertAndStore({
    cacheDir: options.cacheDir,
    bytes: await readFile(path),
    source: path,
    record: { weights, ...imagenetAlias(md5, options), sourceSha256: sha256, sourceMd5: md5 },
    onStatus: options.onStatus,
  });
  return fromCached(model, 'converted', weights);
}

/** `--weights dir|model.json`: a TensorFlow.js model (or SavedModel), run by the tfjs engine as it is. */
async function resolveTfjsWeights(path: string): Promise<ResolvedModel> {
  const { computeTfjsModelSha256 } = await import('./read-tfjs-model-files.js');
  return { path, origin: 'file', info: { ...BASE_INFO, weights: path, sha256: await computeTfjsModelSha256(path) } };
}

/** `--weights s3://…`: read once through the storage layer; converted or copied into the cache by sha256. */
async function resolveStoredWeights(
  uri: string,
  options: ResolveModelOptions & { cacheDir: string },
): Promise<ResolvedModel> {
  const bytes = await readWeightsBytes(uri, options);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const md5 = createHash('md5').update(bytes).digest('hex');
  const isH5 = isHdf5Signature(bytes);
  const weights = isH5 ? describeH5Weights(uri, md5, options) : uri;
  const cached = await findCachedModel({ cacheDir: options.cacheDir, name: BASE_INFO.name, sourceSha256: sha256 });
  if (cached !== undefined) return fromCached(cached, 'cache', weights);
  const record = { weights, ...(isH5 ? imagenetAlias(md5, options) : {}), sourceSha256: sha256, sourceMd5: md5 };
  const model = isH5
    ? await convertAndStore({ cacheDir: options.cacheDir, bytes, source: uri, record, onStatus: options.onStatus })
    : await storeCachedModel({ cacheDir: options.cacheDir, onnx: bytes, record: { ...BASE_INFO, ...record } });
  return fromCached(model, isH5 ? 'converted' : 'downloaded', weights);
}

function describeH5Weights(source: string, md5: string, options: Pick<ResolveModelOptions, 'imagenet'>): string {
  const imagenet = computeImagenetSource(options.imagenet);
  return md5 === imagenet.md5
    ? `${describeImagenetWeights(imagenet)} from ${source}`
    : `${source} (keras h5, md5 ${md5})`;
}

/** A file with the ImageNet md5 is the ImageNet model: later `--weights imagenet` runs find it. */
function imagenetAlias(md5: string, options: Pick<ResolveModelOptions, 'imagenet'>): { alias?: string } {
  return md5 === computeImagenetSource(options.imagenet).md5 ? { alias: IMAGENET_ALIAS } : {};
}

/** The whole weights file, from a local path or s3://bucket/key through the injected store opener. */
async function readWeightsBytes(from: string, options: Pick<ResolveModelOptions, 'openStore'>): Promise<Uint8Array> {
  if (!from.startsWith('s3://')) {
    try {
      return await readFile(resolve(from));
    } catch (error) {
      throw new FeatureJobError(
        'FJ_MODEL_NOT_FOUND',
        `cannot read weights file ${resolve(from)}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
  const location = parseLocation(from);
  if (location.kind !== 's3' || location.prefix === '') {
    throw new FeatureJobError(
      'FJ_INVALID_ARGUMENT',
      `weights URI ${from} must name an object: s3://bucket/key.h5 or .onnx`,
    );
  }
  if (options.openStore === undefined) {
    throw new FeatureJobError(
      'FJ_INVALID_ARGUMENT',
      `s3:// weights (${from}) need a store; this command cannot open one`,
    );
  }
  const slash = location.prefix.lastIndexOf('/');
  const parent: Location = {
    kind: 's3',
    bucket: location.bucket,
    prefix: slash === -1 ? '' : location.prefix.slice(0, slash),
  };
  const store = options.openStore(parent);
  try {
    return await store.get(location.prefix.slice(slash + 1));
  } catch (error) {
    if (isFeatureJobError(error) && error.code === 'FJ_OBJECT_MISSING') {
      throw new FeatureJobError('FJ_MODEL_NOT_FOUND', `weights object ${from} not found in ${formatLocation(parent)}`, {
        cause: error,
      });
    }
    throw error;
  }
}

async function convertAndStore(options: {
  cacheDir: string;
  bytes: Uint8Array;
  source: string;
  record: { weights: string; alias?: string; sourceSha256: string; sourceMd5: string };
  onStatus: ((message: string) => void) | undefined;
}): Promise<CachedModel> {
  options.onStatus?.(`converting ${options.source} to ONNX`);
  const { convertKerasH5ToOnnx } = await import('./convert-keras-h5.js');
  const onnx = await convertKerasH5ToOnnx(options.bytes, { source: options.source });
  return storeCachedModel({ cacheDir: options.cacheDir, onnx, record: { ...BASE_INFO, ...options.record } });
}

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

function isHdf5Signature(bytes: Uint8Array): boolean {
  return HDF5_SIGNATURE.every((byte, i) => bytes[i] === byte);
}

/** By content, not name: an .h5 renamed .weights is still HDF5 (Keras files keep the superblock at 0). */
async function isHdf5File(path: string): Promise<boolean> {
  const file = await open(path, 'r');
  try {
    const head = new Uint8Array(HDF5_SIGNATURE.length);
    await file.read(head, 0, head.length, 0);
    return isHdf5Signature(head);
  } finally {
    await file.close();
  }
}

/** Builds the random model at `path` unless it is already there; returns its sha256. */
async function ensureRandomModel(path: string, seed: number): Promise<string> {
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isFile() === true) return computeFileSha256(path);

  const weights = buildRandomVgg16Weights({ seed });
  const chunks = encodeVgg16Onnx(weights).toChunks();
  await mkdir(dirname(path), { recursive: true });
  // Temp file + rename: a reader (or a concurrent builder) never sees a partial model, and
  // two processes building the same seed write identical bytes, so either rename may win.
  await writeFileAtomic(path, chunks);
  const hash = createHash('sha256');
  for (const chunk of chunks) hash.update(chunk);
  return hash.digest('hex');
}

export async function computeFileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** sha256 and md5 of a file in one streaming pass. */
export async function computeFileDigests(path: string): Promise<{ sha256: string; md5: string }> {
  const sha256 = createHash('sha256');
  const md5 = createHash('md5');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    sha256.update(chunk as Buffer);
    md5.update(chunk as Buffer);
  }
  return { sha256: sha256.digest('hex'), md5: md5.digest('hex') };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
