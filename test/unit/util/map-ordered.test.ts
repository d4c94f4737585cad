import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mapOrdered } from '../../../executor/util/map-ordered.js';
import { Semaphore } from '../../../executor/util/semaphore.js';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('mapOrdered', () => {
  test('yields results in input order even when later items finish first', async () => {
    const gates = [deferred(), deferred(), deferred()];
    const results: number[] = [];
    const consumer = (async () => {
      for await (const value of mapOrdered([0, 1, 2], 3, async (item) => {
        await gates[item]?.promise;
        return item * 10;
      }))
        results.push(value);
    })();
    gates[2]?.resolve();
    gates[1]?.resolve();
    gates[0]?.resolve();
    await consumer;
    assert.deepEqual(results, [0, 10, 20]);
  });

  test('never has more than `concurrency` calls in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const items = Array.from({ length: 20 }, (_, i) => i);
    for await (const _ of mapOrdered(items, 4, async () => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight -= 1;
    }))
      void _;
    assert.equal(peak, 4);
  });

  test('surfaces a failure when the consumer reaches the failed item', async () => {
    const seen: number[] = [];
    await assert.rejects(async () => {
      for await (const value of mapOrdered([1, 2, 3], 2, async (item) => {
        if (item === 2) throw new Error('boom');
        return item;
      }))
        seen.push(value);
    }, /boom/);
    assert.deepEqual(seen, [1]);
  });
});

describe('Semaphore', () => {
  test('lets at most `permits` callers into the section at once', async () => {
    const semaphore = new Semaphore(2);
    let inside = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 8 }, () =>
        semaphore.run(async () => {
          inside += 1;
          peak = Math.max(peak, inside);
          await new Promise((resolve) => setImmediate(resolve));
          inside -= 1;
        }),
      ),
    );
    assert.equal(peak, 2);
  });
});
