import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.js';
import { openPlatform, type Platform } from '../platform.js';
import { makeTestPlatform, backendAvailable, type TestPlatform } from '../testing/platforms.js';
import { expectCode, seedModelRun, sleep } from './testing/registry-fixtures.js';

// Two server replicas on one PostgreSQL schema: each caches resolved aliases; writes in one must
// reach the other through LISTEN/NOTIFY within a short bound, and be seen at once by the writer.
describe('resolve cache across replicas (PostgreSQL)', () => {
  let t: TestPlatform | undefined;
  let a: Platform;
  let b: Platform;
  let skip = false;
  beforeAll(async () => {
    skip = !(await backendAvailable('postgres'));
    if (skip) return;
    t = await makeTestPlatform('postgres');
    a = t.platform;
    b = await openPlatform(loadConfig({ cwd: t.dir, env: {}, overrides: { store: { uri: t.storeUri }, artifact: { uri: join(t.dir, 'artifacts') } } }));
  });
  afterAll(async () => {
    await b?.close();
    await t?.cleanup();
  });

  /** Resolves on `p` until `check` holds, for at most `ms`; returns how long it took. */
  async function within(p: Platform, uri: string, check: (v: { version: number; tags: Record<string, string> } | null) => boolean, ms = 1000): Promise<number> {
    const start = Date.now();
    for (;;) {
      const v = await p.registry.resolve(uri).catch(() => null);
      if (check(v)) return Date.now() - start;
      if (Date.now() - start > ms) throw new Error(`${uri} did not change within ${ms} ms (still ${v?.version})`);
      await sleep(5);
    }
  }

  /** Until the platform's cache serves `uri` from memory (its listener is up). */
  async function cached(p: Platform, uri: string): Promise<void> {
    for (let i = 0; i < 200; i++) {
      await p.registry.resolve(uri);
      const before = p.registry.resolveCacheStats()!;
      await p.registry.resolve(uri);
      if (p.registry.resolveCacheStats()!.hits === before.hits + 1) return;
      await sleep(10);
    }
    expect.fail(`${uri} is never served from the cache`);
  }

  it('a promotion on one replica is resolved by the other within 1 s; the writer sees it at once', async (ctx) => {
    if (skip) return ctx.skip();
    await a.registry.createModel({ name: 'churn' });
    const run = await seedModelRun(a);
    for (let i = 0; i < 3; i++) await a.registry.versions.create({ name: 'churn', source: `runs:/${run.runId}/model` });
    await a.registry.aliases.set('churn', 'champion', 1);
    await cached(a, 'churn@champion');
    await cached(b, 'churn@champion');
    expect((await b.registry.resolve('churn@champion')).version).toBe(1);

    const promotion = await a.registry.gates.promote('churn', 2, 'champion');
    expect(promotion.moved).toBe(true);
    expect((await a.registry.resolve('churn@champion')).version).toBe(2); // the writer: immediately
    expect((await a.registry.aliases.get('churn', 'champion')).version).toBe(2);
    const took = await within(b, 'churn@champion', (v) => v?.version === 2);
    expect(took).toBeLessThan(1000);

    // And the other way round, for a change to the version itself (its tags).
    await cached(a, 'churn@champion');
    await b.registry.versions.setTag('churn', 2, 'validation', 'passed');
    expect((await b.registry.resolve('churn@champion')).tags).toEqual({ validation: 'passed' });
    await within(a, 'churn@champion', (v) => v?.tags.validation === 'passed');
  });

  it('every kind of write is visible to the writer immediately: alias delete, rename, version delete, model delete', async (ctx) => {
    if (skip) return ctx.skip();
    await a.registry.createModel({ name: 'fraud' });
    const run = await seedModelRun(a);
    for (let i = 0; i < 2; i++) await a.registry.versions.create({ name: 'fraud', source: `runs:/${run.runId}/model` });
    await a.registry.aliases.set('fraud', 'staging', 1);
    await cached(a, 'fraud@staging');
    await a.registry.aliases.set('fraud', 'staging', 2);
    expect((await a.registry.resolve('fraud@staging')).version).toBe(2);
    await a.registry.aliases.delete('fraud', 'staging');
    await expectCode(a.registry.resolve('fraud@staging'), 'NOT_FOUND');

    await a.registry.aliases.set('fraud', 'staging', 2);
    await cached(a, 'fraud@staging');
    await cached(b, 'fraud@staging');
    await a.registry.renameModel('fraud', 'fraud-v2');
    await expectCode(a.registry.resolve('fraud@staging'), 'NOT_FOUND');
    expect((await a.registry.resolve('fraud-v2@staging')).name).toBe('fraud-v2');
    await within(b, 'fraud@staging', (v) => v === null);

    await cached(a, 'fraud-v2@staging');
    await a.registry.versions.delete('fraud-v2', 2);
    await expectCode(a.registry.resolve('fraud-v2@staging'), 'NOT_FOUND');
    await a.registry.aliases.set('fraud-v2', 'staging', 1);
    await cached(a, 'fraud-v2@staging');
    await a.registry.deleteModel('fraud-v2');
    await expectCode(a.registry.resolve('fraud-v2@staging'), 'NOT_FOUND');
  });

  it('opens one LISTEN connection per process on first resolve, and closes it with the platform', async (ctx) => {
    if (skip || !t) return ctx.skip();
    const listeners = async () => {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where application_name = ${`cairn-listener:${new URL(t!.storeUri).searchParams.get('schema')}`}`.execute(a.database.db);
      return rows[0]!.n;
    };
    expect(await listeners()).toBe(2); // a and b have resolved above
    const c = await openPlatform(loadConfig({ cwd: t.dir, env: {}, overrides: { store: { uri: t.storeUri }, artifact: { uri: join(t.dir, 'artifacts') } } }));
    expect(await listeners()).toBe(2); // nothing resolved yet: no connection
    await cached(c, 'churn@champion');
    expect(await listeners()).toBe(3);
    await c.close();
    for (let i = 0; (await listeners()) !== 2; i++) {
      if (i > 100) expect.fail('the listener outlived its platform');
      await sleep(20);
    }
  });
});
