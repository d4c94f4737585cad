import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { execFileSync } from 'node:child_process';
import { resolveModel } from '../../../executor/model/resolve-model.js';
import { ensurePlan } from '../../../executor/plan/ensure-plan.js';
import { FileStore } from '../../../executor/storage/file-store.js';
import { testCacheDir } from '../../support/cache-dir.js';
import { assertEachImageOnce, readJobOutput } from '../../support/read-output.js';
import { runCli } from '../../support/run-cli.js';
import { writePlainImages } from '../../support/write-test-images.js';

describe('resuming a job', () => {
  test('a job killed mid-run completes on rerun with each image exactly once', async () => {
    const root = await mkdtemp(join(tmpdir(), 'fj-kill-'));
    try {
      const input = join(root, 'images');
      const out = join(root, 'out');
      const expected = await writePlainImages(input, { count: 12 });
      const args = [
        'run',
        '--weights',
        'random',
        input,
        '--out',
        out,
        '--partitions',
        '4',
        '--batch-size',
        '1',
        '--progress',
        'none',
      ];
      let pid = 0;
      const first = runCli(args, { onStart: (started) => (pid = started) });
      // Kill the whole process group (CLI and its workers) once some, not all, work has committed.
      while ((await committed(out)) === 0) await sleep(50);
      process.kill(-pid, 'SIGKILL');
      const killed = await first;
      assert.equal(killed.signal, 'SIGKILL');
      const committedBefore = await committed(out);
      assert.ok(
        committedBefore >= 1 && committedBefore < 4,
        `killed after ${committedBefore} of 4 partitions committed`,
      );
      assert.ok(!existsSync(join(out, 'manifest.json')), 'no manifest before every partition committed');

      const second = await runCli(args);
      assert.equal(second.code, 0, second.stderr);
      assert.match(second.stdout, new RegExp(`in ${4 - committedBefore} of 4 partitions`));
      const output = await readJobOutput(new FileStore({ dir: out }));
      assertEachImageOnce(output, expected);
      const shards = (await readdir(join(out, 'features'))).filter((name) => name !== '_delta_log');
      assert.equal(shards.length, 4, `only committed shards remain: ${shards.join(', ')}`);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  test('a worker process killed mid-partition (as by the OOM killer) is replaced and its partition retried', async () => {
    const root = await mkdtemp(join(tmpdir(), 'fj-worker-kill-'));
    try {
      const input = join(root, 'images');
      const out = join(root, 'out');
      const expected = await writePlainImages(input, { count: 8 });
      let pid = 0;
      const run = runCli(
        [
          'run',
          '--weights',
          'random',
          input,
          '--out',
          out,
          '--partitions',
          '2',
          '--batch-size',
          '1',
          '--progress',
          'none',
        ],
        {
          onStart: (started) => (pid = started),
        },
      );
      let worker: number | undefined;
      while (worker === undefined) {
        await sleep(50);
        worker = childPids(pid)[0];
      }
      // Once partition 0 has committed the worker is busy with partition 1 (or about to report 0): kill it.
      while ((await committed(out)) === 0) await sleep(20);
      process.kill(worker, 'SIGKILL');
      const result = await run;
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /retried partition attempts: [1-9]/);
      assertEachImageOnce(await readJobOutput(new FileStore({ dir: out })), expected);
      assert.equal((await readdir(join(out, 'features'))).filter((name) => name !== '_delta_log').length, 2);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  test('an image deleted between listing and reading becomes an FJ_OBJECT_MISSING error line', async () => {
    const root = await mkdtemp(join(tmpdir(), 'fj-gone-'));
    try {
      const input = join(root, 'images');
      const out = join(root, 'out');
      const expected = await writePlainImages(input, { count: 4 });
      const model = await resolveModel({ weights: 'random', seed: 0, cacheDir: testCacheDir('featurejob-cache') });
      await ensurePlan({
        input: new FileStore({ dir: input }),
        output: new FileStore({ dir: out }),
        format: 'parquet',
        model: model.info,
        imagesPerPartition: 256,
      });
      await unlink(join(input, 'Banana', 'r0_1.jpg'));
      const result = await runCli(['run', '--weights', 'random', input, '--out', out, '--progress', 'none']);
      assert.equal(result.code, 0, result.stderr);
      expected.set('Banana/r0_1.jpg', 'FJ_OBJECT_MISSING');
      assertEachImageOnce(await readJobOutput(new FileStore({ dir: out })), expected);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

function childPids(parent: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(parent)], { encoding: 'utf8' })
      .split('\n')
      .map((line) => Number(line.trim()))
      .filter((pid) => pid > 0);
  } catch {
    return [];
  }
}

/** Complete commit markers only: a marker being written is a hidden temp file beside them. */
async function committed(out: string): Promise<number> {
  const commits = join(out, '_featurejob', 'commits');
  return existsSync(commits) ? (await readdir(commits)).filter((name) => /^part-\d{5}\.json$/.test(name)).length : 0;
}
