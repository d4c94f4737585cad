import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FeatureJobSpecSchema, type FeatureJobSpecInput } from '../../../crds/feature-job-spec.js';
import type { Manifest } from '../../../executor/output/manifest-schema.js';
import type { PlanIndex } from '../../../executor/plan/plan-schema.js';
import { computeOutputMismatch } from '../../../operator/controller/compute-output-mismatch.js';

const SHA = 'a'.repeat(64);
const OTHER_SHA = 'b'.repeat(64);
const model = { name: 'vgg16', layer: 'fc2', dimensions: 4096, weights: 'random(he-normal, seed=0)', sha256: SHA };

const specOf = (overrides: Partial<FeatureJobSpecInput> = {}) =>
  FeatureJobSpecSchema.parse({
    input: { bucket: 'photos', prefix: 'c' },
    output: { bucket: 'features', prefix: 'out' },
    model: { weights: 'random' },
    ...overrides,
  });

function planOf(overrides: Partial<PlanIndex> = {}): PlanIndex {
  return {
    version: 1,
    planId: 'p1plan',
    inputUri: 's3://photos/c',
    outputUri: 's3://features/out',
    format: 'parquet',
    model,
    listed: 3,
    images: 3,
    skipped: 0,
    partitions: [
      { index: 0, images: 2 },
      { index: 1, images: 1 },
    ],
    createdAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

function manifestOf(overrides: Partial<Manifest> = {}): Manifest {
  const partition = (index: number, rows: number) => ({
    index,
    uri: `s3://features/out/features/part-0000${index}-a.parquet`,
    rows,
    failed: 0,
    sha256: SHA,
    bytes: 1,
  });
  return {
    version: 1,
    planId: 'p1plan',
    model,
    input: { uri: 's3://photos/c', listed: 3, images: 3, skipped: 0 },
    output: { uri: 's3://features/out', format: 'parquet' },
    images: { total: 3, succeeded: 3, failed: 0 },
    failuresByCode: {},
    partitions: [partition(0, 2), partition(1, 1)],
    errorsUri: 's3://features/out/errors.jsonl',
    createdAt: '2026-01-01T00:10:00.000Z',
    ...overrides,
  };
}

const table = (version: number) => ({
  version,
  uri: 's3://features/out/features',
  rows: 3,
  failed: 0,
  files: 2,
  errorsUri: 's3://features/out/errors.jsonl',
  indexShards: 1,
  precision: 'fp32' as const,
});

describe('computeOutputMismatch: the plan in the output against the spec', () => {
  it("accepts the output's own plan and its manifest (the job resumes or is complete)", () => {
    assert.equal(computeOutputMismatch(specOf(), { plan: planOf(), manifest: undefined }), undefined);
    assert.equal(computeOutputMismatch(specOf(), { plan: planOf(), manifest: manifestOf() }), undefined);
    assert.equal(computeOutputMismatch(specOf(), { plan: undefined, manifest: undefined }), undefined);
  });

  it('names both inputs when the plan was made for another one', () => {
    const mismatch = computeOutputMismatch(specOf(), {
      plan: planOf({ inputUri: 's3://photos/a' }),
      manifest: manifestOf({ input: { uri: 's3://photos/a', listed: 3, images: 3, skipped: 0 } }),
    });
    assert.equal(mismatch?.reason, 'PlanMismatch');
    assert.equal(
      mismatch?.message,
      'output s3://features/out holds a plan for input s3://photos/a, this FeatureJob reads s3://photos/c: ' +
        "nothing was created or written: use a new spec.output, or the plan's settings to resume",
    );
  });

  it('names the format, the partition count and the model where the spec says enough to know', () => {
    const format = computeOutputMismatch(specOf({ output: { bucket: 'features', prefix: 'out', format: 'csv' } }), {
      plan: planOf(),
      manifest: undefined,
    });
    assert.match(format?.message ?? '', /for format parquet, this FeatureJob writes csv/);
    const partitions = computeOutputMismatch(specOf({ partitions: 3 }), { plan: planOf(), manifest: undefined });
    assert.match(partitions?.message ?? '', /for 2 partitions, this FeatureJob asks for spec\.partitions 3/);
    assert.equal(
      computeOutputMismatch(specOf({ partitions: 2 }), { plan: planOf(), manifest: undefined }),
      undefined,
      'the partitions the plan has',
    );
    const sha = computeOutputMismatch(specOf({ model: { weights: 'random', sha256: OTHER_SHA } }), {
      plan: planOf(),
      manifest: undefined,
    });
    assert.match(sha?.message ?? '', /model sha256 aaaaaaaaaaaa, this FeatureJob requires bbbbbbbbbbbb/);
    const seed = computeOutputMismatch(specOf({ model: { weights: 'random', seed: 7 } }), {
      plan: planOf(),
      manifest: undefined,
    });
    assert.match(
      seed?.message ?? '',
      /model weights random\(he-normal, seed=0\), this FeatureJob uses random\(he-normal, seed=7\)/,
    );
    const imagenet = computeOutputMismatch(specOf({ model: { weights: 'imagenet' } }), {
      plan: planOf(),
      manifest: undefined,
    });
    assert.equal(imagenet?.reason, 'PlanMismatch', 'random weights are not the ImageNet ones');
    const path = { ...model, weights: '/models/vgg16.onnx' };
    assert.equal(
      computeOutputMismatch(specOf({ model: { weights: '/models/vgg16.onnx' } }), {
        plan: planOf({ model: path }),
        manifest: undefined,
      }),
      undefined,
      'weights known only once resolved are left to the planner',
    );
  });

  it('lists every difference at once', () => {
    const mismatch = computeOutputMismatch(specOf({ output: { bucket: 'features', prefix: 'out', format: 'csv' } }), {
      plan: planOf({ inputUri: 's3://photos/a' }),
      manifest: undefined,
    });
    assert.match(
      mismatch?.message ?? '',
      /input s3:\/\/photos\/a, this FeatureJob reads s3:\/\/photos\/c; for format parquet/,
    );
  });
});

describe('computeOutputMismatch: a manifest another job left', () => {
  it('refuses a manifest of another input with no plan beside it', () => {
    const mismatch = computeOutputMismatch(specOf(), {
      plan: undefined,
      manifest: manifestOf({ input: { uri: 's3://photos/a', listed: 3, images: 3, skipped: 0 } }),
    });
    assert.equal(mismatch?.reason, 'ForeignOutput');
    assert.equal(
      mismatch?.message,
      'output s3://features/out holds the manifest.json of another job, made for input s3://photos/a, ' +
        'this FeatureJob reads s3://photos/c: nothing was created or written: use a new spec.output, ' +
        'or clear the old output first',
    );
  });

  it("refuses a manifest of the same input merged from another plan than the output's", () => {
    const mismatch = computeOutputMismatch(specOf(), { plan: planOf(), manifest: manifestOf({ planId: 'p9other' }) });
    assert.equal(mismatch?.reason, 'ForeignOutput');
    assert.match(mismatch?.message ?? '', /plan p9other, the output's plan\.json is plan p1plan/);
  });

  it('compares a manifest written before plan ids by its partition and image counts', () => {
    const { planId: _, ...older } = manifestOf();
    assert.equal(computeOutputMismatch(specOf(), { plan: planOf(), manifest: older }), undefined);
    const fewer = { ...older, images: { total: 2, succeeded: 2, failed: 0 } };
    assert.match(
      computeOutputMismatch(specOf(), { plan: planOf(), manifest: fewer })?.message ?? '',
      /2 partitions and 2 images, the output's plan\.json has 2 partitions and 3 images/,
    );
  });

  it('takes a later table version (made by `featurejob run`) for this job when it read the same input', () => {
    const grown = manifestOf({ planId: 'p7grown', table: table(2) });
    assert.equal(computeOutputMismatch(specOf(), { plan: planOf(), manifest: grown }), undefined);
    const elsewhere = manifestOf({
      planId: 'p7grown',
      table: table(2),
      input: { uri: 's3://photos/a', listed: 3, images: 3, skipped: 0 },
    });
    assert.equal(computeOutputMismatch(specOf(), { plan: planOf(), manifest: elsewhere })?.reason, 'ForeignOutput');
    assert.equal(
      computeOutputMismatch(specOf(), { plan: planOf(), manifest: manifestOf({ planId: 'p7grown', table: table(0) }) })
        ?.reason,
      'ForeignOutput',
      'version 0 is the plan.json beside it',
    );
  });

  it('refuses a manifest of another format or model', () => {
    const csv = manifestOf({ output: { uri: 's3://features/out', format: 'csv' } });
    assert.match(computeOutputMismatch(specOf(), { plan: undefined, manifest: csv })?.message ?? '', /format csv/);
    const seeded = manifestOf({ model: { ...model, weights: 'random(he-normal, seed=3)' } });
    assert.equal(computeOutputMismatch(specOf(), { plan: undefined, manifest: seeded })?.reason, 'ForeignOutput');
  });
});
