import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, openPlatform, type Platform } from '@cairn/core';
import { startFaultProxy, type FaultProxy } from '../../core/src/testing/fault-proxy.js';
import { freshPostgresUri, PG_BASE_URI, postgresAvailable } from '../../core/src/testing/postgres.js';
import { buildApp } from '../src/app.js';
import { call, seedRun } from './helpers.js';

const available = await postgresAvailable();
const reason = available ? '' : ' (skipped: no PostgreSQL on 127.0.0.1:5432; CI=true requires one)';
const MLFLOW = '/api/2.0/mlflow';

async function until(check: () => Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

// A Cairn server on PostgreSQL reached through a fault proxy: the database is refused, dropped and
// stalled without touching the shared server, and the app must answer 503 and recover by itself.
describe.skipIf(!available)(`a server whose PostgreSQL goes away or hangs${reason}`, () => {
  let proxy: FaultProxy;
  let admin: pg.Client;
  let platform: Platform;
  let app: FastifyInstance;
  let dir: string;
  let schema: ReturnType<typeof freshPostgresUri>;
  let seeded: { experimentId: string; runId: string };

  beforeAll(async () => {
    const target = new URL(PG_BASE_URI);
    proxy = await startFaultProxy({ host: target.hostname, port: Number(target.port || 5432) });
    admin = new pg.Client({ connectionString: PG_BASE_URI });
    await admin.connect();
    schema = freshPostgresUri('outage');
    const viaProxy = new URL(schema.uri);
    viaProxy.host = proxy.address;
    dir = mkdtempSync(join(tmpdir(), 'cairn-outage-'));
    const config = loadConfig({
      cwd: dir, env: {},
      overrides: {
        store: { uri: viaProxy.toString(), max_connections: 3, statement_timeout_ms: 500, connect_timeout_ms: 1000 },
        artifact: { uri: join(dir, 'artifacts') },
      },
    });
    platform = await openPlatform(config);
    app = buildApp(platform, { logger: false });
    await app.listen({ host: '127.0.0.1', port: 0 });
    seeded = await seedRun(app, 'outage');
  });
  afterEach(async () => {
    await proxy.heal();
  });
  afterAll(async () => {
    await app?.close();
    await platform?.close();
    await proxy?.close();
    await schema?.drop();
    await admin?.end();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // One read and one write on each API family.
  const requests = () => [
    { api: 'v1', method: 'GET', url: `/api/v1/runs/${seeded.runId}` },
    { api: 'v1', method: 'POST', url: '/api/v1/runs', body: { experimentId: seeded.experimentId } },
    { api: 'mlflow', method: 'GET', url: `${MLFLOW}/runs/get?run_id=${seeded.runId}` },
    { api: 'mlflow', method: 'POST', url: `${MLFLOW}/runs/log-metric`, body: { run_id: seeded.runId, key: 'm', value: 1, timestamp: 1, step: 0 } },
  ];

  async function expectUnavailable(message: RegExp): Promise<void> {
    for (const r of requests()) {
      const res = await call(app, r.method, r.url, r.body);
      expect(res.status, `${r.method} ${r.url}: ${res.raw}`).toBe(503);
      expect(res.body.error_code).toBe(r.api === 'v1' ? 'UNAVAILABLE' : 'TEMPORARILY_UNAVAILABLE');
      expect(res.body.message).toMatch(message);
    }
  }

  async function expectServing(): Promise<void> {
    for (const r of requests()) {
      const res = await call(app, r.method, r.url, r.body);
      expect(res.status, `${r.method} ${r.url}: ${res.raw}`).toBeLessThan(300);
    }
  }

  it('answers 503 (MLflow: TEMPORARILY_UNAVAILABLE) while PostgreSQL is down, and serves again by itself once it is back', async () => {
    await expectServing();
    proxy.refuse();
    proxy.drop();
    await expectUnavailable(/The metadata database \(PostgreSQL at [^)]+\) is unavailable: .*Retry in a moment/);
    await proxy.heal();
    await expectServing();
  });

  it('answers 503 in bounded time while PostgreSQL hangs, never exhausts the pool, and recovers when it answers again', async () => {
    await expectServing();
    proxy.stall();
    // More requests at once than the pool has connections (3).
    const answers = await Promise.all(Array.from({ length: 8 }, () => call(app, 'GET', `/api/v1/runs/${seeded.runId}`)));
    for (const res of answers) {
      expect(res.status, res.raw).toBe(503);
      expect(res.body.message).toMatch(/metadata database/);
    }
    await expectUnavailable(/metadata database/);
    await proxy.heal();
    await expectServing();
  });

  it('recovers by itself from pooled connections that silently stopped answering (a lost network path)', async () => {
    await expectServing();
    // Open connections never answer again; new ones work. Nothing heals the held ones.
    proxy.stall('open');
    const end = Date.now() + 30_000;
    for (;;) {
      const res = await call(app, 'GET', `/api/v1/runs/${seeded.runId}`);
      if (res.status === 200) break;
      expect(res.status, res.raw).toBe(503);
      if (Date.now() > end) expect.fail(`still 503 30 s after the connections went silent: ${res.raw}`);
    }
    await expectServing();
  });

  describe('a query blocked behind a lock', () => {
    let locker: pg.Client;
    beforeAll(async () => {
      locker = new pg.Client({ connectionString: PG_BASE_URI });
      await locker.connect();
    });
    afterAll(async () => locker?.end());

    // Backends of this server's pool waiting on the lock the test holds.
    const blocked = async () => {
      const { rows } = await admin.query('select count(*)::int as n from pg_stat_activity where $1 = any(pg_blocking_pids(pid))', [(locker as unknown as { processID: number }).processID]);
      return rows[0].n as number;
    };
    const lockRuns = async () => {
      await locker.query('begin');
      await locker.query(`lock table ${schema.schema}.runs in access exclusive mode`);
    };

    it('ends a request whose query runs past store.statement_timeout_ms with 503, and the query stops on the server', async () => {
      await lockRuns();
      try {
        const res = await call(app, 'POST', '/api/v1/runs/search', { experimentIds: [seeded.experimentId] });
        expect(res.status, res.raw).toBe(503);
        expect(res.body.message).toContain('did not finish the query within 500 ms');
        expect(await blocked()).toBe(0);
      } finally {
        await locker.query('rollback');
      }
    });

    it('cancels the query of a request whose client disconnects', async () => {
      // No statement timeout here: only the disconnect can stop the query.
      await app.close();
      await platform.close();
      const viaProxy = new URL(schema.uri);
      viaProxy.host = proxy.address;
      platform = await openPlatform(loadConfig({ cwd: dir, env: {}, overrides: { store: { uri: viaProxy.toString(), statement_timeout_ms: 0 }, artifact: { uri: join(dir, 'artifacts') } } }));
      app = buildApp(platform, { logger: false });
      await app.listen({ host: '127.0.0.1', port: 0 });
      const { port } = app.server.address() as { port: number };
      await lockRuns();
      try {
        const req = request({ host: '127.0.0.1', port, method: 'POST', path: `${MLFLOW}/runs/search`, headers: { 'content-type': 'application/json' } });
        req.on('error', () => {});
        req.end(JSON.stringify({ experiment_ids: [seeded.experimentId] }));
        await until(async () => (await blocked()) === 1, 'the search waits on the lock');
        req.destroy();
        await until(async () => (await blocked()) === 0, 'the abandoned search is cancelled');
      } finally {
        await locker.query('rollback');
      }
      await expectServing();
    });
  });
});
