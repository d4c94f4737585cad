import { runPython } from './python-venv.js';

/** What delta-rs sees of one version of a feature table. */
export interface DeltaVersionView {
  readonly version: number;
  /** Every row's path, in the order read. */
  readonly paths: string[];
  /** Data files of the version, relative to the table root. */
  readonly files: string[];
  /** sha256 of each row's features (float32 bytes), by path. */
  readonly digests: Record<string, string>;
  /** Rows pandas sees when it reads the same version through pyarrow. */
  readonly pandasRows: number;
  readonly dimensions: number[];
}

const READ_TABLE = `
import hashlib, json, sys
import numpy as np
from deltalake import DeltaTable
uri, versions, options = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
views = []
for version in versions:
    table = DeltaTable(uri, version=version, storage_options=options or None)
    arrow = table.to_pyarrow_table()
    paths = arrow.column('path').to_pylist()
    features = arrow.column('features').to_pylist()
    digests = {p: hashlib.sha256(np.asarray(f, dtype='<f4').tobytes()).hexdigest() for p, f in zip(paths, features)}
    root = uri.rstrip('/') + '/'
    files = sorted(f[len(root):] if f.startswith(root) else f for f in table.file_uris())
    frame = table.to_pandas()
    views.append({'version': table.version(), 'paths': paths, 'files': files, 'digests': digests,
                  'pandasRows': len(frame), 'dimensions': sorted({len(f) for f in features})})
print(json.dumps(views))
`;

/**
 * Reads versions of the Delta table at `uri` with delta-rs (`deltalake`), the reader users
 * run, and pandas on top: the table as other tools see it, not as our own code reads it.
 */
export function readDeltaVersions(
  uri: string,
  versions: readonly number[],
  storageOptions: Record<string, string> = {},
): DeltaVersionView[] {
  const out = runPython(READ_TABLE, {
    venv: 'delta',
    args: [uri, JSON.stringify(versions), JSON.stringify(storageOptions)],
  });
  return JSON.parse(out) as DeltaVersionView[];
}

/** delta-rs storage options for a MinIO server (plain http, path-style). */
export function deltaStorageOptions(server: {
  endpoint: string;
  accessKey: string;
  secretKey: string;
  region: string;
}): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: server.endpoint,
    AWS_ACCESS_KEY_ID: server.accessKey,
    AWS_SECRET_ACCESS_KEY: server.secretKey,
    AWS_REGION: server.region,
    AWS_ALLOW_HTTP: 'true',
  };
}
