import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FileStore } from '../../../executor/storage/file-store.js';
import { assertModelMatchesReference, assertProjectionMatches } from '../../support/compare-pca.js';
import { computePcaReference, generateRowsWithSpectrum } from '../../support/pca-reference.js';
import { readReducedOutput } from '../../support/read-reduced-output.js';
import { runCli } from '../../support/run-cli.js';
import { writeFeatureOutput } from '../../support/write-feature-output.js';

const DIMENSIONS = 40;
// Distinct, decaying eigenvalues: components are well defined, so they can be compared.
const SPECTRUM = Array.from({ length: DIMENSIONS }, (_, i) => 60 * 0.8 ** i);
const ROWS = 1500;

describe('featurejob reduce against numpy on data with a known spectrum', () => {
  let root: string;
  let rows: Float32Array;
  let paths: string[];

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'fj-pca-'));
    rows = generateRowsWithSpectrum({ rows: ROWS, spectrum: SPECTRUM, seed: 7 });
    paths = Array.from({ length: ROWS }, (_, i) => `class ${i % 3}/row ${String(i).padStart(4, '0')}.jpg`);
  });
  after(() => rm(root, { recursive: true, force: true }));

  async function writeOutput(name: string, format: 'parquet' | 'csv' = 'parquet'): Promise<string> {
    const dir = join(root, name);
    // Uneven partitions, one of them empty: statistics must add up whatever the split.
    const cuts = [0, 700, 700, 1100, ROWS];
    await writeFeatureOutput({
      output: new FileStore({ dir }),
      dimensions: DIMENSIONS,
      format,
      partitions: cuts.slice(1).map((end, i) => ({
        paths: paths.slice(cuts[i], end),
        features: rows.slice(cuts[i]! * DIMENSIONS, end * DIMENSIONS),
      })),
    });
    return dir;
  }

  test('explained variance, components and projections equal numpy float64 within the issue tolerances', async () => {
    const dir = await writeOutput('plain');
    const result = await runCli(['reduce', dir, '--pca', '6', '--workers', '2', '--threads', '1']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /PCA: 6 components of 40 dimensions fitted on 1500 rows/);
    assert.match(result.stdout, /3 of 3 statistics files computed from shards, 4 partitions/);
    const reduced = await readReducedOutput(dir);
    const reference = computePcaReference({ rows, dimensions: DIMENSIONS, components: 6 });
    const signs = assertModelMatchesReference(reduced.model, reference);
    assertProjectionMatches(reduced.rows, paths, reference, signs);
    // The data were built with this spectrum: the fit finds it (sample noise aside).
    reduced.model.explainedVariance.forEach((value, i) =>
      assert.ok(Math.abs(value / SPECTRUM[i]! - 1) < 0.15, `λ${i + 1} = ${value}, built ${SPECTRUM[i]}`),
    );
    assert.equal(reduced.manifest.pca?.rows, ROWS);
    assert.equal(reduced.manifest.pca?.partitions.length, 4);
    assert.equal(reduced.labels.get(paths[4]!), 'class 1');
    assert.equal(reduced.model.spectrumRatio.length, DIMENSIONS);
    assert.ok(
      Math.abs(reduced.model.spectrumRatio.reduce((a, b) => a + b, 0) - 1) < 1e-9,
      'the whole spectrum explains all the variance',
    );
  });

  test('a second reduce reuses the stored statistics and gives the same model', async () => {
    const dir = await writeOutput('again');
    assert.equal((await runCli(['reduce', dir, '--pca', '3'])).code, 0);
    const first = await readReducedOutput(dir);
    const again = await runCli(['reduce', dir, '--pca', '3']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /0 of 3 statistics files computed from shards/);
    const second = await readReducedOutput(dir);
    assert.deepEqual(second.model, first.model);
    assert.deepEqual(await readdir(join(dir, 'pca')), [
      'model.json',
      'part-00000.parquet',
      'part-00001.parquet',
      'part-00002.parquet',
      'part-00003.parquet',
    ]);
  });

  test('--whiten scales every component to unit variance, as numpy does', async () => {
    const dir = await writeOutput('whiten');
    const result = await runCli(['reduce', dir, '--pca', '4', '--whiten']);
    assert.equal(result.code, 0, result.stderr);
    const reduced = await readReducedOutput(dir);
    const reference = computePcaReference({ rows, dimensions: DIMENSIONS, components: 4, whiten: true });
    assertProjectionMatches(reduced.rows, paths, reference, assertModelMatchesReference(reduced.model, reference));
    for (let c = 0; c < 4; c++) {
      const values = paths.map((path) => reduced.rows.get(path)![c]!);
      const variance = values.reduce((sum, value) => sum + value * value, 0) / (values.length - 1);
      assert.ok(Math.abs(variance - 1) < 1e-4, `component ${c + 1} has variance ${variance}`);
    }
  });

  test('CSV outputs reduce the same way', async () => {
    const dir = await writeOutput('csv', 'csv');
    const result = await runCli(['reduce', dir, '--pca', '2']);
    assert.equal(result.code, 0, result.stderr);
    const reduced = await readReducedOutput(dir);
    const reference = computePcaReference({ rows, dimensions: DIMENSIONS, components: 2 });
    assertProjectionMatches(reduced.rows, paths, reference, assertModelMatchesReference(reduced.model, reference));
  });
});
