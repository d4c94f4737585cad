// Runs the suite compiled by `npm run build`. With no argument: the unit tier, then the
// integration tier (real MinIO, Python references, the test control plane). `unit` or
// `integration` runs one tier; any other arguments are test files or folders under dist/.
// Unit test files run in parallel (they start no outside component: a test holds that);
// integration files one at a time, since they share MinIO, the venv and the control plane.
// Exits non-zero on any failure.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';

const tiers = {
  unit: { dir: 'dist/test/unit', concurrency: Math.max(2, availableParallelism()) },
  integration: { dir: 'dist/test/integration', concurrency: 1 },
};

// Since Node 21, `node --test` reads its arguments as glob patterns and no longer searches a
// folder: a folder (dist/test/integration/storage, say) becomes its `**/*.test.js`.
const pattern = (target) =>
  existsSync(target) && statSync(target).isDirectory() ? `${target.replace(/\/+$/, '')}/**/*.test.js` : target;

function run(targets, concurrency) {
  const result = spawnSync(process.execPath, ['--test', `--test-concurrency=${concurrency}`, ...targets.map(pattern)], {
    stdio: 'inherit',
  });
  return result.status ?? 1;
}

const args = process.argv.slice(2);
const names = args.length === 0 ? ['unit', 'integration'] : args.every((a) => a in tiers) ? args : undefined;
if (names === undefined) process.exit(run(args, 1));
for (const name of names) {
  const { dir, concurrency } = tiers[name];
  if (!existsSync(dir)) {
    console.error(`${dir} is missing: run npm run build first`);
    process.exit(1);
  }
  const status = run([dir], concurrency);
  if (status !== 0) process.exit(status);
}
