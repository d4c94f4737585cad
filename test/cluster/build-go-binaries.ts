import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { testCacheDir } from '../support/cache-dir.js';
import { ETCD_VERSION, HELM_VERSION, KUBERNETES_VERSION, kubernetesMajorMinor } from './kubernetes-version.js';
import { runGo } from './run-go.js';
import { ETCD_WRAPPER_DIR, KUBERNETES_WRAPPER_DIR } from './wrapper-modules.js';

/** The binaries of the test control plane. */
export const CONTROL_PLANE_BINARIES = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kubectl',
  'helm',
] as const;
export type ControlPlaneBinary = (typeof CONTROL_PLANE_BINARIES)[number];

/** Absolute paths of the built binaries, by name. */
export type ControlPlaneBinaries = Readonly<Record<ControlPlaneBinary, string>>;

/** `-X` flags that make Kubernetes binaries report a release version (as hack/lib/version.sh does). */
function kubernetesVersionLdflags(): string[] {
  const { major, minor } = kubernetesMajorMinor();
  return ['k8s.io/client-go/pkg/version', 'k8s.io/component-base/version'].flatMap((pkg) => [
    `-X ${pkg}.gitVersion=${KUBERNETES_VERSION}`,
    `-X ${pkg}.gitMajor=${major}`,
    `-X ${pkg}.gitMinor=${minor}`,
    `-X ${pkg}.gitTreeState=clean`,
  ]);
}

/**
 * `-X` flags as helm's Makefile sets them: its version, and the Kubernetes version `helm
 * template` and `helm lint` assume without a cluster (v1.20 unless set), here our minor.
 */
function helmLdflags(): string[] {
  const { major, minor } = kubernetesMajorMinor();
  return [
    `-X helm.sh/helm/v3/internal/version.version=${HELM_VERSION}`,
    '-X helm.sh/helm/v3/internal/version.gitTreeState=clean',
    ...['helm.sh/helm/v3/pkg/chartutil', 'helm.sh/helm/v3/pkg/lint/rules'].flatMap((pkg) => [
      `-X ${pkg}.k8sVersionMajor=${major}`,
      `-X ${pkg}.k8sVersionMinor=${minor}`,
    ]),
  ];
}

const STATIC = { CGO_ENABLED: '0' };

async function assertWrapperRequires(dir: string, module: string, version: string): Promise<void> {
  const goMod = await readFile(join(dir, 'go.mod'), 'utf8');
  if (
    !new RegExp(`^\\s*(require )?${module.replace(/\./g, '\\.')} ${version.replace(/\./g, '\\.')}\\b`, 'm').test(goMod)
  ) {
    throw new Error(
      `${join(dir, 'go.mod')} does not require ${module} ${version}: regenerate it ` +
        '(see test/cluster/kubernetes-version.ts and docs/test-control-plane.md)',
    );
  }
}

/** The version a binary is built at, which keys its cache directory. */
export function binaryVersion(name: ControlPlaneBinary): string {
  if (name === 'etcd') return ETCD_VERSION;
  if (name === 'helm') return HELM_VERSION;
  return KUBERNETES_VERSION;
}

/** Builds one binary to `output` (in a temporary directory `work` beside the cache). */
async function build(name: ControlPlaneBinary, output: string, work: string): Promise<void> {
  const stripped = '-s -w';
  if (name === 'etcd') {
    await assertWrapperRequires(ETCD_WRAPPER_DIR, 'go.etcd.io/etcd/server/v3', ETCD_VERSION);
    await runGo(['build', '-trimpath', '-ldflags', stripped, '-o', output, 'go.etcd.io/etcd/server/v3'], {
      cwd: ETCD_WRAPPER_DIR,
      env: STATIC,
    });
  } else if (name === 'helm') {
    // helm's go.mod has no replace directives, so `go install module@version` works.
    const gobin = join(work, 'gobin');
    await runGo(
      [
        'install',
        '-trimpath',
        '-ldflags',
        [stripped, ...helmLdflags()].join(' '),
        `helm.sh/helm/v3/cmd/helm@${HELM_VERSION}`,
      ],
      { cwd: work, env: { ...STATIC, GOBIN: gobin } },
    );
    await rename(join(gobin, 'helm'), output);
  } else {
    await assertWrapperRequires(KUBERNETES_WRAPPER_DIR, 'k8s.io/kubernetes', KUBERNETES_VERSION);
    await runGo(
      [
        'build',
        '-trimpath',
        '-ldflags',
        [stripped, ...kubernetesVersionLdflags()].join(' '),
        '-o',
        output,
        `k8s.io/kubernetes/cmd/${name}`,
      ],
      { cwd: KUBERNETES_WRAPPER_DIR, env: STATIC },
    );
  }
}

/** Where a binary is cached: ~/.cache/featurejob-test/bin/<name>-<version>/<name>. */
export function cachedBinaryPath(name: ControlPlaneBinary): string {
  return testCacheDir('bin', `${name}-${binaryVersion(name)}`, name);
}

/**
 * The path of one control-plane binary, built once from its Go module and cached (idempotent;
 * safe to run concurrently). FEATUREJOB_CONTROL_PLANE_BIN names a directory of prebuilt
 * binaries to use instead.
 */
export async function ensureBinary(name: ControlPlaneBinary, log: (line: string) => void = () => {}): Promise<string> {
  const override = process.env.FEATUREJOB_CONTROL_PLANE_BIN;
  if (override !== undefined && override !== '') return join(override, name);
  const binary = cachedBinaryPath(name);
  if (existsSync(binary)) return binary;
  await mkdir(dirname(binary), { recursive: true });
  // Build beside the target and rename into place, so a concurrent or interrupted build never
  // leaves a half-written binary at the cached path.
  const work = await mkdtemp(join(dirname(binary), 'build-'));
  const started = Date.now();
  log(`building ${name} ${binaryVersion(name)} from its Go module (once; cached at ${binary})`);
  try {
    await build(name, join(work, name), work);
    await rename(join(work, name), binary);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  log(`built ${name} in ${Math.round((Date.now() - started) / 1000)} s`);
  return binary;
}

/**
 * All six binaries (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubectl,
 * helm), building the missing ones one after another: tens of minutes on a cold Go build cache,
 * instant afterwards. Rejects with GoMissingError when Go is not installed.
 */
export async function ensureControlPlaneBinaries(log?: (line: string) => void): Promise<ControlPlaneBinaries> {
  const paths: Partial<Record<ControlPlaneBinary, string>> = {};
  for (const name of CONTROL_PLANE_BINARIES) paths[name] = await ensureBinary(name, log);
  return paths as ControlPlaneBinaries;
}
