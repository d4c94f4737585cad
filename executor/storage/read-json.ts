import type { z } from 'zod';
import { FeatureJobError, type ErrorCode } from '../errors.js';
import type { ObjectStore } from './object-store.js';

/** Reads and validates a JSON object written by featurejob; undefined when it is absent. */
export async function readJsonIfExists<T extends z.ZodType>(
  store: ObjectStore,
  key: string,
  schema: T,
  options: { code?: ErrorCode } = {},
): Promise<z.output<T> | undefined> {
  const bytes = await store.getIfExists(key);
  if (bytes === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    throw new FeatureJobError(options.code ?? 'FJ_INVALID_CONFIG', `${store.uriOf(key)} is not valid JSON`, {
      cause: error,
    });
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new FeatureJobError(
      options.code ?? 'FJ_INVALID_CONFIG',
      `${store.uriOf(key)} does not match its schema: ${parsed.error.message}`,
    );
  }
  return parsed.data;
}

export async function readJson<T extends z.ZodType>(
  store: ObjectStore,
  key: string,
  schema: T,
  options: { code?: ErrorCode } = {},
): Promise<z.output<T>> {
  const value = await readJsonIfExists(store, key, schema, options);
  if (value === undefined) throw new FeatureJobError('FJ_OBJECT_MISSING', `${store.uriOf(key)} does not exist`);
  return value;
}

export function encodeJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
