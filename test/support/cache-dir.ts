import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where the test suite caches what it builds or installs (MinIO, the Python venv, models). */
export function testCacheDir(...parts: string[]): string {
  const root = process.env.FEATUREJOB_TEST_CACHE ?? join(homedir(), '.cache', 'featurejob-test');
  return join(root, ...parts);
}
