import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readImportGraph } from '../../support/import-graph.js';
import { REPO_ROOT } from '../../support/repo-root.js';

/**
 * The modules that start an outside component: the Python venv, MinIO, Go builds, the test
 * control plane, helm and eksctl. The unit tier (`npm run test:unit`) must reach none of
 * them, so that it runs in seconds on a machine with only Node.js (README, "Tests").
 */
const COMPONENT_LAUNCHERS = [
  'test/support/python-venv.ts',
  'test/support/minio-binary.ts',
  'test/support/minio-server.ts',
  'test/support/operator-test-cluster.ts',
  'test/support/eksctl-module.ts',
  'test/support/helm-chart.ts',
  'test/cluster/run-go.ts',
  'test/cluster/build-go-binaries.ts',
  'test/cluster/start-control-plane.ts',
] as const;

describe('test tiers', () => {
  it('keeps every unit test away from Python, MinIO, Go and the control plane, transitively', () => {
    const graph = readImportGraph(REPO_ROOT, ['crds', 'executor', 'operator', 'test']);
    const importsOf = new Map(graph.map(({ file, files }) => [file, files]));
    const reaching: string[] = [];
    for (const { file } of graph.filter(({ file }) => file.startsWith('test/unit/'))) {
      const seen = new Set<string>([file]);
      const pending = [file];
      while (pending.length > 0) {
        const current = pending.pop() as string;
        for (const target of importsOf.get(current) ?? []) {
          if (seen.has(target)) continue;
          seen.add(target);
          pending.push(target);
        }
      }
      for (const launcher of COMPONENT_LAUNCHERS) if (seen.has(launcher)) reaching.push(`${file} -> ${launcher}`);
    }
    assert.deepEqual(reaching, []);
  });

  it('names launchers that exist, so a rename cannot silently empty the rule', () => {
    const files = new Set(readImportGraph(REPO_ROOT, ['test']).map(({ file }) => file));
    assert.deepEqual(
      COMPONENT_LAUNCHERS.filter((launcher) => !files.has(launcher)),
      [],
    );
  });
});
