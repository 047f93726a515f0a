import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { InferenceLogger, InferenceSpool, ModelServer, loadConfig, openPlatform, type Platform } from '@cairn/core';
import { registerJsonModel } from '@cairn/core/testing/serving';
import { startFaultProxy, type FaultProxy } from '../../core/src/testing/fault-proxy.js';
import { freshPostgresUri, PG_BASE_URI, postgresAvailable } from '../../core/src/testing/postgres.js';
import { buildServingApp } from '../src/serving/serving-app.js';

const available = await postgresAvailable();
const reason = available ? '' : ' (skipped: no PostgreSQL on 127.0.0.1:5432; CI=true requires one)';

// A model server logging to PostgreSQL (serving.inference_log.store: database) reached through a
// fault proxy: the database goes away while requests keep coming, and comes back. Every answered
// request must end up in the log exactly once, written from the spool once the database is back.
describe.skipIf(!available)(`the inference log while its PostgreSQL is away${reason}`, () => {
  let proxy: FaultProxy;
  let schema: ReturnType<typeof freshPostgresUri>;
  let platform: Platform;
  let server: ModelServer;
  let logger: InferenceLogger;
  let app: FastifyInstance;
  let url: string;
  let dir: string;

  beforeAll(async () => {
    const target = new URL(PG_BASE_URI);
    proxy = await startFaultProxy({ host: target.hostname, port: Number(target.port || 5432) });
    schema = freshPostgresUri('logoutage');
    const viaProxy = new URL(schema.uri);
    viaProxy.host = proxy.address;
    dir = mkdtempSync(join(tmpdir(), 'cairn-log-outage-'));
    const config = loadConfig({
      cwd: dir, env: {},
      overrides: {
        store: { uri: viaProxy.toString(), max_connections: 3, statement_timeout_ms: 1000, connect_timeout_ms: 500 },
        artifact: { uri: join(dir, 'artifacts') },
        serving: { inference_log: { store: 'database' } },
      },
    });
    platform = await openPlatform(config);
    await registerJsonModel(platform, 'away');
    logger = new InferenceLogger(platform.inferenceLog, { sampleRate: 1, batchRows: 10, flushMs: 20, maxBufferRows: 10_000, spool: new InferenceSpool(join(dir, 'spool')) });
    server = await ModelServer.open(platform, { uri: 'away/1', runtime: { allowUnsafe: false, python: 'python3', pythonTimeoutMs: 5000, onnxThreads: 1 }, aliasPollMs: 60_000, logger });
    app = buildServingApp(platform, server, { logger: false });
    url = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await proxy?.heal();
    await app?.close();
    await server?.close();
    await platform?.close();
    await proxy?.close();
    await schema?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const score = async (i: number) => {
    const res = await fetch(`${url}/invocations`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': `req-${i}` }, body: JSON.stringify({ dataframe_records: [{ x: i }] }) });
    expect(res.status, await res.clone().text()).toBe(200);
    await res.arrayBuffer();
  };

  it('answers every request while the database is away, and logs each one once when it is back', async () => {
    for (let i = 0; i < 10; i++) await score(i);
    await logger.flush();
    expect(logger.stats()).toMatchObject({ written: 10, retrying: 0 });

    proxy.refuse();
    proxy.drop();
    for (let i = 10; i < 40; i++) await score(i);
    await logger.flush();
    expect(logger.stats()).toMatchObject({ written: 10, lost: 0, retrying: 30 });
    const health = await (await fetch(`${url}/health`)).json() as { inferenceLog: { retrying: number; lastError: string | null } };
    expect(health.inferenceLog.retrying).toBe(30);
    expect(health.inferenceLog.lastError).toBeTruthy();

    await proxy.heal();
    for (let i = 40; i < 45; i++) await score(i);
    await vi.waitFor(async () => {
      await logger.flush();
      expect(logger.stats()).toMatchObject({ retrying: 0, backlog: 0 });
    }, { timeout: 30_000, interval: 200 });
    expect(logger.stats()).toMatchObject({ written: 45, lost: 0, lastError: null });

    const admin = new pg.Client({ connectionString: PG_BASE_URI });
    await admin.connect();
    try {
      const { rows } = await admin.query(`select count(*)::int as n, count(distinct request_id)::int as ids from ${schema.schema}.inference_log where model = 'away'`);
      expect(rows[0]).toEqual({ n: 45, ids: 45 });
    } finally {
      await admin.end();
    }
    expect(readdirSync(join(dir, 'spool'))).toEqual([]);
  });
});
