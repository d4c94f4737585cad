import assert from 'node:assert/strict';
import { readdir, readFile, rm, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { decodeParquetShard } from '../../../executor/output/parquet-shard.js';
import { decodePcaModel } from '../../../executor/reduce/pca-model.js';
import { FileStore } from '../../../executor/storage/file-store.js';
import { S3Store } from '../../../executor/storage/s3-store.js';
import { assertModelMatchesReference, assertProjectionMatches } from '../../support/compare-pca.js';
import { startMinio, type MinioServer } from '../../support/minio-server.js';
import { computePcaReference } from '../../support/pca-reference.js';
import { readJobOutput } from '../../support/read-output.js';
import { readReducedOutput } from '../../support/read-reduced-output.js';
import { cliEnv, runCli } from '../../support/run-cli.js';
import { writeFeatureOutput } from '../../support/write-feature-output.js';
import { writePlainImages } from '../../support/write-test-images.js';

describe('PCA on features extracted by featurejob run', () => {
  let root: string;
  let input: string;
  let out: string;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'fj-pca-run-'));
    input = join(root, 'images');
    out = join(root, 'out');
    await writePlainImages(input, { count: 18, labels: ['Apple', 'Banana', 'Cherry'] });
  });
  after(() => rm(root, { recursive: true, force: true }));

  test('run --pca computes statistics during extraction and matches numpy on the 4,096-dimensional features', async () => {
    // Partitions of 6 images would normally share one statistics file computed after
    // extraction; the knob makes each partition large enough to get its own while extracting.
    const result = await runCli(
      ['run', '--weights', 'random', input, '--out', out, '--partitions', '3', '--pca', '3', '--progress', 'none'],
      {
        env: cliEnv({ FEATUREJOB_PCA_OWN_STATISTICS_MIN_ROWS: '1' }),
      },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /0 of 3 statistics files computed from shards/,
      'the statistics were written while extracting',
    );
    const extracted = await readJobOutput(new FileStore({ dir: out }));
    const paths = [...extracted.rows.keys()].sort();
    const features = new Float32Array(paths.length * 4096);
    paths.forEach((path, row) => features.set(extracted.rows.get(path)!.features, row * 4096));
    const reference = computePcaReference({ rows: features, dimensions: 4096, components: 3 });
    const reduced = await readReducedOutput(out);
    assertProjectionMatches(reduced.rows, paths, reference, assertModelMatchesReference(reduced.model, reference));
    assert.equal(reduced.manifest.images.succeeded, 18);
    assert.deepEqual(
      reduced.manifest.partitions,
      extracted.manifest.partitions,
      'the extraction half of the manifest is unchanged',
    );
  });

  test('statistics recomputed from the shards (one file for the three small partitions) give the same model', async () => {
    const before = decodePcaModel(await readFile(join(out, 'pca', 'model.json')), 'model.json');
    const result = await runCli(['reduce', out, '--pca', '3']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /1 of 1 statistics files computed from shards, 3 partitions/);
    const after = decodePcaModel(await readFile(join(out, 'pca', 'model.json')), 'model.json');
    // Summation order differs (one Gram over 18 rows against three summed): equal to rounding.
    assert.equal(after.rows, before.rows);
    after.explainedVariance.forEach((value, i) =>
      assert.ok(Math.abs(value / before.explainedVariance[i]! - 1) < 1e-12),
    );
    after.componentVectors.forEach((vector, c) =>
      vector.forEach((value, i) => assert.ok(Math.abs(value - before.componentVectors[c]![i]!) < 1e-9)),
    );
    assert.equal(
      (await readdir(join(out, '_featurejob', 'pca-statistics'))).length,
      1,
      'the per-partition files of the earlier grouping are removed',
    );
  });

  test('rerunning run --pca with the same K redoes nothing', async () => {
    const manifest = await readFile(join(out, 'manifest.json'), 'utf8');
    const result = await runCli([
      'run',
      '--weights',
      'random',
      input,
      '--out',
      out,
      '--partitions',
      '3',
      '--pca',
      '3',
      '--progress',
      'none',
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^up to date at version 0: no new, changed or removed images; nothing written$/m);
    assert.doesNotMatch(result.stdout, /PCA:/);
    assert.equal(await readFile(join(out, 'manifest.json'), 'utf8'), manifest);
  });

  test('inspect prints the explained variance and draws the scree and scatter plots', async () => {
    const result = await runCli(['inspect', out]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /images: 18 with features, 0 failed, in 3 partitions/);
    assert.match(result.stdout, /labels: 3 \(Apple 6, Banana 6, Cherry 6\)/);
    assert.match(result.stdout, /90 %: \d+ components?/);
    assert.match(result.stdout, /PC {2}1: /);
    for (const name of ['pca-scree.svg', 'pca-scatter.svg']) {
      const svg = await readFile(join(out, name));
      const { width, height } = await sharp(svg).metadata();
      assert.ok((width ?? 0) > 100 && (height ?? 0) > 100, `${name} renders`);
    }
    const scatter = await readFile(join(out, 'pca-scatter.svg'), 'utf8');
    for (const label of ['Apple', 'Banana', 'Cherry']) assert.match(scatter, new RegExp(label));
  });
});

describe('featurejob reduce on S3 (MinIO)', () => {
  let minio: MinioServer;
  before(async () => {
    minio = await startMinio();
    await minio.createBucket('features');
  });
  after(() => minio?.stop());

  test('reads statistics and shards from S3 and writes the reduced shards, model and manifest there', async () => {
    const store = new S3Store({ client: minio.client, bucket: 'features', prefix: 'synthetic' });
    const d = 6;
    const rows = Float32Array.from({ length: 40 * d }, (_, i) => Math.cos(i * 1.7) * (1 + (i % d)));
    const paths = Array.from({ length: 40 }, (_, i) => `k${i % 2}/${i}.jpg`);
    await writeFeatureOutput({
      output: store,
      dimensions: d,
      partitions: [
        { paths: paths.slice(0, 25), features: rows.slice(0, 25 * d) },
        { paths: paths.slice(25), features: rows.slice(25 * d) },
      ],
    });
    const result = await runCli(['reduce', 's3://features/synthetic', '--pca', '2', '--s3-endpoint', minio.endpoint], {
      env: cliEnv(minio.env()),
    });
    assert.equal(result.code, 0, result.stderr);
    const keys: string[] = [];
    for await (const object of store.list('pca/')) keys.push(object.key);
    assert.deepEqual(keys, ['pca/model.json', 'pca/part-00000.parquet', 'pca/part-00001.parquet']);
    const model = decodePcaModel(await store.get('pca/model.json'), 'model.json');
    const reference = computePcaReference({ rows, dimensions: d, components: 2 });
    const projected = new Map<string, Float32Array>();
    for (const key of keys.slice(1)) {
      const shard = decodeParquetShard(await store.get(key));
      shard.paths.forEach((path, row) => projected.set(path, shard.features.slice(row * 2, row * 2 + 2)));
    }
    assertProjectionMatches(projected, paths, reference, assertModelMatchesReference(model, reference));
    const manifest = JSON.parse(new TextDecoder().decode(await store.get('manifest.json'))) as {
      pca: { modelUri: string };
    };
    assert.equal(manifest.pca.modelUri, 's3://features/synthetic/pca/model.json');
  });
});
