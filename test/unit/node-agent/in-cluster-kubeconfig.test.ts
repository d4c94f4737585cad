import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { SERVICE_ACCOUNT_MOUNT, writeInClusterKubeconfig } from '../../cluster/node-agent/in-cluster-kubeconfig.js';

describe('the node agent’s in-cluster kubeconfig', () => {
  let dir: string;
  let accountDir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'featurejob-in-cluster-'));
    accountDir = join(dir, 'volumes', 'kube-api-access-x');
    await mkdir(accountDir, { recursive: true });
    await writeFile(join(accountDir, 'token'), 'header.payload.signature\n');
    await writeFile(join(accountDir, 'ca.crt'), '-----BEGIN CERTIFICATE-----\n');
    await writeFile(join(accountDir, 'namespace'), 'featurejob');
  });

  after(async () => rm(dir, { recursive: true, force: true }));

  it('names the projected token, CA and namespace so that client-node authenticates as the pod’s ServiceAccount', async () => {
    const path = await writeInClusterKubeconfig({
      mounts: [
        { mountPath: '/scratch', hostPath: join(dir, 'scratch') },
        { mountPath: SERVICE_ACCOUNT_MOUNT, hostPath: accountDir },
      ],
      podDir: dir,
      apiserverPort: '6443',
    });
    assert.equal(path, join(dir, 'in-cluster.kubeconfig'));
    assert.equal((await stat(path!)).mode & 0o777, 0o600);
    const config = new KubeConfig();
    config.loadFromFile(path!);
    assert.equal(config.getCurrentCluster()?.server, 'https://127.0.0.1:6443');
    assert.equal(config.getCurrentCluster()?.caFile, join(accountDir, 'ca.crt'));
    assert.equal(config.getCurrentUser()?.token, 'header.payload.signature');
    assert.equal(config.getContextObject(config.getCurrentContext())?.namespace, 'featurejob');
  });

  it('writes nothing for a pod without the ServiceAccount mount (automountServiceAccountToken: false)', async () => {
    assert.equal(
      await writeInClusterKubeconfig({
        mounts: [{ mountPath: '/scratch', hostPath: join(dir, 'scratch') }],
        podDir: join(dir, 'other'),
        apiserverPort: '6443',
      }),
      undefined,
    );
  });
});
