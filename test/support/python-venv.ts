import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testCacheDir } from './cache-dir.js';

const supportDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test', 'support');

/**
 * The venvs: `reference` (PIL, pyarrow, TensorFlow: python-requirements.txt) and `delta`
 * (delta-rs's `deltalake` with pyarrow and pandas, the readers users run on our table:
 * python-delta-requirements.txt), apart so that neither's pins move the other's cache.
 */
export type PythonVenvName = 'reference' | 'delta';

function requirementsFileOf(name: PythonVenvName): string {
  return join(supportDir, name === 'reference' ? 'python-requirements.txt' : 'python-delta-requirements.txt');
}

/**
 * A Python virtual environment with the pinned packages of python-requirements.txt, created
 * once and cached under ~/.cache/featurejob-test keyed by the requirements' hash.
 * Installing needs only PyPI.
 */
export function ensurePythonVenv(name: PythonVenvName = 'reference'): { python: string } {
  const requirementsFile = requirementsFileOf(name);
  const requirements = readFileSync(requirementsFile, 'utf8');
  const hash = createHash('sha256').update(requirements).digest('hex').slice(0, 12);
  const dir = testCacheDir(name === 'reference' ? `venv-${hash}` : `venv-${name}-${hash}`);
  const python = join(dir, 'bin', 'python');
  const readyMarker = join(dir, '.ready');
  if (!existsSync(readyMarker)) {
    const system = process.env.FEATUREJOB_PYTHON ?? 'python3';
    execFileSync(system, ['-m', 'venv', '--clear', dir], { stdio: 'inherit' });
    execFileSync(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', requirementsFile], {
      stdio: 'inherit',
    });
    writeFileSync(readyMarker, requirements);
  }
  return { python };
}

/** Runs a Python snippet in the venv with `input` on stdin and returns its stdout. */
export function runPython(
  code: string,
  options: { input?: string | Uint8Array; args?: string[]; venv?: PythonVenvName } = {},
): string {
  const { python } = ensurePythonVenv(options.venv);
  return execFileSync(python, ['-c', code, ...(options.args ?? [])], {
    input: options.input,
    maxBuffer: 512 * 1024 * 1024,
    encoding: 'utf8',
  });
}
