/**
 * Makes a committed table version the output's current one: `errors.jsonl` becomes the
 * version's errors and `manifest.json` its manifest. Idempotent, and never goes back: a
 * manifest.json already at this version or a later one is left as it is. Runs after the
 * version's Delta commit, and again from any later run that finds it was interrupted there.
 */
import type { Manifest } from '../output/manifest-schema.js';
import { ManifestSchema } from '../output/manifest-schema.js';
import { ERRORS_KEY, MANIFEST_KEY, versionErrorsKey } from '../plan/partition-naming.js';
import type { ObjectStore } from '../storage/object-store.js';
import { encodeJson, readJsonIfExists } from '../storage/read-json.js';

export async function publishTableVersion(output: ObjectStore, manifest: Manifest): Promise<void> {
  const version = manifest.table?.version;
  if (version === undefined) return;
  const current = await readJsonIfExists(output, MANIFEST_KEY, ManifestSchema, { code: 'FJ_MANIFEST_INVALID' });
  if (current?.table !== undefined && current.table.version >= version) return;
  await output.put(ERRORS_KEY, await output.get(versionErrorsKey(version)));
  await output.put(MANIFEST_KEY, encodeJson(manifest));
}
