/**
 * Reads a TensorFlow.js model's files from disk, hashing exactly the bytes loaded.
 *
 * sha256 of a model.json model: model.json's bytes followed by every weight file's bytes in
 * manifest order (groups, then paths within a group); of a SavedModel: saved_model.pb
 * followed by every other file under the directory in sorted relative-path order.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { io } from '@tensorflow/tfjs';
import { FeatureJobError } from '../errors.js';
import { locateModel } from './locate-model.js';

/**
 * The sha256 TfjsModelRunner reports (and checks) for a model.json or SavedModel path, so
 * whoever resolves the model before the workers start can name the same bytes.
 */
export async function computeTfjsModelSha256(modelPath: string): Promise<string> {
  const located = locateModel(modelPath);
  if (located.format === 'savedmodel') return hashSavedModel(located.path);
  if (located.format === 'onnx') throw new FeatureJobError('FJ_MODEL_INVALID', `model ${modelPath} is ONNX`);
  return (await readModelJsonFiles(located.path)).sha256;
}

export interface ModelJsonFiles {
  readonly path: string;
  readonly json: io.ModelJSON;
  readonly shards: ArrayBuffer[];
  readonly sha256: string;
}

/** Reads model.json and its weight shards in manifest order, hashing as it goes. */
export async function readModelJsonFiles(path: string): Promise<ModelJsonFiles> {
  const hash = createHash('sha256');
  const text = await readFile(path).catch((error: unknown) => {
    throw new FeatureJobError('FJ_MODEL_NOT_FOUND', `model file ${path} not found`, { cause: error });
  });
  hash.update(text);
  let json: io.ModelJSON;
  try {
    json = JSON.parse(text.toString('utf8')) as io.ModelJSON;
  } catch (error) {
    throw new FeatureJobError('FJ_MODEL_INVALID', `model file ${path} is not JSON: ${messageOf(error)}`, {
      cause: error,
    });
  }
  const manifest: unknown = json.weightsManifest ?? [];
  const hasPaths = (group: unknown): boolean => Array.isArray((group as { paths?: unknown } | null)?.paths);
  if (!Array.isArray(manifest) || !manifest.every(hasPaths)) {
    throw new FeatureJobError('FJ_MODEL_INVALID', `model file ${path} has no valid weightsManifest`);
  }
  const dir = dirname(path);
  const shards: ArrayBuffer[] = [];
  for (const group of manifest as io.WeightsManifestConfig[number][]) {
    for (const shardPath of group.paths) {
      const file = resolve(dir, decodeURIComponent(shardPath));
      const inside = relative(dir, file);
      // Weight paths are relative URLs next to model.json; anything else is refused, not fetched.
      if (inside === '' || inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside)) {
        throw new FeatureJobError(
          'FJ_MODEL_INVALID',
          `model file ${path} lists weight file '${shardPath}' outside its directory`,
        );
      }
      const bytes = await readFile(file).catch((error: unknown) => {
        const why = `weight file ${file} listed in ${path} cannot be read: ${messageOf(error)}`;
        throw new FeatureJobError('FJ_MODEL_INVALID', why, { cause: error });
      });
      hash.update(bytes);
      shards.push(ownArrayBuffer(bytes));
    }
  }
  return { path, json, shards, sha256: hash.digest('hex') };
}

/** saved_model.pb first, then every other file under the directory in sorted relative-path order. */
export async function hashSavedModel(dir: string): Promise<string> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const others = entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .filter((file) => file !== 'saved_model.pb')
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const hash = createHash('sha256');
  for (const file of ['saved_model.pb', ...others]) await hashFile(hash, join(dir, file));
  return hash.digest('hex');
}

async function hashFile(hash: Hash, path: string): Promise<void> {
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
}

/** A Buffer may be a view into a larger pooled ArrayBuffer; tfjs wants exactly the bytes. */
function ownArrayBuffer(bytes: Buffer): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) {
    return bytes.buffer;
  }
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
