import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { freshRedisPrefix, redisAvailable, REDIS_TEST_URI } from '../../testing/redis.js';
import { onlineStoreContract } from './online-store.contract.js';
import { encodeEntityKey } from './online-store.js';
import { RedisOnlineStore, type RedisClient } from './redis/redis-online-store.js';
import { SqliteOnlineStore } from './sqlite/sqlite-online-store.js';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe('online store contract: SQLite', () => {
  onlineStoreContract(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-online-'));
    const store = new SqliteOnlineStore(new BetterSqlite3(join(dir, 'online.db')));
    cleanups.push(async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); });
    return store;
  });
});

const redisUp = await redisAvailable();
describe.skipIf(!redisUp)('online store contract: Redis', () => {
  const admin = redisUp ? new Redis(REDIS_TEST_URI) : null;
  cleanups.push(async () => { admin?.disconnect(); });
  const make = async () => {
    const { prefix, clean } = freshRedisPrefix(admin!);
    const store = new RedisOnlineStore(new Redis(REDIS_TEST_URI) as unknown as RedisClient, { keyPrefix: prefix });
    cleanups.push(async () => { await clean(); await store.close(); });
    return { store, prefix };
  };
  onlineStoreContract(async () => (await make()).store);

  it('answers any number of views and entities in one round trip', async () => {
    const { prefix, clean } = freshRedisPrefix(admin!);
    const client = new Redis(REDIS_TEST_URI);
    let execs = 0;
    const counting: RedisClient = {
      pipeline: () => {
        const p = client.pipeline();
        const exec = p.exec.bind(p);
        return Object.assign(p, { exec: () => { execs++; return exec(); } }) as unknown as ReturnType<RedisClient['pipeline']>;
      },
      hmget: (k, ...f) => { execs++; return client.hmget(k, ...f); },
      script: (c, s) => client.script(c, s),
      scan: (...a) => client.scan(...a),
      hdel: (k, ...f) => client.hdel(k, ...f),
      quit: () => client.quit(),
    };
    const store = new RedisOnlineStore(counting, { keyPrefix: prefix });
    const keys = Array.from({ length: 100 }, (_, i) => encodeEntityKey([i]));
    for (let v = 0; v < 5; v++) await store.write(`view${v}`, 'id', keys.map((key, i) => ({ key, eventTs: i, createdTs: null, valuesJson: JSON.stringify({ v }) })));
    execs = 0;
    const got = await store.read(Array.from({ length: 5 }, (_, v) => ({ view: `view${v}`, keyspace: 'id', keys })));
    expect(execs).toBe(1);
    expect(got.map((r) => JSON.parse(r[99]!.valuesJson).v)).toEqual([0, 1, 2, 3, 4]);
    execs = 0;
    await store.read(Array.from({ length: 5 }, (_, v) => ({ view: `view${v}`, keyspace: 'id', keys: [keys[7]!] })));
    expect(execs).toBe(1);
    await clean();
    await store.close();
  });
});
