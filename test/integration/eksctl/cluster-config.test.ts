/**
 * eksctl/cluster.yaml, as far as it can be checked without an AWS account: eksctl's own
 * ClusterConfig JSON schema (from its Go module), the Kubernetes version, and agreement with
 * the Helm chart's executor defaults (node group labels and taints, m5.xlarge sizing) and
 * ServiceAccounts. What only AWS can check (quotas, the EKS API's own validation, addon
 * versions, the IAM policies in use) is listed in docs/deploy-eks.md.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { parseMemoryBytes, parseQuantity } from '../../cluster/node-agent/quantity.js';
import {
  EKSCTL_VERSION,
  ensureEksctlModule,
  readEksctlKubernetesVersions,
  readEksctlSchema,
} from '../../support/eksctl-module.js';
import { CHART_DIR, REPO_ROOT } from '../../support/helm-chart.js';
import { checkJsonSchema } from '../../support/json-schema-check.js';

const CLUSTER_CONFIG = join(REPO_ROOT, 'eksctl', 'cluster.yaml');

/**
 * An m5.xlarge node on EKS: 4 vCPU, of which 80m are kube-reserved (EKS AMI formula); ~13.8
 * GiB of its 16 GiB allocatable (docs/deploy-eks.md; the node agent registers the same 14162Mi). The
 * DaemonSets on every node (aws-node, kube-proxy, eks-pod-identity-agent) request a little.
 */
const M5_XLARGE = { cpu: 4 - 0.08, memoryBytes: parseMemoryBytes('14162Mi') };
const DAEMONSETS = { cpu: 0.25, memoryBytes: parseMemoryBytes('256Mi') };

interface NodeGroup {
  name: string;
  instanceType: string;
  minSize: number;
  maxSize: number;
  labels?: Record<string, string>;
  taints?: Array<{ key: string; value?: string; effect: string }>;
}
interface Statement {
  Effect: string;
  Action: string[];
  Resource: string[];
  Condition?: unknown;
}
interface Association {
  namespace: string;
  serviceAccountName: string;
  permissionPolicy?: { Statement: Statement[] };
  wellKnownPolicies?: Record<string, boolean>;
}

describe('eksctl/cluster.yaml', { timeout: 10 * 60_000 }, () => {
  let config: any;
  let values: any;
  let moduleDir: string;

  before(async () => {
    config = parseYaml(await readFile(CLUSTER_CONFIG, 'utf8'));
    values = parseYaml(await readFile(join(CHART_DIR, 'values.yaml'), 'utf8'));
    moduleDir = await ensureEksctlModule();
  });

  const nodeGroup = (name: string): NodeGroup => {
    const group = (config.managedNodeGroups as NodeGroup[]).find((g) => g.name === name);
    assert.ok(group, `no managed node group ${name}`);
    return group;
  };

  it(`is a ClusterConfig that eksctl ${EKSCTL_VERSION}'s schema accepts (no unknown or mistyped field)`, async () => {
    assert.deepEqual(checkJsonSchema(config, await readEksctlSchema(moduleDir)), []);
  });

  it('refuses, through the same schema check, a misspelled field and a mistyped value', async () => {
    const schema = await readEksctlSchema(moduleDir);
    const broken = structuredClone(config);
    broken.managedNodeGroups[1].instancetype = broken.managedNodeGroups[1].instanceType;
    broken.managedNodeGroups[1].minSize = '0';
    assert.deepEqual(checkJsonSchema(broken, schema), [
      'managedNodeGroups[1].minSize: got string, want integer',
      'managedNodeGroups[1]: unknown field instancetype',
    ]);
  });

  it('runs Kubernetes 1.33 or later, a version that eksctl release knows', async () => {
    const version = String(config.metadata.version);
    assert.ok(Number(version.split('.')[1]) >= 33, `${version}: Indexed Jobs with backoffLimitPerIndex need 1.33+`);
    assert.ok(
      (await readEksctlKubernetesVersions(moduleDir)).includes(version),
      `eksctl ${EKSCTL_VERSION} does not know Kubernetes ${version}`,
    );
  });

  it("labels and taints the executor group as the chart's default nodeSelector selects and its toleration tolerates", () => {
    const executors = nodeGroup('executors');
    assert.equal(executors.instanceType, 'm5.xlarge');
    for (const [key, value] of Object.entries(values.executor.nodeSelector as Record<string, string>))
      assert.equal(executors.labels?.[key], value);
    const tolerations = values.executor.tolerations as Array<{
      key: string;
      operator: string;
      value?: string;
      effect: string;
    }>;
    for (const taint of executors.taints ?? []) {
      const tolerated = tolerations.some(
        (t) => t.key === taint.key && t.effect === taint.effect && (t.operator === 'Exists' || t.value === taint.value),
      );
      assert.ok(tolerated, `the chart's executors do not tolerate ${JSON.stringify(taint)}`);
    }
    assert.ok((executors.taints ?? []).length > 0, 'untainted executors would take other pods');
    assert.equal(executors.minSize, 0);
    assert.ok(executors.maxSize >= 1);
    const system = nodeGroup('system');
    assert.equal(system.taints, undefined, 'the operator (no tolerations) runs on the system group');
    assert.notEqual(system.labels?.['featurejob.dev/node-group'], 'executors');
  });

  it("fits the chart's default executor requests on one m5.xlarge, under its 16Gi memory limit", () => {
    const { requests, limits } = values.executor.resources as {
      requests: { cpu: string; memory: string };
      limits: { memory: string };
    };
    assert.ok(parseQuantity(requests.cpu) + DAEMONSETS.cpu <= M5_XLARGE.cpu, `cpu ${requests.cpu} does not fit`);
    assert.ok(
      parseMemoryBytes(requests.memory) + DAEMONSETS.memoryBytes <= M5_XLARGE.memoryBytes,
      `memory ${requests.memory} does not fit`,
    );
    assert.equal(limits.memory, '16Gi');
    assert.ok(parseMemoryBytes(limits.memory) >= parseMemoryBytes(requests.memory));
  });

  it("gives the chart's two ServiceAccounts S3 roles scoped to the images/ and runs/ prefixes, without wildcards", () => {
    const associations = config.iam.podIdentityAssociations as Association[];
    for (const account of [values.executor.serviceAccount.name, values.operator.serviceAccount.name]) {
      const association = associations.find((a) => a.serviceAccountName === account);
      assert.ok(association, `no Pod Identity association for ${account}`);
      assert.equal(association.namespace, 'featurejob', 'the namespace docs/deploy-eks.md installs the chart into');
      const statements = association.permissionPolicy!.Statement;
      for (const statement of statements) {
        assert.equal(statement.Effect, 'Allow');
        for (const action of statement.Action) assert.match(action, /^s3:[A-Za-z]+$/, 'no wildcard actions');
        for (const resource of statement.Resource) {
          assert.match(
            resource,
            /^arn:aws:s3:::FEATUREJOB_(INPUT|OUTPUT)_BUCKET(\/(images|runs)\/\*)?$/,
            'one of the two buckets, under its prefix',
          );
          if (!resource.includes('/'))
            assert.ok(
              statement.Condition !== undefined && statement.Action.every((a) => a === 's3:ListBucket'),
              'bucket-level: listing under the prefixes only',
            );
        }
      }
      // Executors delete a losing attempt's files; the operator's merge deletes uncommitted shards.
      const actions = statements.flatMap((s) => s.Action);
      for (const needed of ['s3:ListBucket', 's3:GetObject', 's3:PutObject', 's3:DeleteObject'])
        assert.ok(actions.includes(needed), `${account} lacks ${needed}`);
    }
    for (const association of associations) {
      for (const statement of association.permissionPolicy?.Statement ?? []) {
        if (statement.Resource.some((r) => r.includes('/images/')))
          assert.deepEqual(statement.Action, ['s3:GetObject'], 'the images are only read');
      }
    }
  });

  it('turns on what the chart relies on: the Pod Identity agent, NetworkPolicy enforcement, OIDC for IRSA', () => {
    const addons = config.addons as Array<{ name: string; configurationValues?: string }>;
    assert.ok(addons.some((a) => a.name === 'eks-pod-identity-agent'));
    const cni = addons.find((a) => a.name === 'vpc-cni');
    assert.equal(JSON.parse(cni?.configurationValues ?? '{}').enableNetworkPolicy, 'true');
    assert.equal(config.iam.withOIDC, true);
    for (const group of config.managedNodeGroups as Array<{ disablePodIMDS?: boolean }>)
      assert.equal(group.disablePodIMDS, true, 'pods get no node-role credentials');
  });
});
