import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { buildFeatureJobCrd } from '../../../crds/build-feature-job-crd.js';
import { computeSpecProblems, FeatureJobSpecSchema, SPEC_RULES } from '../../../crds/feature-job-spec.js';
import { FEATURE_JOB_CRD_YAML_PATH, renderFeatureJobCrdYaml } from '../../../crds/render-feature-job-crd-yaml.js';

type Node = { [key: string]: unknown };

const EXAMPLE_PATH = new URL('../../../../crds/examples/featurejob-fruits.yaml', import.meta.url);

interface Crd {
  spec: {
    group: string;
    names: Record<string, unknown>;
    scope: string;
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      subresources: Record<string, unknown>;
      additionalPrinterColumns: { name: string; type: string; jsonPath: string; priority?: number }[];
      schema: { openAPIV3Schema: Node };
    }[];
  };
}

function crd(): Crd {
  return buildFeatureJobCrd() as Crd;
}

function rootSchema(): Node {
  return crd().spec.versions[0]!.schema.openAPIV3Schema;
}

/** Every schema node with its path (properties, items, additionalProperties). */
function* walk(node: Node, path = ''): Generator<[string, Node]> {
  yield [path, node];
  const properties = node.properties as Record<string, Node> | undefined;
  for (const [name, child] of Object.entries(properties ?? {})) yield* walk(child, `${path}.${name}`);
  if (typeof node.items === 'object') yield* walk(node.items as Node, `${path}[]`);
  if (typeof node.additionalProperties === 'object') yield* walk(node.additionalProperties as Node, `${path}{}`);
}

/** An anchored pattern without unbounded repetition bounds the length of what it matches. */
function isBoundedPattern(pattern: unknown): boolean {
  return (
    typeof pattern === 'string' && pattern.startsWith('^') && pattern.endsWith('$') && !/[*+]|\{\d+,\}/.test(pattern)
  );
}

/** The API server sets these two itself; they take part in no rule. */
const SERVER_OWNED = new Set(['.apiVersion', '.kind']);

describe('the FeatureJob CRD', () => {
  test('the committed YAML is what the zod schemas generate', async () => {
    const committed = await readFile(FEATURE_JOB_CRD_YAML_PATH, 'utf8');
    assert.ok(
      committed === renderFeatureJobCrdYaml(),
      'crds/featurejob.dev_featurejobs.yaml is out of date with the zod schemas: run `npm run crds` and commit the result',
    );
  });

  test('names featurejobs.featurejob.dev, namespaced, with the short name fj and not in "all"', () => {
    const { spec } = crd();
    assert.equal(spec.group, 'featurejob.dev');
    assert.equal(spec.scope, 'Namespaced');
    assert.deepEqual(spec.names, {
      kind: 'FeatureJob',
      listKind: 'FeatureJobList',
      plural: 'featurejobs',
      singular: 'featurejob',
      shortNames: ['fj'],
    });
    assert.equal(spec.versions.length, 1);
    const [version] = spec.versions;
    assert.equal(version!.name, 'v1alpha1');
    assert.equal(version!.served, true);
    assert.equal(version!.storage, true);
    assert.deepEqual(version!.subresources, { status: {} });
  });

  test('has a structural schema: every node typed, no additionalProperties beside properties, no $ref or unions', () => {
    const problems: string[] = [];
    for (const [path, node] of walk(rootSchema())) {
      const untyped =
        node['x-kubernetes-int-or-string'] === true || node['x-kubernetes-preserve-unknown-fields'] === true;
      if (typeof node.type !== 'string' && !untyped) problems.push(`${path}: no type`);
      if (node.properties !== undefined && node.additionalProperties !== undefined)
        problems.push(`${path}: additionalProperties beside properties`);
      for (const key of [
        '$ref',
        '$schema',
        'anyOf',
        'oneOf',
        'allOf',
        'not',
        'const',
        'propertyNames',
        'definitions',
        '$defs',
      ]) {
        if (key in node) problems.push(`${path}: ${key}`);
      }
      if (node.additionalProperties === false) problems.push(`${path}: additionalProperties: false`);
    }
    assert.deepEqual(problems, []);
  });

  test('bounds every string, list and map, so CEL rules can be costed', () => {
    const problems: string[] = [];
    for (const [path, node] of walk(rootSchema())) {
      if (node.type === 'string' && !SERVER_OWNED.has(path)) {
        if (typeof node.maxLength !== 'number' && !Array.isArray(node.enum) && !isBoundedPattern(node.pattern)) {
          problems.push(`${path}: unbounded string`);
        }
      }
      if (node.type === 'array' && typeof node.maxItems !== 'number') problems.push(`${path}: list without maxItems`);
      if (typeof node.additionalProperties === 'object' && typeof node.maxProperties !== 'number') {
        problems.push(`${path}: map without maxProperties`);
      }
    }
    assert.deepEqual(problems, []);
  });

  test("drops zod's automatic safe-integer bounds and gives every integer a format", () => {
    for (const [path, node] of walk(rootSchema())) {
      if (node.type !== 'integer') continue;
      assert.ok(node.format === 'int32' || node.format === 'int64', `${path}: format ${String(node.format)}`);
      assert.notEqual(node.maximum, Number.MAX_SAFE_INTEGER, path);
      assert.notEqual(node.minimum, -Number.MAX_SAFE_INTEGER, path);
    }
  });

  test('requires spec, with input and output, and checks the spec rules with CEL', () => {
    const root = rootSchema();
    assert.deepEqual(root.required, ['spec']);
    const spec = (root.properties as Record<string, Node>).spec!;
    assert.deepEqual(spec.required, ['input', 'output']);
    assert.deepEqual(
      spec['x-kubernetes-validations'],
      SPEC_RULES.map(({ rule, message }) => ({ rule, message })),
    );
  });

  test('carries the defaults for the API server to apply', () => {
    const spec = (rootSchema().properties as Record<string, Node>).spec!;
    const properties = spec.properties as Record<string, Node>;
    assert.equal(properties.parallelism!.default, 10);
    assert.equal(properties.suspend!.default, false);
    assert.deepEqual(properties.retry!.default, { maxAttemptsPerPartition: 3, maxFailedPartitions: 0 });
    assert.equal((properties.output!.properties as Record<string, Node>).format!.default, 'parquet');
  });

  test('checks map keys with CEL, as the zod record does', () => {
    const spec = (rootSchema().properties as Record<string, Node>).spec!;
    const executor = (spec.properties as Record<string, Node>).executor!;
    const nodeSelector = (executor.properties as Record<string, Node>).nodeSelector!;
    assert.deepEqual(nodeSelector['x-kubernetes-validations'], [
      { rule: 'self.all(k, size(k) >= 1 && size(k) <= 317)', message: 'keys must be 1 to 317 characters long' },
    ]);
  });

  test('prints phase, images, failed, partitions and age, with throughput and model in -o wide', () => {
    const columns = crd().spec.versions[0]!.additionalPrinterColumns.map(({ name, type, jsonPath, priority }) => [
      name,
      type,
      jsonPath,
      priority ?? 0,
    ]);
    assert.deepEqual(columns, [
      ['Phase', 'string', '.status.phase', 0],
      ['Images', 'string', '.status.progress.images', 0],
      ['Failed', 'integer', '.status.images.failed', 0],
      ['Partitions', 'string', '.status.progress.partitions', 0],
      ['Age', 'date', '.metadata.creationTimestamp', 0],
      ['Throughput', 'string', '.status.throughput', 1],
      ['Model', 'string', '.status.model', 1],
    ]);
  });

  test('refuses an input that is the output, or inside it, comparing prefixes with one trailing slash', () => {
    const problems = (input: object, output: object): string[] =>
      computeSpecProblems(FeatureJobSpecSchema.parse({ input, output }));
    const refused = ['output must differ from input and must not contain it'];
    assert.deepEqual(problems({ bucket: 'img', prefix: 'a' }, { bucket: 'img', prefix: 'a/' }), refused);
    assert.deepEqual(problems({ bucket: 'img', prefix: 'out/photos/' }, { bucket: 'img', prefix: 'out' }), refused);
    assert.deepEqual(problems({ bucket: 'img', prefix: 'photos' }, { bucket: 'img' }), refused);
    assert.deepEqual(problems({ bucket: 'img', prefix: 'outputs/' }, { bucket: 'img', prefix: 'out' }), []);
    assert.deepEqual(problems({ bucket: 'img', prefix: 'photos' }, { bucket: 'img', prefix: 'photos/features' }), []);
    assert.deepEqual(problems({ bucket: 'img', prefix: 'a' }, { bucket: 'other', prefix: 'a' }), []);
  });

  test('refuses a key prefix with a leading slash or an empty segment', () => {
    for (const prefix of ['/photos', 'a//b', '//']) {
      assert.equal(
        FeatureJobSpecSchema.safeParse({ input: { bucket: 'img', prefix }, output: { bucket: 'out' } }).success,
        false,
        prefix,
      );
    }
    for (const prefix of ['', 'photos', 'photos/', 'a/b/c']) {
      assert.equal(
        FeatureJobSpecSchema.safeParse({ input: { bucket: 'img', prefix }, output: { bucket: 'out' } }).success,
        true,
        prefix,
      );
    }
  });

  test('the documented example is a valid FeatureJob', async () => {
    const example = parse(await readFile(EXAMPLE_PATH, 'utf8')) as { apiVersion: string; kind: string; spec: unknown };
    assert.equal(example.apiVersion, 'featurejob.dev/v1alpha1');
    assert.equal(example.kind, 'FeatureJob');
    const spec = FeatureJobSpecSchema.parse(example.spec);
    assert.deepEqual(computeSpecProblems(spec), []);
    assert.equal(spec.imagesPerPartition, 64);
    assert.equal(spec.output.format, 'parquet');
  });
});
