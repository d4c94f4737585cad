import { fileURLToPath } from 'node:url';

/**
 * The Go wrapper modules kept in the repository (test/cluster/go/), which the binaries are
 * built from. Resolved from the compiled file (dist/test/cluster/*.js) back to the sources.
 */
const goDir = fileURLToPath(new URL('../../../test/cluster/go/', import.meta.url));

/** Requires k8s.io/kubernetes and maps its staging modules to their published versions. */
export const KUBERNETES_WRAPPER_DIR = `${goDir}kubernetes`;

/** Requires go.etcd.io/etcd/server/v3, whose package main is etcd. */
export const ETCD_WRAPPER_DIR = `${goDir}etcd`;
