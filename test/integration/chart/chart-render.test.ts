/**
 * The Helm chart as rendered by the pinned helm (offline: no cluster): lint, the reviewed
 * golden renders, the CRD copy, the RBAC against operator/kube/operator-rbac.ts, and the
 * operator Deployment against what the operator itself accepts.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { ExecutorDefaultsSchema } from '../../../operator/config/operator-config.js';
import { OPERATOR_COMMAND } from '../../../operator/cli/operator-flags.js';
import { OPERATOR_CLUSTER_RULES, OPERATOR_LEASE_RULES } from '../../../operator/kube/operator-rbac.js';
import {
  CHART_DIR,
  GOLDEN_DIR,
  REPO_ROOT,
  findObject,
  parseManifests,
  renderChart,
  runHelm,
  type KubeObject,
} from '../../support/helm-chart.js';

const ALL_OPTIONS = join(GOLDEN_DIR, 'all-options.values.yaml');
const GOLDENS = [
  { file: 'default.yaml', valuesFiles: [] as string[] },
  { file: 'all-options.yaml', valuesFiles: [ALL_OPTIONS] },
];

function argValue(args: readonly string[], flag: string): string | undefined {
  const prefix = `--${flag}=`;
  return args.find((arg) => arg.startsWith(prefix))?.slice(prefix.length);
}

function operatorContainer(objects: readonly KubeObject[]): any {
  return findObject(objects, 'Deployment').spec.template.spec.containers[0];
}

describe('the Helm chart, rendered', { timeout: 20 * 60_000 }, () => {
  it('passes helm lint --strict with the default values and with every option set', async () => {
    for (const valuesFiles of [[], [ALL_OPTIONS]]) {
      const result = await runHelm([
        'lint',
        '--strict',
        CHART_DIR,
        ...valuesFiles.flatMap((file) => ['--values', file]),
      ]);
      assert.equal(result.code, 0, result.stdout + result.stderr);
      assert.match(result.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
    }
  });

  it('renders exactly the reviewed golden files (UPDATE_GOLDEN=1 rewrites them)', async () => {
    for (const { file, valuesFiles } of GOLDENS) {
      const rendered = await renderChart({ valuesFiles });
      const path = join(GOLDEN_DIR, file);
      if (process.env.UPDATE_GOLDEN === '1') {
        await mkdir(GOLDEN_DIR, { recursive: true });
        await writeFile(path, rendered);
        continue;
      }
      const golden = await readFile(path, 'utf8').catch(() => '');
      assert.equal(
        rendered,
        golden,
        `helm template differs from ${path}: review the change, then run it with UPDATE_GOLDEN=1`,
      );
    }
  });

  it('ships the generated CRD unchanged, and its appVersion is the package version', async () => {
    const [generated, shipped] = await Promise.all([
      readFile(join(REPO_ROOT, 'crds', 'featurejob.dev_featurejobs.yaml'), 'utf8'),
      readFile(join(CHART_DIR, 'crds', 'featurejob.dev_featurejobs.yaml'), 'utf8'),
    ]);
    assert.equal(
      shipped,
      generated,
      'charts/featurejob/crds/ differs from crds/: cp crds/featurejob.dev_featurejobs.yaml charts/featurejob/crds/',
    );
    const chart = parseYaml(await readFile(join(CHART_DIR, 'Chart.yaml'), 'utf8')) as { appVersion: string };
    const pkg = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.equal(chart.appVersion, pkg.version);
  });

  it('grants exactly the rules of operator-rbac.ts, bound to the operator ServiceAccount: no wildcards, no secrets', async () => {
    for (const valuesFiles of [[], [ALL_OPTIONS]]) {
      const objects = parseManifests(await renderChart({ valuesFiles }));
      const clusterRoles = objects.filter((o) => o.kind === 'ClusterRole');
      const roles = objects.filter((o) => o.kind === 'Role');
      assert.equal(clusterRoles.length, 1);
      assert.equal(roles.length, 1);
      assert.deepEqual(clusterRoles[0]!.rules, OPERATOR_CLUSTER_RULES);
      assert.deepEqual(roles[0]!.rules, OPERATOR_LEASE_RULES);
      assert.equal(roles[0]!.metadata.namespace, 'featurejob');
      for (const rule of [...clusterRoles[0]!.rules, ...roles[0]!.rules] as Array<{
        apiGroups: string[];
        resources: string[];
        verbs: string[];
      }>) {
        for (const list of [rule.apiGroups, rule.resources, rule.verbs])
          assert.ok(!list.includes('*'), JSON.stringify(rule));
        assert.ok(!rule.resources.includes('secrets'), JSON.stringify(rule));
      }
      for (const [kind, role] of [
        ['ClusterRoleBinding', clusterRoles[0]!],
        ['RoleBinding', roles[0]!],
      ] as const) {
        const binding = findObject(objects, kind);
        assert.deepEqual(binding.roleRef, {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: role.kind,
          name: role.metadata.name,
        });
        assert.deepEqual(binding.subjects, [
          { kind: 'ServiceAccount', name: 'featurejob-operator', namespace: 'featurejob' },
        ]);
      }
    }
  });

  it('runs the operator with leader election, probes, the downward API and flags the operator knows', async () => {
    const objects = parseManifests(await renderChart());
    const container = operatorContainer(objects);
    assert.deepEqual(container.command, ['featurejob']);
    const args: string[] = container.args;
    assert.equal(args[0], 'operator');
    for (const arg of args.slice(1)) {
      const flag = /^--([a-z-]+)=/.exec(arg)?.[1];
      assert.ok(
        flag !== undefined && Object.hasOwn(OPERATOR_COMMAND.flags, flag),
        `featurejob operator does not know ${arg}`,
      );
    }
    assert.ok(!args.includes('--no-leader-elect'));
    assert.equal(argValue(args, 'executor-image'), 'featurejob:0.1.0');
    assert.equal(argValue(args, 'lease-name'), 'featurejob-operator');
    assert.equal(findObject(objects, 'Deployment').spec.replicas, 1);
    const env = Object.fromEntries(
      (container.env as Array<{ name: string; valueFrom?: { fieldRef?: { fieldPath: string } } }>).map((e) => [
        e.name,
        e.valueFrom?.fieldRef?.fieldPath,
      ]),
    );
    assert.equal(env.POD_NAMESPACE, 'metadata.namespace');
    assert.equal(env.POD_NAME, 'metadata.name');
    assert.deepEqual(container.livenessProbe.httpGet, { path: '/healthz', port: 'http' });
    assert.deepEqual(container.readinessProbe.httpGet, { path: '/readyz', port: 'http' });
    assert.deepEqual(container.ports, [{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
  });

  it('passes executor defaults that the operator parses, equal to its own defaults unless values change them', async () => {
    const defaults = JSON.parse(
      argValue(operatorContainer(parseManifests(await renderChart())).args, 'executor-defaults')!,
    );
    assert.deepEqual(ExecutorDefaultsSchema.parse(defaults), ExecutorDefaultsSchema.parse({}));
    const changed = JSON.parse(
      argValue(
        operatorContainer(parseManifests(await renderChart({ valuesFiles: [ALL_OPTIONS] }))).args,
        'executor-defaults',
      )!,
    );
    assert.deepEqual(ExecutorDefaultsSchema.parse(changed).limits, { cpu: '4', memory: '16Gi' });
  });

  it('meets the restricted Pod Security Standard with a read-only root file system', async () => {
    const pod = findObject(parseManifests(await renderChart()), 'Deployment').spec.template.spec;
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.equal(pod.securityContext.runAsUser, 65532);
    assert.deepEqual(pod.securityContext.seccompProfile, { type: 'RuntimeDefault' });
    const context = pod.containers[0].securityContext;
    assert.equal(context.allowPrivilegeEscalation, false);
    assert.equal(context.readOnlyRootFilesystem, true);
    assert.deepEqual(context.capabilities, { drop: ['ALL'] });
    assert.deepEqual(pod.volumes, [{ name: 'scratch', emptyDir: { sizeLimit: '64Mi' } }]);
    assert.deepEqual(pod.containers[0].volumeMounts, [{ name: 'scratch', mountPath: '/scratch' }]);
  });

  it('creates the executor ServiceAccount and NetworkPolicy in every executor namespace', async () => {
    const byDefault = parseManifests(await renderChart());
    const accounts = byDefault.filter((o) => o.kind === 'ServiceAccount' && o.metadata.name === 'featurejob-executor');
    assert.deepEqual(
      accounts.map((a) => a.metadata.namespace),
      ['featurejob'],
    );
    assert.equal(accounts[0]!.automountServiceAccountToken, false);
    assert.equal(accounts[0]!.metadata.annotations, undefined, 'no IRSA annotation by default: Pod Identity');

    const all = parseManifests(await renderChart({ valuesFiles: [ALL_OPTIONS] }));
    const irsa = all.filter((o) => o.kind === 'ServiceAccount' && o.metadata.name === 'featurejob-executor');
    assert.deepEqual(
      irsa.map((a) => a.metadata.namespace),
      ['featurejob', 'team-a'],
    );
    for (const account of irsa)
      assert.equal(
        account.metadata.annotations?.['eks.amazonaws.com/role-arn'],
        'arn:aws:iam::123456789012:role/featurejob-executor',
      );
    const policies = all.filter((o) => o.kind === 'NetworkPolicy');
    assert.deepEqual(
      policies.map((p) => p.metadata.namespace),
      ['featurejob', 'team-a'],
    );
    for (const policy of policies) {
      assert.deepEqual(policy.spec.policyTypes, ['Ingress', 'Egress']);
      assert.equal(policy.spec.ingress, undefined, 'no ingress rule: nothing may connect');
      assert.deepEqual(policy.spec.podSelector.matchLabels, {
        'app.kubernetes.io/name': 'featurejob',
        'app.kubernetes.io/managed-by': 'featurejob-operator',
      });
      const ports = (policy.spec.egress as Array<{ ports: Array<{ port: number }> }>).flatMap((rule) =>
        rule.ports.map((p) => p.port),
      );
      assert.deepEqual(
        [...new Set(ports)].sort((a, b) => a - b),
        [53, 80, 443, 9000],
      );
    }
  });

  it('adds a PodDisruptionBudget only with standby replicas and a ServiceMonitor only when asked', async () => {
    const kinds = (objects: KubeObject[]): string[] => objects.map((o) => o.kind);
    const byDefault = kinds(parseManifests(await renderChart()));
    assert.ok(!byDefault.includes('PodDisruptionBudget'));
    assert.ok(!byDefault.includes('ServiceMonitor'));
    assert.ok(byDefault.includes('Service'));
    const all = kinds(parseManifests(await renderChart({ valuesFiles: [ALL_OPTIONS] })));
    assert.ok(all.includes('PodDisruptionBudget'));
    assert.ok(all.includes('ServiceMonitor'));
  });

  it('refuses values the operator would refuse, before anything reaches the cluster', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ 'executor.resources.requests.cpu': 3 }, /requests\/cpu': got number, want string/],
      [{ 'executor.resources.requests.memory': '12 GiB' }, /requests\/memory/],
      [{ 'executor.tolerations': [{ key: 'x', operator: 'Exists', tolerationSeconds: 5 }] }, /tolerationSeconds/],
      [{ 'operator.replicas': 0 }, /replicas/],
      [{ 'operator.logLevel': 'verbose' }, /logLevel/],
      [{ 'operator.unknown': true }, /additional properties 'unknown' not allowed/],
    ];
    for (const [setJson, message] of cases) {
      await assert.rejects(renderChart({ setJson }), message, JSON.stringify(setJson));
    }
  });
});
