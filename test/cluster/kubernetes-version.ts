/**
 * The versions of the test control plane, built from their Go modules (see
 * docs/test-control-plane.md). Changing KUBERNETES_VERSION means regenerating the wrapper
 * module: `node dist/test/cluster/write-kubernetes-go-mod.js` (it also runs `go mod tidy`).
 *
 * Kubernetes 1.35: batch/v1 Indexed Jobs with backoffLimitPerIndex (GA 1.33), podFailurePolicy
 * (GA 1.31) and podReplacementPolicy (GA 1.34) are all GA. Its go.mod asks for Go 1.25.0.
 */
export const KUBERNETES_VERSION = 'v1.35.8';

/** The k8s.io staging modules (client-go, api, ...) published alongside KUBERNETES_VERSION. */
export const KUBERNETES_STAGING_VERSION = KUBERNETES_VERSION.replace(/^v1\./, 'v0.');

/**
 * etcd server: Kubernetes 1.34+ pair with etcd 3.6 (k8s.io/kubernetes v1.35.8 itself requires
 * go.etcd.io/etcd/server/v3 v3.6.5); this is the newest 3.6 patch on the module proxy.
 */
export const ETCD_VERSION = 'v3.6.16';

/** Helm v3 whose client-go (v0.35.1) matches the Kubernetes minor. */
export const HELM_VERSION = 'v3.20.2';

/** `1` and `35` from KUBERNETES_VERSION, for the version ldflags. */
export function kubernetesMajorMinor(version: string = KUBERNETES_VERSION): { major: string; minor: string } {
  const match = /^v(\d+)\.(\d+)\.\d+$/.exec(version);
  if (match === null) throw new Error(`not a Kubernetes release version: ${version}`);
  return { major: match[1]!, minor: match[2]! };
}
