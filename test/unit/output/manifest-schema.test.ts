import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isFeatureJobError } from '../../../executor/errors.js';
import { CommitMarkerSchema, parseCommitMarker } from '../../../executor/output/commit-marker-schema.js';
import { parseManifest, parseManifestText, type Manifest } from '../../../executor/output/manifest-schema.js';

const SHA = 'a'.repeat(64);

function validManifest(): Manifest {
  return {
    version: 1,
    model: { name: 'vgg16', layer: 'fc2', dimensions: 4096, weights: 'random(seed=0)', sha256: SHA },
    input: { uri: 's3://bucket/images', listed: 12, images: 10, skipped: 2 },
    output: { uri: 's3://bucket/out', format: 'parquet' },
    images: { total: 10, succeeded: 7, failed: 3 },
    failuresByCode: { FJ_IMAGE_CORRUPT: 2, FJ_IMAGE_EMPTY: 1 },
    partitions: [
      { index: 0, uri: 's3://bucket/out/features/part-00000-a1.parquet', rows: 4, failed: 1, sha256: SHA, bytes: 1000 },
      { index: 1, uri: 's3://bucket/out/features/part-00001-b2.parquet', rows: 3, failed: 2, sha256: SHA, bytes: 900 },
    ],
    errorsUri: 's3://bucket/out/errors.jsonl',
    createdAt: '2025-01-02T03:04:05.678Z',
  };
}

function assertManifestInvalid(value: unknown, mentions: string): void {
  assert.throws(
    () => parseManifest(value),
    (error) => isFeatureJobError(error) && error.code === 'FJ_MANIFEST_INVALID' && error.message.includes(mentions),
  );
}

describe('manifest schema', () => {
  it('accepts a manifest whose counts agree and returns it unchanged', () => {
    assert.deepEqual(parseManifest(validManifest()), validManifest());
  });

  it('accepts a manifest that PCA has filled in', () => {
    const manifest = validManifest();
    const pca = {
      components: 2,
      whiten: false,
      rows: manifest.images.succeeded,
      dimensions: manifest.model.dimensions,
      modelUri: 's3://bucket/out/pca/model.json',
      explainedVariance: 0.42,
      partitions: manifest.partitions.map((p) => ({
        index: p.index,
        uri: `s3://bucket/out/pca/part-${p.index}.parquet`,
        rows: p.rows,
        sha256: 'a'.repeat(64),
        bytes: 100,
      })),
      fittedAt: '2026-11-25T12:00:00.000Z',
    };
    assert.deepEqual(parseManifest({ ...manifest, pca }).pca, pca);
  });

  it('accepts the precision block of an int8 run, and manifests without one', () => {
    const precision = {
      requested: 'auto',
      used: 'int8',
      int8Sha256: SHA,
      calibration: { images: 32, method: 'minmax', digest: SHA },
      gate: {
        images: 32,
        k: 10,
        cosineMin: 0.9991,
        cosineMedian: 0.9995,
        knnAgreement: 0.98,
        minCosineMedian: 0.999,
        minKnnAgreement: 0.95,
        passed: true,
      },
      cpuFlags: ['avx2', 'avx512_vnni'],
      onnxruntime: '1.30.0',
    } as const;
    assert.deepEqual(parseManifest({ ...validManifest(), precision }).precision, precision);
    assert.equal(parseManifest(validManifest()).precision, undefined);
    assertManifestInvalid({ ...validManifest(), precision: { ...precision, used: 'int4' } }, 'precision.used');
  });

  it('records the precision of each partition, one for the whole table, agreeing with the block', () => {
    const int8 = { precision: 'int8', int8Sha256: SHA } as const;
    const withPrecisions = (...states: object[]) => ({
      ...validManifest(),
      partitions: validManifest().partitions.map((p, i) => ({ ...p, ...states[i] })),
    });
    const block = { requested: 'int8', used: 'int8', int8Sha256: SHA, cpuFlags: [], onnxruntime: '1.30.0' } as const;
    const stated = parseManifest({ ...withPrecisions(int8, int8), precision: block });
    assert.deepEqual(
      stated.partitions.map((p) => [p.precision, p.int8Sha256]),
      [
        ['int8', SHA],
        ['int8', SHA],
      ],
    );
    assert.equal(
      parseManifest(withPrecisions({ precision: 'fp32' }, { precision: 'fp32' })).partitions[0]?.precision,
      'fp32',
    );
    assertManifestInvalid(withPrecisions(int8, { precision: 'fp32' }), 'one precision');
    assertManifestInvalid(withPrecisions(int8, { precision: 'int8', int8Sha256: 'b'.repeat(64) }), 'one precision');
    assertManifestInvalid(withPrecisions({ precision: 'int8' }, { precision: 'int8' }), 'int8Sha256');
    assertManifestInvalid(
      { ...withPrecisions({ precision: 'fp32' }, { precision: 'fp32' }), precision: block },
      'precision.used',
    );
  });
  it('parses the JSON text of a manifest', () => {
    assert.deepEqual(parseManifestText(JSON.stringify(validManifest())), validManifest());
  });

  it('reports text that is not JSON as FJ_MANIFEST_INVALID', () => {
    assert.throws(
      () => parseManifestText('{'),
      (error) => isFeatureJobError(error) && error.code === 'FJ_MANIFEST_INVALID',
    );
  });

  it('rejects another version', () => {
    assertManifestInvalid({ ...validManifest(), version: 2 }, 'version');
  });

  it('rejects unknown keys, which only a writer bug or a newer version would add', () => {
    assertManifestInvalid({ ...validManifest(), extra: true }, 'extra');
  });

  it('rejects an output format other than parquet or csv', () => {
    assertManifestInvalid({ ...validManifest(), output: { uri: 's3://bucket/out', format: 'json' } }, 'format');
  });

  it('rejects a digest that is not lowercase hex sha256', () => {
    const manifest = validManifest();
    manifest.model.sha256 = 'ABC';
    assertManifestInvalid(manifest, 'sha256');
  });

  it('rejects failure codes that are not stable FJ_ codes', () => {
    assertManifestInvalid({ ...validManifest(), failuresByCode: { 'image corrupt': 3 } }, 'failuresByCode');
  });

  it('rejects counts where an image is neither a row nor an error', () => {
    assertManifestInvalid({ ...validManifest(), images: { total: 10, succeeded: 7, failed: 2 } }, 'succeeded + failed');
  });

  it('rejects partition rows that do not add up to the images that succeeded', () => {
    const manifest = validManifest();
    manifest.partitions[1]!.rows = 2;
    assertManifestInvalid(manifest, 'partition rows');
  });

  it('rejects failuresByCode that does not add up to the failed images', () => {
    assertManifestInvalid({ ...validManifest(), failuresByCode: { FJ_IMAGE_CORRUPT: 1 } }, 'failuresByCode');
  });

  it('rejects a total that differs from the images listed as input', () => {
    const manifest = validManifest();
    manifest.input = { uri: manifest.input.uri, listed: 13, images: 11, skipped: 2 };
    assertManifestInvalid(manifest, 'input.images');
  });

  it('rejects a partition index listed twice', () => {
    const manifest = validManifest();
    manifest.partitions[1]!.index = 0;
    assertManifestInvalid(manifest, 'unique');
  });

  it('rejects a creation time that is not an ISO date-time', () => {
    assertManifestInvalid({ ...validManifest(), createdAt: 'yesterday' }, 'createdAt');
  });
});

describe('commit marker schema', () => {
  const marker = {
    version: 1,
    partition: 3,
    attempt: 'a1b2c3',
    shardKey: 'features/part-00003-a1b2c3.parquet',
    errorsKey: '_featurejob/errors/part-00003-a1b2c3.jsonl',
    rows: 250,
    failed: 6,
    failuresByCode: { FJ_IMAGE_CORRUPT: 4, FJ_OBJECT_MISSING: 2 },
    sha256: SHA,
    bytes: 4_100_000,
    committedAt: '2025-01-02T03:04:05.678Z',
  };

  it('accepts a marker naming the winning attempt and what it wrote', () => {
    assert.deepEqual(parseCommitMarker(marker), marker);
    assert.equal(CommitMarkerSchema.safeParse(marker).success, true);
  });

  it('rejects failuresByCode that does not add up to failed', () => {
    assert.throws(
      () => parseCommitMarker({ ...marker, failed: 5 }),
      (error) =>
        isFeatureJobError(error) && error.code === 'FJ_OUTPUT_INVALID' && error.message.includes('failuresByCode'),
    );
  });

  it('rejects a marker without its shard key', () => {
    const { shardKey: _omitted, ...withoutShard } = marker;
    assert.throws(
      () => parseCommitMarker(withoutShard),
      (error) => isFeatureJobError(error) && error.code === 'FJ_OUTPUT_INVALID',
    );
  });

  it('rejects a negative row count', () => {
    assert.throws(
      () => parseCommitMarker({ ...marker, rows: -1 }),
      (error) => isFeatureJobError(error) && error.code === 'FJ_OUTPUT_INVALID',
    );
  });
});
