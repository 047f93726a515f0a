import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PG_BASE_URI, postgresAvailable } from '../../testing/postgres.js';
import { PostgresListener } from './postgres-listener.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(10);
  }
}

describe('PostgresListener', () => {
  let admin: pg.Client;
  let skip = false;
  // A channel of this suite's own, so parallel suites on the same database do not interfere.
  const channel = `cairn_test_${Math.random().toString(36).slice(2, 10)}`;
  beforeAll(async () => {
    skip = !(await postgresAvailable());
    if (skip) return;
    admin = new pg.Client({ connectionString: PG_BASE_URI });
    await admin.connect();
  });
  afterAll(async () => admin?.end());

  it('delivers notifications at commit, reports a lost connection, reconnects, and closes for good', async (ctx) => {
    if (skip) return ctx.skip();
    const got: string[] = [];
    const states: boolean[] = [];
    const listener = new PostgresListener({
      uri: `${PG_BASE_URI}?schema=ignored_here`, channels: [channel], retryMs: 20,
      handlers: { notification: (_c, payload) => got.push(payload), listening: (up) => states.push(up) },
    });
    await listener.start();
    expect(states).toEqual([true]);

    await admin.query('begin');
    await admin.query('select pg_notify($1, $2)', [channel, 'in-tx']);
    await sleep(50);
    expect(got).toEqual([]); // not before commit
    await admin.query('commit');
    await until(() => got.length === 1);
    await admin.query('begin');
    await admin.query('select pg_notify($1, $2)', [channel, 'rolled-back']);
    await admin.query('rollback');

    const pid = listener.backendPid!;
    await admin.query('select pg_terminate_backend($1)', [pid]);
    await until(() => states.length >= 3);
    expect(states).toEqual([true, false, true]);
    expect(listener.backendPid).not.toBe(pid);
    await admin.query('select pg_notify($1, $2)', [channel, 'after-reconnect']);
    await until(() => got.length === 2);
    expect(got).toEqual(['in-tx', 'after-reconnect']);

    const last = listener.backendPid!;
    await listener.close();
    expect(listener.listening).toBe(false);
    // The server process ends once the connection is closed (it may take a moment to exit).
    for (let i = 0; ; i++) {
      const { rows } = await admin.query('select count(*)::int as n from pg_stat_activity where pid = $1', [last]);
      if (rows[0].n === 0) break;
      if (i > 100) expect.fail(`listener backend ${last} still connected after close`);
      await sleep(20);
    }
    await sleep(100);
    expect(states).toEqual([true, false, true]);
  });
});
