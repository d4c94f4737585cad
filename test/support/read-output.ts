import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { decodeParquetShard } from '../../executor/output/parquet-shard.js';
import { parseErrorLines } from '../../executor/output/error-record.js';
import { ManifestSchema, type Manifest } from '../../executor/output/manifest-schema.js';
import type { ObjectStore } from '../../executor/storage/object-store.js';

export interface JobOutput {
  readonly manifest: Manifest;
  /** path -> { label, features } over every committed shard. */
  readonly rows: Map<string, { label: string; features: Float32Array }>;
  /** path -> error code. */
  readonly errors: Map<string, string>;
  readonly rowCount: number;
}

/**
 * Reads a finished job's output through its manifest, checking the manifest's own claims on
 * the way (shard checksums and sizes, row counts) and that no path appears twice.
 */
export async function readJobOutput(store: ObjectStore): Promise<JobOutput> {
  const manifest = ManifestSchema.parse(JSON.parse(Buffer.from(await store.get('manifest.json')).toString('utf8')));
  const rows = new Map<string, { label: string; features: Float32Array }>();
  let rowCount = 0;
  for (const partition of manifest.partitions) {
    const key = partition.uri.slice(store.uri.length + 1);
    const bytes = await store.get(key);
    assert.equal(createHash('sha256').update(bytes).digest('hex'), partition.sha256, `sha256 of ${partition.uri}`);
    assert.equal(bytes.byteLength, partition.bytes);
    const shard = decodeParquetShard(bytes);
    assert.equal(shard.paths.length, partition.rows);
    for (const [i, path] of shard.paths.entries()) {
      assert.ok(!rows.has(path), `${path} appears twice`);
      rows.set(path, {
        label: shard.labels[i] as string,
        features: shard.features.slice(i * shard.dimensions, (i + 1) * shard.dimensions),
      });
      rowCount += 1;
    }
  }
  const errors = new Map<string, string>();
  for (const record of parseErrorLines(Buffer.from(await store.get('errors.jsonl')).toString('utf8'))) {
    assert.ok(!errors.has(record.path), `${record.path} has two error lines`);
    assert.ok(!rows.has(record.path), `${record.path} has a row and an error line`);
    errors.set(record.path, record.code);
  }
  return { manifest, rows, errors, rowCount };
}

/** Every expected image is exactly one row or exactly one error line with the expected code. */
export function assertEachImageOnce(output: JobOutput, expected: ReadonlyMap<string, string>): void {
  let images = 0;
  for (const [path, expectation] of expected) {
    if (expectation === 'skipped') {
      assert.ok(!output.rows.has(path) && !output.errors.has(path), `${path} should be skipped`);
      continue;
    }
    images += 1;
    if (expectation === 'row')
      assert.ok(
        output.rows.has(path),
        `${path} should have a feature row (error: ${output.errors.get(path) ?? 'none'})`,
      );
    else assert.equal(output.errors.get(path), expectation, `${path} error code`);
  }
  assert.equal(output.rows.size + output.errors.size, images, 'no row or error line for a path that was not expected');
  assert.equal(output.manifest.images.total, images);
  assert.equal(output.manifest.images.succeeded, output.rows.size);
  assert.equal(output.manifest.images.failed, output.errors.size);
}
