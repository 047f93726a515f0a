import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isCairnError } from '../../errors.js';
import { startFaultProxy, type FaultProxy } from '../../testing/fault-proxy.js';
import { PG_BASE_URI, postgresAvailable } from '../../testing/postgres.js';
import type { Database } from '../schema.js';
import { createPostgresDatabase, type PostgresOptions } from './postgres-database.js';

const available = await postgresAvailable();
const reason = available ? '' : ' (skipped: no PostgreSQL on 127.0.0.1:5432; CI=true requires one)';

async function until(check: () => Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const failure = async (p: Promise<unknown>) => p.then(() => expect.fail('expected a failure'), (e: unknown) => e as Error & { code: string });

// The real PostgreSQL behind a fault proxy: refused, dropped and stalled connections without touching the server.
describe.skipIf(!available)(`GuardedPool through a fault proxy${reason}`, () => {
  let proxy: FaultProxy;
  let admin: pg.Client;
  const opened: Array<Kysely<Database>> = [];
  beforeAll(async () => {
    const target = new URL(PG_BASE_URI);
    proxy = await startFaultProxy({ host: target.hostname, port: Number(target.port || 5432) });
    admin = new pg.Client({ connectionString: PG_BASE_URI });
    await admin.connect();
  });
  afterEach(async () => {
    await proxy.heal();
  });
  afterAll(async () => {
    for (const db of opened) await db.destroy().catch(() => {});
    await proxy?.close();
    await admin?.end();
  });

  function open(options: Partial<PostgresOptions> = {}) {
    const url = new URL(PG_BASE_URI);
    url.host = proxy.address;
    const made = createPostgresDatabase({ uri: url.toString(), connectTimeoutMs: 1000, ...options });
    opened.push(made.db);
    return made;
  }
  const one = async (db: Kysely<Database>) => (await sql<{ n: number }>`select 1 as n`.execute(db)).rows[0]!.n;
  const running = async (marker: string) => {
    const { rows } = await admin.query("select count(*)::int as n from pg_stat_activity where state = 'active' and query like $1 and pid <> pg_backend_pid()", [`%${marker}%`]);
    return rows[0].n as number;
  };

  it('answers UNAVAILABLE while the database refuses connections, and works again once it is back', async () => {
    const { db } = open();
    proxy.refuse();
    const e = await failure(one(db));
    expect(isCairnError(e, 'UNAVAILABLE')).toBe(true);
    expect(e.message).toMatch(/The metadata database \(PostgreSQL at 127\.0\.0\.1:\d+\/test\) is unavailable: .*ECONNREFUSED.*Retry in a moment/);
    await proxy.heal();
    expect(await one(db)).toBe(1);
  });

  it('fails a query whose connection drops with UNAVAILABLE (no crash), and the next query reconnects', async () => {
    const { db } = open();
    expect(await one(db)).toBe(1);
    const marker = `drop_${randomBytes(4).toString('hex')}`;
    const slow = sql.raw(`select pg_sleep(5) /* ${marker} */`).execute(db);
    await until(async () => (await running(marker)) === 1, 'the query runs');
    proxy.drop();
    const e = await failure(slow);
    expect(isCairnError(e, 'UNAVAILABLE')).toBe(true);
    expect(e.message).toContain('is unavailable');
    expect(await one(db)).toBe(1);
  });

  it('fails queries on a stalled database in bounded time, frees the pool, and recovers when it answers again', async () => {
    const { db, pool } = open({ statementTimeoutMs: 300, connectTimeoutMs: 500, maxConnections: 2 });
    expect(await one(db)).toBe(1);
    proxy.stall();
    // More queries than connections: the pool must not stay exhausted by the stuck ones.
    const errors = await Promise.all(Array.from({ length: 5 }, () => failure(one(db))));
    for (const e of errors) expect(isCairnError(e, 'UNAVAILABLE'), e.message).toBe(true);
    expect(errors.map((e) => e.message).join('\n')).toMatch(/did not finish the query within 300 ms|had no free connection|is unavailable/);
    expect(pool.options.maxConnections).toBe(2);
    await proxy.heal();
    expect(await Promise.all(Array.from({ length: 4 }, () => one(db)))).toEqual([1, 1, 1, 1]);
  });

  it('ends a statement at the statement timeout with UNAVAILABLE; the server stops running it', async () => {
    const { db } = open({ statementTimeoutMs: 200 });
    const marker = `timeout_${randomBytes(4).toString('hex')}`;
    const e = await failure(sql.raw(`select pg_sleep(30) /* ${marker} */`).execute(db));
    expect(isCairnError(e, 'UNAVAILABLE')).toBe(true);
    expect(e.message).toContain('did not finish the query within 200 ms');
    expect(e.message).toContain('store.statement_timeout_ms');
    expect(await running(marker)).toBe(0);
    expect(await one(db)).toBe(1);
  });

  it('cancels the running query on the server when the work that started it is abandoned', async () => {
    const { db, pool } = open();
    const marker = `abandoned_${randomBytes(4).toString('hex')}`;
    const controller = new AbortController();
    const query = pool.withSignal(controller.signal, () => sql.raw(`select pg_sleep(60) /* ${marker} */`).execute(db));
    await until(async () => (await running(marker)) === 1, 'the query runs');
    controller.abort();
    const e = await failure(query);
    expect(isCairnError(e, 'UNAVAILABLE')).toBe(true);
    expect(e.message).toContain('client disconnected');
    // Cancelled, not left to run its 60 s.
    await until(async () => (await running(marker)) === 0, 'the query is cancelled');
    // The connection is healthy and goes on serving.
    expect(await one(db)).toBe(1);
    // Work under an already aborted signal never reaches the database.
    expect(isCairnError(await failure(pool.withSignal(controller.signal, () => one(db))), 'UNAVAILABLE')).toBe(true);
    // The signal is seen inside the scope (synchronous work too), and nowhere once it ended.
    const other = new AbortController().signal;
    expect(pool.withSignal(other, () => pool.currentSignal)).toBe(other);
    expect(pool.currentSignal).toBeUndefined();
  });
});
