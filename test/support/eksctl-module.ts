/**
 * eksctl's source, for checking eksctl/cluster.yaml without AWS: the Go module
 * github.com/weaveworks/eksctl (the eksctl-io repository still publishes under that path)
 * fetched through the module proxy into the Go module cache (~50 MB, cached like the other Go
 * modules the tests use). Its ClusterConfig JSON schema is what `eksctl utils schema` prints.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGo } from '../cluster/run-go.js';
import type { JsonSchema } from './json-schema-check.js';

export const EKSCTL_MODULE = 'github.com/weaveworks/eksctl';
/** The newest release on the module proxy reachable here (2025-10); knows Kubernetes up to 1.33. */
export const EKSCTL_VERSION = 'v0.215.0';

/** The module's directory in the module cache, downloaded first when missing. */
export async function ensureEksctlModule(): Promise<string> {
  const cwd = await mkdtemp(join(tmpdir(), 'featurejob-eksctl-'));
  try {
    const answer = await runGo(['mod', 'download', '-json', `${EKSCTL_MODULE}@${EKSCTL_VERSION}`], {
      cwd,
      env: { GOFLAGS: '-mod=mod' },
    });
    const { Dir, Error: failure } = JSON.parse(answer) as { Dir?: string; Error?: string };
    if (Dir === undefined) throw new Error(`go mod download ${EKSCTL_MODULE}@${EKSCTL_VERSION}: ${failure ?? answer}`);
    return Dir;
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
}

export async function readEksctlSchema(moduleDir: string): Promise<JsonSchema> {
  return JSON.parse(
    await readFile(join(moduleDir, 'pkg', 'apis', 'eksctl.io', 'v1alpha5', 'assets', 'schema.json'), 'utf8'),
  ) as JsonSchema;
}

/** The Kubernetes versions this eksctl release names (its Version1_NN constants). */
export async function readEksctlKubernetesVersions(moduleDir: string): Promise<string[]> {
  const types = await readFile(join(moduleDir, 'pkg', 'apis', 'eksctl.io', 'v1alpha5', 'types.go'), 'utf8');
  return [...types.matchAll(/^\s*Version1_\d+\s*=\s*"(1\.\d+)"/gm)].map((match) => match[1]!);
}
