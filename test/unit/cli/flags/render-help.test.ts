import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEMO_COMMAND } from '../../../../executor/cli/flags/demo-flags.js';
import { defineCommand, type CommandSpec } from '../../../../executor/cli/flags/flag-table.js';
import { INSPECT_COMMAND } from '../../../../executor/cli/flags/inspect-flags.js';
import { MODELS_COMMAND } from '../../../../executor/cli/flags/models-flags.js';
import { REDUCE_COMMAND } from '../../../../executor/cli/flags/reduce-flags.js';
import { renderFlagMarkdown } from '../../../../executor/cli/flags/render-flag-markdown.js';
import {
  formatFlagLabel,
  renderCommandHelp,
  renderMainHelp,
  wrapText,
} from '../../../../executor/cli/flags/render-help.js';
import { RUN_COMMAND } from '../../../../executor/cli/flags/run-flags.js';
import { OPERATOR_COMMAND } from '../../../../operator/cli/operator-flags.js';

const COMMANDS: CommandSpec[] = [
  RUN_COMMAND,
  REDUCE_COMMAND,
  INSPECT_COMMAND,
  MODELS_COMMAND,
  DEMO_COMMAND,
  OPERATOR_COMMAND,
];

describe('renderCommandHelp', () => {
  for (const spec of COMMANDS) {
    test(`featurejob ${spec.command} --help lists every flag of its table once, and -h/--help, within 100 columns`, () => {
      const help = renderCommandHelp(spec);
      for (const [name, flag] of Object.entries(spec.flags)) {
        assert.equal(
          help.split('\n').filter((line) => line.trimStart().startsWith(formatFlagLabel(name, flag).trimStart()))
            .length,
          1,
          `--${name}`,
        );
      }
      assert.match(help, /^ {2}-h, --help {26}show this help$/m);
      assert.match(help, new RegExp(`^Usage: featurejob ${spec.command}`));
      // Keras' weights URL in the models help cannot be broken.
      for (const line of help.split('\n')) if (!line.includes('://storage')) assert.ok(line.length <= 100, line);
    });
  }

  test('shows defaults, requirements and environment fallbacks after the help text', () => {
    const help = renderCommandHelp(
      defineCommand({
        command: 'x',
        usage: ['featurejob x'],
        about: 'X.',
        flags: {
          size: { type: 'string', value: '<n>', default: '`8`', help: 'how many' },
          image: { type: 'string', required: true, env: 'X_IMAGE', help: 'the image' },
          where: { type: 'string', env: 'X_NS', default: 'all', help: 'the namespace' },
        },
        footer: 'Exit codes: 0 done.',
      }),
    );
    assert.match(help, /--size <n> +how many \(default 8\)$/m);
    assert.match(help, /--image +the image \(required, or env X_IMAGE\)$/m);
    assert.match(help, /--where +the namespace \(env X_NS, else all\)$/m);
    assert.ok(help.endsWith('\n\nExit codes: 0 done.\n'));
  });
});

describe('wrapText', () => {
  test('breaks between words within the width and keeps a long word whole', () => {
    assert.deepEqual(wrapText('aa bb cc dd', 5), ['aa bb', 'cc dd']);
    assert.deepEqual(wrapText('a s3://a-very-long-word b', 6), ['a', 's3://a-very-long-word', 'b']);
  });
});

describe('renderMainHelp', () => {
  test('lists exactly the commands it is given, in order', () => {
    const help = renderMainHelp({
      run: { synopsis: 'run <input>', summary: 'extract' },
      zap: { synopsis: 'zap', summary: 'zaps' },
    });
    assert.deepEqual(
      help
        .split('\n')
        .filter((line) => line.startsWith('  '))
        .map((line) => line.trim().split(/\s+/)[0]),
      ['run', 'zap'],
    );
  });
});

describe('renderFlagMarkdown', () => {
  test('writes one row for the positional and one per flag, escaping pipes', () => {
    const markdown = renderFlagMarkdown(RUN_COMMAND);
    const rows = markdown.trimEnd().split('\n');
    assert.equal(rows[0], '| option | default | meaning |');
    assert.equal(rows[1], '|---|---|---|');
    assert.equal(rows.length, 2 + 1 + Object.keys(RUN_COMMAND.flags).length);
    assert.ok(rows.includes('| `-o, --out` | (required) | a directory or `s3://bucket/prefix` for the outputs |'));
    const operator = renderFlagMarkdown(OPERATOR_COMMAND);
    assert.match(operator, /`executor plan\\\|extract`/);
    assert.match(operator, /\| `--executor-image` \| \(required\), or `FEATUREJOB_EXECUTOR_IMAGE` \|/);
  });
});
