import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WorkQueue } from '../../../operator/controller/work-queue.js';

describe('WorkQueue', () => {
  it('queues a key once however often it is added', async () => {
    const queue = new WorkQueue();
    queue.add('ns/a');
    queue.add('ns/a');
    queue.add('ns/b');
    assert.equal(queue.length, 2);
    assert.equal(await queue.get(), 'ns/a');
    assert.equal(await queue.get(), 'ns/b');
  });

  it('never hands out a key that is being processed, and requeues it if it changed meanwhile', async () => {
    const queue = new WorkQueue();
    queue.add('ns/a');
    const key = await queue.get();
    queue.add('ns/a');
    assert.equal(queue.length, 0, 'held back while processing');
    queue.done(key!);
    assert.equal(queue.length, 1);
    assert.equal(await queue.get(), 'ns/a');
  });

  it('re-adds a key after a delay, keeping the earliest of two delays', async () => {
    const timers: Array<{ fn: () => void; ms: number }> = [];
    const queue = new WorkQueue({
      setTimer: (fn, ms) => (timers.push({ fn, ms }), { id: timers.length }),
      clearTimer: () => {},
    });
    queue.addAfter('ns/a', 10_000);
    queue.addAfter('ns/a', 20_000);
    assert.equal(timers.length, 1);
    timers[0]!.fn();
    assert.equal(await queue.get(), 'ns/a');
  });

  it('wakes a waiting worker when a key arrives and releases workers on shutdown', async () => {
    const queue = new WorkQueue();
    const waiting = queue.get();
    queue.add('ns/x');
    assert.equal(await waiting, 'ns/x');
    const idle = queue.get();
    queue.shutDown();
    assert.equal(await idle, undefined);
  });
});
