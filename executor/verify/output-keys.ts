/** Keys of an output as verify reads them: listed under a prefix, and resolved from the manifest's URIs. */
import type { Manifest } from '../output/manifest-schema.js';
import type { ObjectStore, StoredObject } from '../storage/object-store.js';

/** Objects under `prefix` by key, to look up and to find the ones nothing names. */
export async function listObjects(output: ObjectStore, prefix: string): Promise<Map<string, StoredObject>> {
  const objects = new Map<string, StoredObject>();
  for await (const object of output.list(prefix)) objects.set(object.key, object);
  return objects;
}

/**
 * The key of a file the manifest names by URI, relative to the output it was written in
 * (`manifest.output.uri`), so an output copied or moved elsewhere still verifies.
 */
export function keyOf(manifest: Manifest, uri: string): string {
  const root = `${manifest.output.uri.replace(/\/+$/, '')}/`;
  return uri.startsWith(root) ? uri.slice(root.length) : uri;
}
