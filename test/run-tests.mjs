// Runs the whole suite (compiled by `npm run build`): unit tests, then integration tests
// against real components (MinIO, onnxruntime, sharp, pyarrow). Exits non-zero on any failure.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const suites = ['dist/test/unit', 'dist/test/integration'].filter((dir) => existsSync(dir));
const only = process.argv.slice(2);
// Since Node 21, `node --test` reads its arguments as glob patterns and no longer searches a
// folder: a folder (dist/test/integration/storage, say) becomes its `**/*.test.js`.
const pattern = (target) =>
  existsSync(target) && statSync(target).isDirectory() ? `${target.replace(/\/+$/, '')}/**/*.test.js` : target;
const targets = (only.length > 0 ? only : suites).map(pattern);
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...targets], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
