import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, test } from 'node:test';
import { runCliCommand, type CliCommands } from '../../../executor/cli/cli-main.js';
import { DATA_PLANE_COMMANDS } from '../../../executor/cli/data-plane-commands.js';
import { FeatureJobError } from '../../../executor/errors.js';
import { FEATUREJOB_COMMANDS } from '../../../operator/cli/featurejob-commands.js';

async function capture(
  argv: string[],
  commands: CliCommands,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  err.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await runCliCommand(argv, commands, { out, err });
  return { code, stdout, stderr };
}

/** The command names `featurejob --help` lists. */
function listedCommands(help: string): string[] {
  const block = help.split('Commands:\n')[1]!.split('\n\n')[0]!;
  return block
    .split('\n')
    .map((line) => /^ {2}(\S+)/.exec(line)?.[1])
    .filter((name) => name !== undefined);
}

describe('featurejob --help', () => {
  test('the data-plane binary lists exactly the commands it knows, without operator', async () => {
    const { code, stdout } = await capture(['--help'], DATA_PLANE_COMMANDS);
    assert.equal(code, 0);
    assert.deepEqual(listedCommands(stdout), Object.keys(DATA_PLANE_COMMANDS));
    assert.ok(!listedCommands(stdout).includes('operator'));
  });

  test('the installed binary lists operator too', async () => {
    const { code, stdout } = await capture(['-h'], FEATUREJOB_COMMANDS);
    assert.equal(code, 0);
    assert.deepEqual(listedCommands(stdout), [...Object.keys(DATA_PLANE_COMMANDS), 'operator']);
  });

  test('no command prints the help and exits 2; an unknown one says so and exits 2', async () => {
    assert.equal((await capture([], DATA_PLANE_COMMANDS)).code, 2);
    const unknown = await capture(['operator', '--help'], DATA_PLANE_COMMANDS);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^featurejob: unknown command 'operator'\n/);
  });

  test('both built binaries answer with their own command list', async () => {
    const run = promisify(execFile);
    const dataPlane = await run(process.execPath, [
      fileURLToPath(new URL('../../../executor/cli/featurejob.js', import.meta.url)),
      '--help',
    ]);
    const installed = await run(process.execPath, [
      fileURLToPath(new URL('../../../operator/cli/featurejob.js', import.meta.url)),
      '--help',
    ]);
    assert.deepEqual(listedCommands(dataPlane.stdout), Object.keys(DATA_PLANE_COMMANDS));
    assert.deepEqual(listedCommands(installed.stdout), Object.keys(FEATUREJOB_COMMANDS));
  });
});

describe('runCliCommand', () => {
  const failing = (error: unknown): CliCommands => ({
    fail: { synopsis: 'fail', summary: 'fails', run: () => Promise.reject(error) },
  });

  test("an invalid argument is exit code 2 with the code and a pointer to the command's help", async () => {
    const result = await capture(['fail', '-x'], failing(new FeatureJobError('FJ_INVALID_ARGUMENT', 'bad -x')));
    assert.equal(result.code, 2);
    assert.equal(result.stderr, "featurejob: FJ_INVALID_ARGUMENT: bad -x\nRun 'featurejob fail --help' for usage.\n");
  });

  test('any other error is exit code 1', async () => {
    assert.equal((await capture(['fail'], failing(new FeatureJobError('FJ_STORAGE_UNREACHABLE', 'down')))).code, 1);
    const crash = await capture(['fail'], failing(new Error('boom')));
    assert.equal(crash.code, 1);
    assert.match(crash.stderr, /^featurejob: unexpected error: Error: boom/);
  });
});
