/**
 * The JSON merge patch (RFC 7386) that turns `from` into `to`: changed fields, objects
 * recursed into, arrays replaced whole, and `null` for a field `to` no longer has. A merge
 * patch of the whole new value would leave such a field in place (say a cause gone from
 * status.retries), the next reconcile would see a difference again, and write again.
 */
import { isDeepStrictEqual } from 'node:util';

export type JsonObject = { readonly [key: string]: unknown };

function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function computeMergePatch(from: JsonObject, to: JsonObject): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(to)) {
    if (value === undefined) continue;
    const before = from[key];
    if (isPlainObject(value) && isPlainObject(before)) {
      const inner = computeMergePatch(before, value);
      if (Object.keys(inner).length > 0) patch[key] = inner;
    } else if (!isDeepStrictEqual(before, value)) {
      patch[key] = value;
    }
  }
  for (const [key, value] of Object.entries(from)) if (value !== undefined && to[key] === undefined) patch[key] = null;
  return patch;
}
