import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { buildStructuralSchema } from '../../../crds/build-structural-schema.js';

describe('buildStructuralSchema', () => {
  test('drops $schema and the additionalProperties: false of strict objects', () => {
    const schema = buildStructuralSchema(z.object({ a: z.string().max(3) }).strict());
    assert.deepEqual(schema, { type: 'object', properties: { a: { type: 'string', maxLength: 3 } }, required: ['a'] });
  });

  test('makes fields with defaults optional and keeps the default (the input side of zod)', () => {
    const schema = buildStructuralSchema(z.object({ n: z.int().min(1).max(9).default(3) }));
    assert.deepEqual(schema, {
      type: 'object',
      properties: { n: { default: 3, type: 'integer', minimum: 1, maximum: 9, format: 'int32' } },
    });
  });

  test('drops the automatic safe-integer bounds and formats wider integers as int64', () => {
    assert.deepEqual(buildStructuralSchema(z.int()), { type: 'integer', format: 'int64' });
    assert.deepEqual(buildStructuralSchema(z.int().min(0)), { type: 'integer', minimum: 0, format: 'int64' });
  });

  test('writes exclusive bounds the OpenAPI v3.0 way', () => {
    assert.deepEqual(buildStructuralSchema(z.number().positive().max(2)), {
      type: 'number',
      minimum: 0,
      exclusiveMinimum: true,
      maximum: 2,
    });
  });

  test('turns a literal into a one-value enum and a nullable type into nullable', () => {
    assert.deepEqual(buildStructuralSchema(z.literal('vgg16')), { type: 'string', enum: ['vgg16'] });
    assert.deepEqual(buildStructuralSchema(z.string().max(2).nullable()), {
      type: 'string',
      maxLength: 2,
      nullable: true,
    });
  });

  test('keeps map values and checks map keys with a CEL rule', () => {
    const schema = buildStructuralSchema(
      z.record(z.string().min(1).max(8), z.string().max(4)).meta({ maxProperties: 2 }),
    );
    assert.deepEqual(schema, {
      type: 'object',
      additionalProperties: { type: 'string', maxLength: 4 },
      maxProperties: 2,
      'x-kubernetes-validations': [
        { rule: 'self.all(k, size(k) >= 1 && size(k) <= 8)', message: 'keys must be 1 to 8 characters long' },
      ],
    });
  });

  test('carries x-kubernetes-* keys given with .meta()', () => {
    const schema = buildStructuralSchema(z.array(z.string().max(1)).max(2).meta({ 'x-kubernetes-list-type': 'set' }));
    assert.equal(schema['x-kubernetes-list-type'], 'set');
  });

  test('refuses what a structural schema cannot express', () => {
    assert.throws(() => buildStructuralSchema(z.union([z.string(), z.int()])), /cannot express .* structural schema/);
    assert.throws(() => buildStructuralSchema(z.object({ a: z.tuple([z.string(), z.int()]) })), /cannot express \.a/);
  });
});
