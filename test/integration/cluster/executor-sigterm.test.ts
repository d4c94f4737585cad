import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { ExecutorExitCodes } from '../../../executor/cluster/executor-exit-codes.js';
import { runExecutor } from '../../../executor/cluster/run-executor.js';
import { createLogger } from '../../../executor/log/logger.js';
import { S3Store } from '../../../executor/storage/s3-store.js';
import { startMinio, type MinioServer } from '../../support/minio-server.js';
import { cliEnv, runCli } from '../../support/run-cli.js';
import { startS3FaultProxy } from '../../support/s3-fault-proxy.js';
import { uploadDirectory } from '../../support/upload-directory.js';
import { writePlainImages } from '../../support/write-test-images.js';

/**
 * `featurejob executor extract` as a pod runs it, sent SIGTERM (pod deletion, drain,
 * preemption) while it fetches: it must stop before committing, leave no file of its
 * attempt but the tail of its log, and exit 143, which the Job's pod failure policy ignores
 * (docs/reliability.md).
 */
describe('an executor sent SIGTERM mid-partition', () => {
  let minio: MinioServer;
  let root: string;
  const settings = {
    version: 1,
    input: 's3://photos/train',
    output: 's3://features/sigterm',
    format: 'parquet',
    weights: 'random',
    imagesPerPartition: 64,
    threads: 1,
    batchSize: 2,
    fetchConcurrency: 1,
  };

  before(async () => {
    minio = await startMinio();
    await minio.createBucket('photos');
    await minio.createBucket('features');
    root = await mkdtemp(join(tmpdir(), 'fj-sigterm-'));
    await writePlainImages(join(root, 'images'), { count: 12 });
    await uploadDirectory(
      join(root, 'images'),
      new S3Store({ client: minio.client, bucket: 'photos', prefix: 'train' }),
    );
    const env = { ...minio.env(), FEATUREJOB_EXECUTOR_CONFIG: JSON.stringify(settings) };
    const saved = { ...process.env };
    Object.assign(process.env, minio.env());
    try {
      await runExecutor({ mode: 'plan', env, logger: createLogger({ level: 'silent' }) });
    } finally {
      process.env = saved;
    }
  });
  after(async () => {
    await minio?.stop();
    await rm(root, { recursive: true, force: true });
  });

  test('stops before committing, leaves nothing of its attempt but its log tail, names the log and exits 143', async () => {
    let termination = '';
    // Each image read takes a second, so the signal lands while the partition is being fetched.
    const proxy = await startS3FaultProxy(minio.endpoint, [
      {
        match: (request) => request.method === 'GET' && request.path.startsWith('/photos/'),
        faults: [{ kind: 'latency', ms: 1000 }],
        cycle: true,
      },
    ]);
    try {
      let pid = 0;
      const env = cliEnv({
        ...minio.env(),
        AWS_ENDPOINT_URL_S3: proxy.endpoint,
        FEATUREJOB_EXECUTOR_CONFIG: JSON.stringify(settings),
        JOB_COMPLETION_INDEX: '0',
      });
      const running = runCli(['executor', 'extract'], { env, onStart: (started) => (pid = started) });
      while (proxy.injected.latency < 2) await sleep(50);
      process.kill(pid, 'SIGTERM');
      const result = await running;
      assert.equal(result.code, ExecutorExitCodes.interrupted, result.stderr);
      assert.match(result.stderr, /"code":"FJ_ATTEMPT_INTERRUPTED"/);
      termination = result.stderr.trim().split('\n').at(-1) ?? '';
      assert.ok(proxy.injected.latency < 12, `stopped fetching: ${proxy.injected.latency} of 12 images read`);
    } finally {
      await proxy.stop();
    }
    const output = new S3Store({ client: minio.client, bucket: 'features', prefix: 'sigterm' });
    const left: string[] = [];
    for await (const object of output.list()) left.push(object.key);
    const logs = left.filter((key) => key.startsWith('_featurejob/logs/'));
    assert.deepEqual(
      left.filter((key) => !key.startsWith('_featurejob/plan') && !logs.includes(key)),
      [],
      'no commit marker, shard or error file of the interrupted attempt',
    );
    assert.equal(logs.length, 1, left.join(', '));
    assert.match(logs[0] ?? '', /^_featurejob\/logs\/part-00000-a[0-9a-z]+\.log$/);
    const log = new TextDecoder().decode(await output.get(logs[0] ?? ''));
    assert.match(log, /SIGTERM: stopping before commit/);
    assert.match(log, /"code":"FJ_ATTEMPT_INTERRUPTED"/);
    // The termination message (its stderr copy) names the log for the operator's condition and Event.
    assert.equal(JSON.parse(termination).logUri, output.uriOf(logs[0] ?? ''));
  });
});
