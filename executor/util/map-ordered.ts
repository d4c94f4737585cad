/**
 * Maps `items` through an async `fn` with at most `concurrency` calls in flight, yielding
 * results in input order. Work runs ahead of the consumer by up to `concurrency` items, so a
 * slow consumer (inference) overlaps with the producer (fetch + decode).
 */
export async function* mapOrdered<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
): AsyncGenerator<R> {
  const window: Promise<R>[] = [];
  let next = 0;
  const startNext = (): void => {
    const index = next;
    next += 1;
    const promise = fn(items[index] as T, index);
    // Rejections surface when the consumer reaches this item; avoid unhandled-rejection noise meanwhile.
    promise.catch(() => undefined);
    window.push(promise);
  };
  while (next < items.length && window.length < concurrency) startNext();
  while (window.length > 0) {
    const result = await (window.shift() as Promise<R>);
    if (next < items.length) startNext();
    yield result;
  }
}
