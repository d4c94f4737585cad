/**
 * The container image without a container engine: runs the Dockerfile's own build and install
 * scripts (.ci/image/) into temporary directories, then starts `featurejob` from the
 * production install the way the image does: as uid 65532 (when the test runs as root), with
 * HOME and TMPDIR in a scratch directory and the application tree not writable. npm uses its
 * cache first (npm_config_prefer_offline), so a warm run needs no network.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  access,
  chmod,
  chown,
  cp,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  realpath,
  rm,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { IMAGENET_ALIAS, IMAGENET_VGG16_MD5, resolveModel } from '../../../executor/model/resolve-model.js';
import { storeCachedModel } from '../../../executor/model/model-cache.js';
import { renderCommandHelp } from '../../../executor/cli/flags/render-help.js';
import { OPERATOR_COMMAND } from '../../../operator/cli/operator-flags.js';
import { EXECUTOR_HELP } from '../../../executor/cli/executor-command.js';
import { checked, runCommand, type CommandResult } from '../../cluster/run-command.js';
import { startControlPlane, type ControlPlane } from '../../cluster/start-control-plane.js';
import { freePort } from '../../support/minio-server.js';
import { testCacheDir } from '../../support/cache-dir.js';
import { writePlainImages } from '../../support/write-test-images.js';
import { nodeExecutableForAnyUser } from '../../support/node-executable.js';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const CRD_PATH = join(REPO_ROOT, 'crds', 'featurejob.dev_featurejobs.yaml');
/** The image's user (Dockerfile USER, the pods' runAsUser). */
const IMAGE_UID = 65532;
const SOURCES = ['package.json', 'package-lock.json', 'tsconfig.json', '.ci/image', 'crds', 'executor', 'operator'];
const APP_FILES = ['package.json', 'package-lock.json', '.ci/image'];

/** Prefer npm's cache over the registry (it still fetches what the cache lacks). */
const NPM_ENV = { npm_config_prefer_offline: 'true', npm_config_update_notifier: 'false' };

describe('the image build and production install scripts (.ci/image/)', { timeout: 15 * 60_000 }, () => {
  let root: string;
  let app: string;
  let bin: string;
  let scratch: string;
  // As root (CI here), the tests switch to the image's uid with util-linux's setpriv.
  const asImageUser = process.getuid?.() === 0 && spawnSync('setpriv', ['--version']).status === 0;

  /** Runs the installed `featurejob` as the image runs it: its user, HOME/TMPDIR in scratch, no inherited NODE_* settings. */
  function imageEnv(extra: Record<string, string> = {}): Record<string, string> {
    return {
      PATH: `${bin}:${process.env.PATH ?? ''}`,
      HOME: scratch,
      TMPDIR: scratch,
      FEATUREJOB_CACHE: join(scratch, 'cache'),
      NODE_ENV: 'production',
      ...extra,
    };
  }
  function featurejob(args: string[], extra: Record<string, string> = {}): Promise<CommandResult> {
    return runClean(
      asImageUser
        ? [
            'setpriv',
            `--reuid=${IMAGE_UID}`,
            `--regid=${IMAGE_UID}`,
            '--clear-groups',
            join(bin, 'featurejob'),
            ...args,
          ]
        : [join(bin, 'featurejob'), ...args],
      imageEnv(extra),
    );
  }

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'featurejob-image-'));
    const src = join(root, 'src');
    for (const path of SOURCES) await cp(join(REPO_ROOT, path), join(src, path), { recursive: true });
    await checked(runCommand(join(src, '.ci/image/build-dist.sh'), [src], NPM_ENV), 'build-dist.sh');

    app = join(root, 'app');
    bin = join(root, 'bin');
    for (const path of APP_FILES) await cp(join(src, path), join(app, path), { recursive: true });
    for (const part of ['executor', 'operator', 'crds'])
      await cp(join(src, 'dist', part), join(app, 'dist', part), { recursive: true });
    await checked(
      runCommand(join(app, '.ci/image/install-production.sh'), [app, bin], NPM_ENV),
      'install-production.sh',
    );

    // As in the image: the tree belongs to root and is read-only to the user; only scratch is writable.
    scratch = join(root, 'scratch');
    await mkdir(scratch);
    await chmod(root, 0o755);
    if (asImageUser) {
      await chown(scratch, IMAGE_UID, IMAGE_UID);
      // As the image's /usr/local/bin/node: `featurejob` (#!/usr/bin/env node) finds it beside itself on PATH.
      await nodeExecutableForAnyUser(bin);
    } else await runCommand('chmod', ['-R', 'a-w', app], {});
  });

  after(async () => {
    if (root === undefined) return;
    await runCommand('chmod', ['-R', 'u+w', root], {});
    await rm(root, { recursive: true, force: true });
  });

  it('tests what the Dockerfile runs: these scripts, user 65532, entry point featurejob, writable paths under /scratch', async () => {
    const dockerfile = await readFile(join(REPO_ROOT, 'Dockerfile'), 'utf8');
    const runs = [...dockerfile.matchAll(/^RUN (.+)$/gm)].map((match) => match[1]!);
    assert.ok(runs.some((run) => run.endsWith('.ci/image/build-dist.sh')));
    assert.ok(runs.some((run) => run.endsWith('.ci/image/install-production.sh /opt/featurejob /usr/local/bin')));
    assert.ok(runs.some((run) => run.endsWith('.ci/image/pull-models.sh /opt/featurejob/models')));
    assert.ok(!runs.some((run) => /(^|[\s;&|])npm\s/.test(run)), 'npm runs only inside the scripts');
    assert.match(dockerfile, new RegExp(`^USER ${IMAGE_UID}:${IMAGE_UID}$`, 'm'));
    assert.match(dockerfile, /^ENTRYPOINT \["featurejob"\]$/m);
    for (const variable of [
      'HOME=/scratch',
      'TMPDIR=/scratch',
      'FEATUREJOB_CACHE=/scratch/cache',
      'FEATUREJOB_MODEL_DIRS=/opt/featurejob/models',
    ])
      assert.ok(dockerfile.includes(variable), variable);
    const { version, engines } = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      version: string;
      engines: { node: string };
    };
    assert.match(
      dockerfile,
      new RegExp(`^ARG VERSION=${version.replace(/\./g, '\\.')}$`, 'm'),
      'the image label names the package version',
    );
    // One Node line: the base image, package.json's engines and the Node that CI installs and tests with.
    const line = /^ARG NODE_IMAGE=node:(\d+)-/m.exec(dockerfile)?.[1];
    const ci = /^NODE_VERSION=(\d+)\./m.exec(await readFile(join(REPO_ROOT, '.ci', 'install-node.sh'), 'utf8'))?.[1];
    assert.equal(line, ci, 'the base image has the Node major of .ci/install-node.sh');
    assert.match(
      engines.node,
      new RegExp(`^>=${line}\\.`),
      "package.json's engines starts at the base image's Node line",
    );
  });

  it('compiles the sources without test/ in the build stage', async () => {
    assert.deepEqual((await readdir(join(root, 'src', 'dist'))).sort(), ['crds', 'executor', 'operator']);
  });

  it('installs production dependencies only: no TypeScript, no tfjs-node, onnxruntime for this platform alone', async () => {
    const modules = join(app, 'node_modules');
    // (@types/node stays: @kubernetes/client-node and apache-arrow list it as a dependency.)
    await assert.rejects(access(join(modules, 'typescript')));
    await assert.rejects(access(join(modules, '@tensorflow', 'tfjs-node')));
    await access(join(modules, '@img', `sharp-${process.platform}-${process.arch}`));
    const platforms = [];
    for (const napi of await readdir(join(modules, 'onnxruntime-node', 'bin'))) {
      for (const os of await readdir(join(modules, 'onnxruntime-node', 'bin', napi))) {
        for (const arch of await readdir(join(modules, 'onnxruntime-node', 'bin', napi, os)))
          platforms.push(`${os}/${arch}`);
      }
    }
    assert.deepEqual([...new Set(platforms)], [`${process.platform}/${process.arch}`]);
    assert.equal(await realpath(join(bin, 'featurejob')), join(app, 'dist', 'operator', 'cli', 'featurejob.js'));
  });

  it('answers featurejob, featurejob executor and featurejob operator --help as the image user', async () => {
    const main = await featurejob(['--help']);
    assert.equal(main.code, 0, main.stderr);
    assert.match(main.stdout, /^Usage: featurejob <command>/);
    const executor = await featurejob(['executor', '--help']);
    assert.equal(executor.code, 0, executor.stderr);
    assert.equal(executor.stdout, EXECUTOR_HELP);
    const operator = await featurejob(['operator', '--help']);
    assert.equal(operator.code, 0, operator.stderr);
    assert.equal(operator.stdout, renderCommandHelp(OPERATOR_COMMAND));
  });

  it('extracts features with sharp and onnxruntime from the production install', async () => {
    const images = join(root, 'images');
    await writePlainImages(images, { count: 3 });
    const model = await resolveModel({ weights: 'random', seed: 0, cacheDir: join(testCacheDir(), 'featurejob') });
    const out = join(root, 'out');
    // As the test's own user: the model lives in the test cache, which the image user cannot read.
    const result = await runClean(
      [
        join(bin, 'featurejob'),
        'run',
        images,
        '--out',
        out,
        '--weights',
        model.path,
        '--threads',
        '1',
        '--progress',
        'none',
      ],
      imageEnv(),
    );
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as {
      images: { total: number; succeeded: number };
    };
    assert.deepEqual(
      { total: manifest.images.total, succeeded: manifest.images.succeeded },
      { total: 3, succeeded: 3 },
    );
  });

  it('starts the operator from the production install: /healthz and /readyz answer against a real API server', async () => {
    const cluster: ControlPlane = await startControlPlane({ log: () => {} });
    let operator: ChildProcess | undefined;
    try {
      await checked(
        runCommand(cluster.binaries.kubectl, ['apply', '--server-side', '-f', CRD_PATH], cluster.env()),
        'kubectl apply crd',
      );
      await checked(
        runCommand(
          cluster.binaries.kubectl,
          ['wait', '--for=condition=Established', '--timeout=60s', 'crd/featurejobs.featurejob.dev'],
          cluster.env(),
        ),
        'kubectl wait',
      );
      const kubeconfig = join(scratch, 'kubeconfig');
      await writeFile(kubeconfig, await readFile(cluster.kubeconfig));
      if (asImageUser) await chown(kubeconfig, IMAGE_UID, IMAGE_UID);
      const port = await freePort();
      const argv = [
        join(bin, 'featurejob'),
        'operator',
        '--executor-image',
        'featurejob:test',
        '--http-port',
        String(port),
        '--no-leader-elect',
      ];
      const command = asImageUser
        ? ['setpriv', `--reuid=${IMAGE_UID}`, `--regid=${IMAGE_UID}`, '--clear-groups', ...argv]
        : argv;
      operator = spawn(command[0]!, command.slice(1), {
        env: imageEnv({ KUBECONFIG: kubeconfig }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let log = '';
      operator.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
      operator.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => operator!.once('exit', (code) => resolve(code)));
      const deadline = Date.now() + 60_000;
      let ready = false;
      while (!ready && Date.now() < deadline && operator.exitCode === null) {
        ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
          (r) => r.ok,
          () => false,
        );
        if (!ready) await delay(200);
      }
      assert.ok(ready, `the operator did not become ready:\n${log}`);
      assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
      operator.kill('SIGTERM');
      assert.equal(await exited, 0, log);
    } finally {
      if (operator !== undefined && operator.exitCode === null) operator.kill('SIGKILL');
      await cluster.stop();
    }
  });

  it('bakes a cached ImageNet model under a fixed name (pull-models.sh, as the WEIGHTS=imagenet stage runs it)', async () => {
    const models = join(root, 'models');
    // Stands in for the 528 MB download: a model already cached as 'imagenet' is not fetched again.
    const cached = await storeCachedModel({
      cacheDir: models,
      onnx: new TextEncoder().encode('not really an onnx model'),
      record: {
        name: 'vgg16',
        layer: 'fc2',
        dimensions: 4096,
        weights: 'imagenet (test stand-in)',
        alias: IMAGENET_ALIAS,
        sourceSha256: '0'.repeat(64),
        sourceMd5: IMAGENET_VGG16_MD5,
      },
    });
    const result = await runClean([join(app, '.ci/image/pull-models.sh'), models], {
      ...imageEnv(),
      FEATUREJOB_VGG16_URL: 'http://127.0.0.1:9/unreachable.h5',
    });
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    assert.equal(await readlink(join(models, 'vgg16-imagenet.onnx')), `models/vgg16-${cached.sha256}.onnx`);
    assert.equal(await realpath(join(models, 'vgg16-imagenet.onnx')), cached.path);
    assert.match(result.stdout, /imagenet/);
  });
});

/** Runs argv with exactly `env` (nothing inherited): what a container gets is what it is given. */
function runClean(argv: string[], env: Record<string, string>): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}
