import { describe, expect, it } from 'vitest';
import type { ModelVersion } from './entities.js';
import { ResolveCache } from './resolve-cache.js';

const v = (version: number) => ({ name: 'm', version, tags: { a: 'b' }, aliases: ['champion'] }) as unknown as ModelVersion;

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('ResolveCache', () => {
  it('starts its feed on first use, serves nothing until resumed, then keeps loads (copies) until invalidated', async () => {
    let activations = 0;
    const cache = new ResolveCache({ ttlMs: 60_000, maxEntries: 10, activate: () => activations++ });
    let loads = 0;
    const load = async () => v(++loads);
    expect(activations).toBe(0);
    expect((await cache.get('m', 'champion', load))!.version).toBe(1);
    expect(activations).toBe(1);
    expect((await cache.get('m', 'champion', load))!.version).toBe(2); // suspended: every call loads
    cache.resume();
    const first = await cache.get('m', 'champion', load);
    const hit = await cache.get('m', 'champion', load);
    expect(hit).toEqual(first);
    expect(cache.stats()).toEqual({ active: true, entries: 1, hits: 1, misses: 1 }); // loads while suspended are not counted
    // Each answer is the caller's own: changing one changes neither the cache nor the next answer.
    hit!.tags.a = 'changed';
    first!.tags.a = 'changed too';
    expect((await cache.get('m', 'champion', load))!.tags).toEqual({ a: 'b' });
    cache.invalidate('other');
    expect((await cache.get('m', 'champion', load))!.version).toBe(3);
    cache.invalidate('m');
    expect((await cache.get('m', 'champion', load))!.version).toBe(4);
    cache.suspend();
    expect((await cache.get('m', 'champion', load))!.version).toBe(5);
    expect(cache.stats()).toMatchObject({ active: false, entries: 0 });
  });

  it('does not keep a load that overlapped an invalidation (a read that started before a write)', async () => {
    const cache = new ResolveCache({ ttlMs: 60_000, maxEntries: 10 });
    cache.resume();
    const slow = deferred<ModelVersion>();
    const pending = cache.get('m', 'champion', () => slow.promise);
    cache.invalidate('m'); // the write commits while the old value is in flight
    slow.resolve(v(1));
    expect((await pending)!.version).toBe(1);
    expect((await cache.get('m', 'champion', async () => v(2)))!.version).toBe(2);
    // Same when the feed drops and comes back meanwhile.
    const again = deferred<ModelVersion>();
    cache.invalidate('m');
    const during = cache.get('m', 'champion', () => again.promise);
    cache.suspend();
    cache.resume();
    again.resolve(v(3));
    await during;
    expect((await cache.get('m', 'champion', async () => v(4)))!.version).toBe(4);
  });

  it('never keeps misses, expires entries after the TTL and stays within maxEntries', async () => {
    let now = 0;
    const cache = new ResolveCache({ ttlMs: 1000, maxEntries: 3, now: () => now });
    cache.resume();
    let loads = 0;
    expect(await cache.get('m', 'nothing', async () => (loads++, undefined))).toBeUndefined();
    expect(await cache.get('m', 'nothing', async () => (loads++, undefined))).toBeUndefined();
    expect(loads).toBe(2);
    await cache.get('m', 'champion', async () => v(1));
    now = 999;
    expect((await cache.get('m', 'champion', async () => v(2)))!.version).toBe(1);
    now = 1000;
    expect((await cache.get('m', 'champion', async () => v(3)))!.version).toBe(3);
    for (const name of ['a', 'b', 'c', 'd']) await cache.get(name, 'x', async () => v(10));
    // 'm' and 'a' went first; the newest three stay.
    expect((await cache.get('m', 'champion', async () => v(20)))!.version).toBe(20);
    expect((await cache.get('d', 'x', async () => v(30)))!.version).toBe(10);
  });
});
