import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ByteBudget } from '../../../executor/util/byte-budget.js';

/** Lets every settled promise's continuations run. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('ByteBudget', () => {
  test('grants requests that fit together and makes the next one wait until bytes come back', async () => {
    const budget = new ByteBudget(100);
    const releaseA = await budget.acquire(60);
    const releaseB = await budget.acquire(40);
    let cGranted = false;
    const c = budget.acquire(30).then((release) => {
      cGranted = true;
      return release;
    });
    await settle();
    assert.equal(cGranted, false, 'a request that does not fit waits');
    assert.equal(budget.stats.heldBytes, 100);
    releaseB();
    releaseB(); // releasing twice gives nothing back twice
    await settle();
    assert.equal(cGranted, true);
    assert.equal(budget.stats.heldBytes, 90);
    (await c)();
    releaseA();
    assert.deepEqual(budget.stats, { heldBytes: 0, peakHeldBytes: 100, peakHolders: 2, granted: 3, waited: 1 });
  });

  test('serves waiters first come, first served: a large one is not overtaken by later small ones', async () => {
    const budget = new ByteBudget(100);
    const releaseFirst = await budget.acquire(50);
    const order: string[] = [];
    const granted =
      (name: string) =>
      (release: () => void): (() => void) => {
        order.push(name);
        return release;
      };
    const large = budget.acquire(80).then(granted('large'));
    const small = budget.acquire(10).then(granted('small'));
    await settle();
    assert.deepEqual(order, [], 'the small request fits but waits behind the large one');
    releaseFirst();
    await settle();
    assert.deepEqual(order, ['large', 'small']);
    (await large)();
    (await small)();
  });

  test('grants a request larger than the whole budget once nothing is held, and holds it alone', async () => {
    const budget = new ByteBudget(100);
    const releaseSmall = await budget.acquire(20);
    let hugeGranted = false;
    const huge = budget.acquire(250).then((release) => {
      hugeGranted = true;
      return release;
    });
    await settle();
    assert.equal(hugeGranted, false);
    releaseSmall();
    await settle();
    assert.equal(hugeGranted, true);
    let nextGranted = false;
    const next = budget.acquire(1).then((release) => {
      nextGranted = true;
      return release;
    });
    await settle();
    assert.equal(nextGranted, false, 'nothing joins an oversized holder');
    (await huge)();
    await settle();
    assert.equal(nextGranted, true);
    (await next)();
    assert.equal(budget.stats.peakHeldBytes, 250);
  });

  test('run gives the bytes back when the section throws', async () => {
    const budget = new ByteBudget(10);
    await assert.rejects(
      budget.run(10, async () => {
        throw new Error('decode failed');
      }),
      /decode failed/,
    );
    assert.equal(budget.stats.heldBytes, 0);
    assert.throws(() => new ByteBudget(0), RangeError);
    await assert.rejects(budget.acquire(-1), RangeError);
  });
});
