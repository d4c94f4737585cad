import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { z } from 'zod';
import { computeFlagKey, type CommandSpec } from '../../../../executor/cli/flags/flag-table.js';
import { parseReduceCommandLine, REDUCE_COMMAND } from '../../../../executor/cli/flags/reduce-flags.js';
import { stripMarkdown } from '../../../../executor/cli/flags/render-help.js';
import { parseRunCommandLine, RUN_COMMAND } from '../../../../executor/cli/flags/run-flags.js';
import { ReduceConfigSchema } from '../../../../executor/config/reduce-config.js';
import { RunConfigSchema } from '../../../../executor/config/run-config.js';
import { FeatureJobError } from '../../../../executor/errors.js';

const isInvalidArgument = (message: RegExp) => (error: unknown) =>
  error instanceof FeatureJobError && error.code === 'FJ_INVALID_ARGUMENT' && message.test(error.message);

describe('parseRunCommandLine', () => {
  test('turns flags into a frozen, typed configuration with defaults', () => {
    const parsed = parseRunCommandLine([
      's3://bucket/in',
      '--out',
      './out',
      '-p',
      '8',
      '--batch-size',
      '32',
      '--format',
      'csv',
    ]);
    assert.equal(parsed.help, false);
    if (parsed.help) return;
    assert.equal(parsed.config.input, 's3://bucket/in');
    assert.equal(parsed.config.output, './out');
    assert.equal(parsed.config.partitions, 8);
    assert.equal(parsed.config.batchSize, 32);
    assert.equal(parsed.config.format, 'csv');
    assert.equal(parsed.config.weights, 'auto');
    assert.equal(parsed.config.workers, 1);
    assert.equal(parsed.config.whiten, false);
    assert.ok(Object.isFrozen(parsed.config));
  });

  test('names the offending flag in FJ_INVALID_ARGUMENT errors', () => {
    const invalid = (args: string[], message: RegExp): void =>
      assert.throws(() => parseRunCommandLine(args), isInvalidArgument(message));
    invalid(['in', '--out', 'o', '--workers', 'two'], /^--workers: /);
    invalid(['in', '--out', 'o', '--s3-endpoint', 'ftp://x'], /--s3-endpoint/);
    invalid(['in', '--out', 'o', '--max-pixels', '-1'], /--max-pixels/);
    invalid(['in', '--out', 'o', '--progress', 'loud'], /--progress: expected one of auto, bar, log, none, got 'loud'/);
    invalid(['in', '--out', 'o', '--fast'], /Unknown option '--fast'/);
    invalid(['in', 'extra', '--out', 'o'], /expected one <input>, got 2: in extra/);
    invalid(['--out', 'o'], /missing <input>/);
    invalid(['in'], /missing --out <dir\|s3:\/\/bucket\/prefix>/);
  });

  test('runs fp32 unless --precision says otherwise, and validates the int8 gate flags', () => {
    const plain = parseRunCommandLine(['in', '--out', 'out']);
    assert.ok(!plain.help && plain.config.precision === 'fp32' && plain.config.calibrationImages === 32);
    assert.ok(!plain.help && plain.config.int8MinCosine === 0.999 && plain.config.int8MinKnn === 0.95);
    const int8 = parseRunCommandLine([
      'in',
      '--out',
      'out',
      '--precision',
      'auto',
      '--calibration-images',
      '16',
      '--int8-min-cosine',
      '0.99',
      '--int8-min-knn',
      '0.9',
    ]);
    assert.ok(!int8.help);
    if (int8.help) return;
    assert.deepEqual(
      [int8.config.precision, int8.config.calibrationImages, int8.config.int8MinCosine, int8.config.int8MinKnn],
      ['auto', 16, 0.99, 0.9],
    );
    assert.throws(
      () => parseRunCommandLine(['in', '--out', 'out', '--precision', 'int4']),
      isInvalidArgument(/--precision/),
    );
    assert.throws(
      () => parseRunCommandLine(['in', '--out', 'out', '--int8-min-cosine', '1.5']),
      isInvalidArgument(/--int8-min-cosine/),
    );
    assert.throws(
      () => parseRunCommandLine(['in', '--out', 'out', '--int8-min-knn', '-0.1']),
      isInvalidArgument(/--int8-min-knn/),
    );
    assert.throws(
      () => parseRunCommandLine(['in', '--out', 'out', '--calibration-images', '1']),
      isInvalidArgument(/--calibration-images/),
    );
  });

  test('answers --help without checking the values or the input', () => {
    assert.deepEqual(parseRunCommandLine(['--help', '--partitions', 'many']), { help: true });
    assert.deepEqual(parseRunCommandLine(['-h']), { help: true });
  });
});

describe('parseReduceCommandLine', () => {
  test('requires --pca and names it when missing', () => {
    assert.throws(() => parseReduceCommandLine(['./out']), isInvalidArgument(/^missing --pca <K>/));
    const parsed = parseReduceCommandLine(['./out', '--pca', '5', '--whiten', '-w', '2']);
    assert.ok(!parsed.help);
    assert.equal(parsed.config.output, './out');
    assert.equal(parsed.config.pca, 5);
    assert.equal(parsed.config.whiten, true);
    assert.equal(parsed.config.workers, 2);
  });
});

/** The default a zod field falls back to, or undefined. */
function schemaDefault(schema: z.ZodObject, key: string): unknown {
  const field = schema.shape[key] as { def: { type: string; defaultValue?: unknown } } | undefined;
  return field?.def.type === 'default' ? field.def.defaultValue : undefined;
}

describe('the flag tables of run and reduce', () => {
  const cases: [CommandSpec, z.ZodObject][] = [
    [RUN_COMMAND, RunConfigSchema],
    [REDUCE_COMMAND, ReduceConfigSchema],
  ];
  for (const [spec, schema] of cases) {
    test(`${spec.command}: every flag fills a config field, and the documented default is the schema's`, () => {
      for (const [name, flag] of Object.entries(spec.flags)) {
        const key = computeFlagKey(name, flag);
        assert.ok(key in schema.shape, `--${name} fills ${key}, which ${spec.command}'s config does not have`);
        const fallback = schemaDefault(schema, key);
        if (fallback === undefined || typeof fallback === 'boolean') continue;
        assert.equal(
          flag.default === undefined ? undefined : stripMarkdown(flag.default),
          String(fallback),
          `the default of --${name}`,
        );
      }
    });
  }
});
