/**
 * Publishing makes a committed version the output's current one (`manifest.json` and
 * `errors.jsonl`), idempotently, and never goes back: a slow run that publishes an older version
 * after a newer one leaves the newer one current.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { publishTableVersion } from '../../../executor/commit/publish-table-version.js';
import { type Manifest, parseManifest } from '../../../executor/output/manifest-schema.js';
import { ERRORS_KEY, MANIFEST_KEY, versionErrorsKey } from '../../../executor/plan/partition-naming.js';
import type { FileStore } from '../../../executor/storage/file-store.js';
import { MODEL_SHA, tempStores } from './table-test-support.js';

function manifestOf(version: number | undefined): Manifest {
  return parseManifest({
    version: 1,
    model: { name: 'vgg16', layer: 'fc2', dimensions: 4096, weights: 'random', sha256: MODEL_SHA },
    input: { uri: '/in', listed: 2, images: 2, skipped: 0 },
    output: { uri: '/out', format: 'parquet' },
    images: { total: 2, succeeded: 1, failed: 1 },
    failuresByCode: { FJ_IMAGE_CORRUPT: 1 },
    partitions: [
      { index: 0, uri: '/out/features/part-00000-a.parquet', rows: 1, failed: 1, sha256: MODEL_SHA, bytes: 9 },
    ],
    errorsUri: '/out/errors.jsonl',
    createdAt: '2026-01-02T03:04:05.000Z',
    ...(version === undefined
      ? {}
      : {
          table: {
            version,
            uri: '/out/features',
            rows: 1,
            failed: 1,
            files: 1,
            errorsUri: `/out/${versionErrorsKey(version)}`,
            indexShards: 1,
            precision: 'fp32',
          },
        }),
  });
}

const text = async (output: FileStore, key: string) => {
  const bytes = await output.getIfExists(key);
  return bytes === undefined ? undefined : Buffer.from(bytes).toString('utf8');
};
const errorsOf = (version: number) => `{"path":"A/${version}.jpg","code":"FJ_IMAGE_CORRUPT","message":"v${version}"}\n`;

describe('publishTableVersion', () => {
  const stores = tempStores('publish');
  after(stores.cleanUp);

  async function withVersions(...versions: number[]): Promise<FileStore> {
    const output = await stores.fresh();
    for (const version of versions) await output.put(versionErrorsKey(version), errorsOf(version));
    return output;
  }

  it("makes the version's manifest and errors the output's current ones", async () => {
    const output = await withVersions(1);
    await output.put(MANIFEST_KEY, JSON.stringify(manifestOf(0)));
    await output.put(ERRORS_KEY, 'version 0 errors\n');
    await publishTableVersion(output, manifestOf(1));
    assert.deepEqual(JSON.parse((await text(output, MANIFEST_KEY)) ?? ''), manifestOf(1));
    assert.equal(await text(output, ERRORS_KEY), errorsOf(1));
  });

  it('publishes version 0 of a new output, and again without change', async () => {
    const output = await withVersions(0);
    await publishTableVersion(output, manifestOf(0));
    await publishTableVersion(output, manifestOf(0));
    assert.equal((JSON.parse((await text(output, MANIFEST_KEY)) ?? '') as Manifest).table?.version, 0);
    assert.equal(await text(output, ERRORS_KEY), errorsOf(0));
  });

  it('never goes back to an older version, nor rewrites the current one', async () => {
    const output = await withVersions(1, 2);
    await publishTableVersion(output, manifestOf(2));
    const published = await text(output, MANIFEST_KEY);
    // Someone changed the current errors since: publishing a version at or before the current one touches nothing.
    await output.put(ERRORS_KEY, 'kept\n');
    await publishTableVersion(output, manifestOf(1));
    await publishTableVersion(output, manifestOf(2));
    assert.equal(await text(output, MANIFEST_KEY), published);
    assert.equal(await text(output, ERRORS_KEY), 'kept\n');
  });

  it('writes nothing for a manifest without a table (a CSV output)', async () => {
    const output = await withVersions();
    await publishTableVersion(output, manifestOf(undefined));
    assert.equal(await text(output, MANIFEST_KEY), undefined);
    assert.equal(await text(output, ERRORS_KEY), undefined);
  });
});
