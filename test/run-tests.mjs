// Runs the whole suite (compiled by `npm run build`): unit tests, then integration tests
// against real components (MinIO, onnxruntime, sharp, pyarrow). Exits non-zero on any failure.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const suites = ['dist/test/unit', 'dist/test/integration'].filter((dir) => existsSync(dir));
const only = process.argv.slice(2);
const targets = only.length > 0 ? only : suites;
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...targets], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
