import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import { readConfigSource } from './config-sources.js';
import { resolveFieldRef } from './downward-api.js';
import type { KubeApi } from './kube-api.js';
import { PodSpecError } from './pod-spec-error.js';
import type { Container, KeyToPath, Pod, Volume } from './pod-types.js';

/** A container path and the host directory or file that stands in for it. */
export interface HostMount {
  readonly mountPath: string;
  readonly hostPath: string;
}

type SourceCache = Map<string, Promise<Record<string, Buffer> | undefined>>;

async function writeKeys(
  dir: string,
  data: Record<string, Buffer>,
  items: readonly KeyToPath[] | undefined,
  what: string,
): Promise<void> {
  const entries = items === undefined ? Object.keys(data).map((key) => ({ key, path: key })) : items;
  for (const { key, path } of entries) {
    const value = data[key];
    if (value === undefined) throw new PodSpecError('ConfigError', `${what} has no key ${key}`);
    const file = join(dir, normalize(path));
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, value);
  }
}

async function writeSource(
  api: KubeApi,
  pod: Pod,
  dir: string,
  kind: 'Secret' | 'ConfigMap',
  source: { name: string; items?: KeyToPath[]; optional?: boolean },
  cache: SourceCache,
): Promise<void> {
  const data = await readConfigSource(api, pod.metadata.namespace, kind, source.name, cache);
  if (data === undefined) {
    if (source.optional === true) return;
    throw new PodSpecError('ConfigError', `${kind.toLowerCase()} "${source.name}" not found`);
  }
  await writeKeys(dir, data, source.items, `${kind} ${pod.metadata.namespace}/${source.name}`);
}

/** Fills a projected volume: a bound service-account token, ConfigMap and Secret keys, downward-API files. */
async function writeProjected(api: KubeApi, pod: Pod, dir: string, volume: Volume, cache: SourceCache): Promise<void> {
  for (const source of volume.projected!.sources) {
    if (source.serviceAccountToken !== undefined) {
      const account = pod.spec.serviceAccountName ?? 'default';
      const answer = await api.send<{ status: { token: string } }>(
        'POST',
        `/api/v1/namespaces/${encodeURIComponent(pod.metadata.namespace)}/serviceaccounts/${encodeURIComponent(account)}/token`,
        {
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'TokenRequest',
          spec: {
            audiences: source.serviceAccountToken.audience === undefined ? [] : [source.serviceAccountToken.audience],
            expirationSeconds: source.serviceAccountToken.expirationSeconds ?? 3600,
            boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name, uid: pod.metadata.uid },
          },
        },
      );
      await writeFile(join(dir, normalize(source.serviceAccountToken.path)), answer.status.token);
    } else if (source.configMap !== undefined) {
      await writeSource(api, pod, dir, 'ConfigMap', source.configMap, cache);
    } else if (source.secret !== undefined) {
      await writeSource(api, pod, dir, 'Secret', source.secret, cache);
    } else if (source.downwardAPI !== undefined) {
      for (const item of source.downwardAPI.items) {
        if (item.fieldRef === undefined)
          throw new PodSpecError(
            'Unsupported',
            `the node agent supports only fieldRef items in downwardAPI projections`,
          );
        const file = join(dir, normalize(item.path));
        await mkdir(dirname(file), { recursive: true });
        await writeFile(file, resolveFieldRef(pod, item.fieldRef.fieldPath));
      }
    } else {
      throw new PodSpecError(
        'Unsupported',
        `the node agent cannot project ${Object.keys(source).join(', ')} in volume ${volume.name}`,
      );
    }
  }
}

/**
 * Gives each of the pod's volumes a host directory under `podDir/volumes/` (a hostPath
 * volume is its own path) and fills the ones with content. There are no mount namespaces: a
 * process sees the host's file system, so the agent rewrites paths under a mountPath in env
 * values and arguments (see rewriteMountedPath). Returns the container's mounts, longest
 * mountPath first.
 */
export async function prepareVolumes(
  api: KubeApi,
  pod: Pod,
  container: Container,
  podDir: string,
  cache: SourceCache,
): Promise<HostMount[]> {
  const hostDirs = new Map<string, string>();
  for (const volume of pod.spec.volumes ?? []) {
    const dir = join(podDir, 'volumes', volume.name);
    if (volume.hostPath !== undefined) {
      hostDirs.set(volume.name, volume.hostPath.path);
      continue;
    }
    await mkdir(dir, { recursive: true });
    hostDirs.set(volume.name, dir);
    if (volume.emptyDir !== undefined) continue;
    if (volume.configMap !== undefined) await writeSource(api, pod, dir, 'ConfigMap', volume.configMap, cache);
    else if (volume.secret !== undefined) {
      await writeSource(
        api,
        pod,
        dir,
        'Secret',
        { name: volume.secret.secretName, items: volume.secret.items, optional: volume.secret.optional },
        cache,
      );
    } else if (volume.projected !== undefined) await writeProjected(api, pod, dir, volume, cache);
    else {
      const type = Object.keys(volume)
        .filter((key) => key !== 'name')
        .join(', ');
      throw new PodSpecError(
        'Unsupported',
        `volume ${volume.name}: the node agent supports emptyDir, hostPath, configMap, secret and projected volumes, not ${type}`,
      );
    }
  }
  const mounts: HostMount[] = [];
  for (const mount of container.volumeMounts ?? []) {
    const hostDir = hostDirs.get(mount.name);
    if (hostDir === undefined)
      throw new PodSpecError('ConfigError', `volumeMount ${mount.mountPath} names no volume ${mount.name}`);
    const hostPath =
      mount.subPath === undefined || mount.subPath === '' ? hostDir : join(hostDir, normalize(mount.subPath));
    if (mount.subPath !== undefined && mount.subPath !== '') await mkdir(hostPath, { recursive: true }).catch(() => {});
    mounts.push({ mountPath: mount.mountPath.replace(/\/+$/, '') || '/', hostPath });
  }
  return mounts.sort((a, b) => b.mountPath.length - a.mountPath.length);
}

/**
 * `value` with a leading mountPath replaced by its host path (`/scratch/x` becomes
 * `<pod dir>/volumes/scratch/x`); other values unchanged. Only whole path components match.
 */
export function rewriteMountedPath(value: string, mounts: readonly HostMount[]): string {
  for (const { mountPath, hostPath } of mounts) {
    if (value === mountPath) return hostPath;
    if (value.startsWith(`${mountPath}/`)) return join(hostPath, value.slice(mountPath.length + 1));
  }
  return value;
}
