import type { KubeApi } from './kube-api.js';
import { PodSpecError } from './pod-spec-error.js';

export type ConfigSourceKind = 'Secret' | 'ConfigMap';

/**
 * The data of a Secret or ConfigMap as bytes (Secret data decoded from base64, ConfigMap
 * data and binaryData merged), or undefined when it does not exist. Fetched once per pod
 * start through `cache`.
 */
export async function readConfigSource(
  api: KubeApi,
  namespace: string,
  kind: ConfigSourceKind,
  name: string,
  cache: Map<string, Promise<Record<string, Buffer> | undefined>>,
): Promise<Record<string, Buffer> | undefined> {
  const key = `${kind}/${name}`;
  let pending = cache.get(key);
  if (pending === undefined) {
    const resource = kind === 'Secret' ? 'secrets' : 'configmaps';
    pending = api
      .find<{ data?: Record<string, string>; binaryData?: Record<string, string> }>(
        `/api/v1/namespaces/${encodeURIComponent(namespace)}/${resource}/${encodeURIComponent(name)}`,
      )
      .then((object) => {
        if (object === undefined) return undefined;
        const data: Record<string, Buffer> = {};
        for (const [k, v] of Object.entries(object.data ?? {}))
          data[k] = kind === 'Secret' ? Buffer.from(v, 'base64') : Buffer.from(v, 'utf8');
        for (const [k, v] of Object.entries(object.binaryData ?? {})) data[k] = Buffer.from(v, 'base64');
        return data;
      });
    cache.set(key, pending);
  }
  return pending;
}

/** One key of a Secret or ConfigMap; undefined only when `optional` allows it to be missing. */
export async function readConfigKey(
  api: KubeApi,
  namespace: string,
  kind: ConfigSourceKind,
  selector: { name: string; key: string; optional?: boolean },
  cache: Map<string, Promise<Record<string, Buffer> | undefined>>,
): Promise<Buffer | undefined> {
  const data = await readConfigSource(api, namespace, kind, selector.name, cache);
  const value = data?.[selector.key];
  if (value === undefined && selector.optional !== true) {
    throw new PodSpecError(
      'ConfigError',
      data === undefined
        ? `${kind.toLowerCase()} "${selector.name}" not found`
        : `couldn't find key ${selector.key} in ${kind} ${namespace}/${selector.name}`,
    );
  }
  return value;
}
