import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { defineCommand } from '../../../../executor/cli/flags/flag-table.js';
import {
  buildParseArgsOptions,
  parseCommandLine,
  parseCommandSettings,
} from '../../../../executor/cli/flags/parse-command-line.js';
import { FeatureJobError } from '../../../../executor/errors.js';

const EXAMPLE = defineCommand({
  command: 'example',
  usage: ['featurejob example <thing> [options]'],
  about: 'An example.',
  positional: { name: 'thing', key: 'thing', help: 'what to work on' },
  flags: {
    'batch-size': {
      type: 'string',
      short: 'b',
      value: '<n>',
      schema: z.coerce.number().int().positive(),
      help: 'images per call',
    },
    image: { type: 'string', value: '<image>', required: true, env: 'EXAMPLE_IMAGE', help: 'an image' },
    'no-plots': {
      type: 'boolean',
      key: 'plots',
      schema: z.boolean().transform((given) => !given),
      help: 'no pictures',
    },
    label: { type: 'string', value: '<text>', help: 'a label' },
  },
});

const invalid = (message: RegExp) => (error: unknown) =>
  error instanceof FeatureJobError && error.code === 'FJ_INVALID_ARGUMENT' && message.test(error.message);

describe('buildParseArgsOptions', () => {
  test('derives one parseArgs option per flag, plus -h/--help', () => {
    assert.deepEqual(buildParseArgsOptions(EXAMPLE.flags), {
      'batch-size': { type: 'string', short: 'b' },
      image: { type: 'string' },
      'no-plots': { type: 'boolean' },
      label: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
  });
});

describe('parseCommandLine', () => {
  test('gives values by flag name and fields by settings key, converted by each schema', () => {
    const parsed = parseCommandLine(EXAMPLE, ['it', '-b', '4', '--image', 'x:1', '--no-plots'], { env: {} });
    assert.equal(parsed.help, false);
    assert.equal(parsed.values['batch-size'], 4);
    assert.equal(parsed.values['no-plots'], false);
    assert.deepEqual(parsed.fields, { thing: 'it', batchSize: 4, image: 'x:1', plots: false });
  });

  test('leaves out absent flags so that the settings schema applies its defaults', () => {
    const parsed = parseCommandLine(EXAMPLE, ['it', '--image', 'x:1'], { env: {} });
    assert.deepEqual(parsed.fields, { thing: 'it', image: 'x:1' });
  });

  test('reads the environment for an absent flag, an empty variable counting as unset', () => {
    assert.equal(parseCommandLine(EXAMPLE, ['it'], { env: { EXAMPLE_IMAGE: 'y:2' } }).values.image, 'y:2');
    assert.equal(
      parseCommandLine(EXAMPLE, ['it', '--image', 'x:1'], { env: { EXAMPLE_IMAGE: 'y:2' } }).values.image,
      'x:1',
    );
    assert.throws(
      () => parseCommandLine(EXAMPLE, ['it'], { env: { EXAMPLE_IMAGE: '' } }),
      invalid(/^missing --image <image> \(or EXAMPLE_IMAGE\)$/),
    );
  });

  test('refuses unknown flags, missing values and extra arguments as FJ_INVALID_ARGUMENT', () => {
    const env = { EXAMPLE_IMAGE: 'y:2' };
    assert.throws(() => parseCommandLine(EXAMPLE, ['it', '--fast'], { env }), invalid(/Unknown option '--fast'/));
    assert.throws(() => parseCommandLine(EXAMPLE, ['it', '--label'], { env }), invalid(/--label/));
    assert.throws(() => parseCommandLine(EXAMPLE, [], { env }), invalid(/^missing <thing>: what to work on$/));
    assert.throws(() => parseCommandLine(EXAMPLE, ['a', 'b'], { env }), invalid(/^expected one <thing>, got 2: a b$/));
    const noPositional = defineCommand({ ...EXAMPLE, positional: undefined });
    assert.throws(() => parseCommandLine(noPositional, ['a'], { env }), invalid(/unexpected argument 'a'/));
  });

  test('names the flag whose value its schema refuses, and reports every such flag', () => {
    assert.throws(
      () => parseCommandLine(EXAMPLE, ['it', '-b', 'two'], { env: { EXAMPLE_IMAGE: 'y' } }),
      invalid(/^--batch-size: /),
    );
  });

  test('answers --help before any other check', () => {
    const parsed = parseCommandLine(EXAMPLE, ['--help'], { env: {} });
    assert.equal(parsed.help, true);
  });
});

describe('parseCommandSettings', () => {
  const Settings = z
    .object({
      thing: z.string().min(3),
      batchSize: z.number().max(8),
      nested: z.object({ cpu: z.string() }).optional(),
    })
    .strict();

  test("turns the settings schema's issues into one FJ_INVALID_ARGUMENT naming flags and the positional", () => {
    assert.throws(
      () => parseCommandSettings(EXAMPLE, { thing: 'it', batchSize: 9 }, (fields) => Settings.parse(fields)),
      invalid(/^<thing>: .*; --batch-size: /),
    );
  });

  test('keeps the path inside a field and passes other errors through', () => {
    assert.throws(
      () =>
        parseCommandSettings(EXAMPLE, { thing: 'abc', batchSize: 1, nested: { cpu: 3 } }, (fields) =>
          Settings.parse(fields),
        ),
      invalid(/^nested: cpu: /),
    );
    assert.throws(
      () =>
        parseCommandSettings(EXAMPLE, {}, () => {
          throw new RangeError('boom');
        }),
      RangeError,
    );
  });
});
