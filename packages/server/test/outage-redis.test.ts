import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, openPlatform, type Platform } from '@cairn/core';
import { H, T0, writeFeatureProject } from '../../core/src/features/testing/feature-project.js';
import { startFaultProxy, type FaultProxy } from '../../core/src/testing/fault-proxy.js';
import { freshRedisPrefix, redisAvailable, REDIS_TEST_URI } from '../../core/src/testing/redis.js';
import { buildApp } from '../src/app.js';
import { call } from './helpers.js';

const available = await redisAvailable();
const reason = available ? '' : ' (skipped: no Redis on 127.0.0.1:6379; CI=true requires one)';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// A server whose Redis online store is reached through a fault proxy: Redis is refused, dropped and
// stalled without touching the shared server; serving must answer 503 and recover by itself.
describe.skipIf(!available)(`a server whose online store (Redis) goes away or hangs${reason}`, () => {
  let proxy: FaultProxy;
  let admin: Redis;
  let keys: ReturnType<typeof freshRedisPrefix>;
  let platform: Platform;
  let app: FastifyInstance;
  let dir: string;

  beforeAll(async () => {
    const target = new URL(REDIS_TEST_URI);
    proxy = await startFaultProxy({ host: target.hostname, port: Number(target.port || 6379) });
    admin = new Redis(REDIS_TEST_URI);
    keys = freshRedisPrefix(admin);
    dir = mkdtempSync(join(tmpdir(), 'cairn-redis-outage-'));
    const config = loadConfig({
      cwd: dir, env: {},
      overrides: {
        store: { uri: `sqlite:${join(dir, 'cairn.db')}` }, artifact: { uri: join(dir, 'artifacts') },
        features: { online_store: { uri: `redis://${proxy.address}${target.pathname}`, key_prefix: keys.prefix, read_timeout_ms: 300, write_timeout_ms: 1000 } },
      },
    });
    platform = await openPlatform(config);
    app = buildApp(platform, { logger: false });
    await writeFeatureProject(dir);
    await platform.features.apply();
    await platform.features.materialize(T0, T0 + 5 * H);
  });
  afterEach(async () => {
    await proxy.heal();
  });
  afterAll(async () => {
    await app?.close();
    await platform?.close();
    await proxy?.close();
    await keys?.clean();
    admin?.disconnect();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const read = () => call(app, 'POST', '/api/v1/features/online', { entities: [{ driver_id: 1 }], features: ['driver_stats:trips'], at: T0 + 5 * H });
  const push = () => call(app, 'POST', '/api/v1/features/push', { source: 'clicks', rows: [{ driver_id: 3, event_timestamp: T0, clicks: 7 }], to: 'online' });

  async function serves(): Promise<void> {
    const res = await read();
    expect(res.status, res.raw).toBe(200);
    expect(res.body.results[0].values).toEqual([1005]);
  }

  // Recovery is by the client's own reconnects (backing off to one try every 2 s): wait for it, without a restart.
  async function recovers(): Promise<void> {
    const end = Date.now() + 30_000;
    for (;;) {
      const res = await read();
      if (res.status === 200) break;
      expect(res.status, res.raw).toBe(503);
      if (Date.now() > end) expect.fail(`still ${res.status} 30 s after Redis came back: ${res.raw}`);
      await sleep(100);
    }
    await serves();
    expect((await push()).status).toBe(200);
  }

  it('answers 503 naming the online store while Redis is down, and recovers by itself once it is back', async () => {
    await serves();
    proxy.refuse();
    proxy.drop();
    for (const res of [await read(), await push()]) {
      expect(res.status, res.raw).toBe(503);
      expect(res.body.error_code).toBe('UNAVAILABLE');
      expect(res.body.message).toMatch(/^The feature online store \(Redis at redis:\/\/127\.0\.0\.1:\d+\/0\) (is unavailable|did not answer)/);
      expect(res.body.message).toMatch(/Retry in a moment/);
    }
    // Down for longer than a client that gives up after a few tries (~1.2 s) would survive.
    await sleep(2500);
    expect((await read()).status).toBe(503);
    await proxy.heal();
    await recovers();
  });

  it('answers 503 within the read and write timeouts while Redis hangs, and recovers when it answers again', async () => {
    await serves();
    proxy.stall();
    const [r, w] = await Promise.all([read(), push()]);
    expect([r.status, w.status]).toEqual([503, 503]);
    expect(r.body.message).toContain('did not answer a read within 300 ms');
    expect(r.body.message).toContain('features.online_store.read_timeout_ms');
    expect(w.body.message).toMatch(/The feature online store \(Redis at [^)]+\) (did not answer a write within 1000 ms|is unavailable)/);
    await proxy.heal();
    await recovers();
  });

  it('recovers by itself from a connection that silently stopped answering (a lost network path)', async () => {
    await serves();
    // The open connection never answers again; new ones work. Nothing heals the held one: the
    // client must give up on it and reconnect.
    proxy.stall('open');
    expect((await read()).status).toBe(503);
    await recovers();
  });

  it('recovers from a hang that ends with the connection lost', async () => {
    await serves();
    proxy.stall();
    expect((await read()).status).toBe(503);
    proxy.drop();
    await proxy.heal();
    await recovers();
  });
});
