import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig, openPlatform, type Platform } from '@cairn/core';
import { makeTestPlatform, type TestPlatform } from '@cairn/core/testing';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';

// The SQLite metadata store on a full disk answers 503 "Disk full" naming the store, logs SQLite's
// own error (not "cannot rollback - no transaction is active", which used to replace it), keeps
// everything it acknowledged, and takes writes again once there is room.

/** A server app whose log lines are kept in `log`. */
function appWithLog(platform: Platform, log: string[]): FastifyInstance {
  const stream = new Writable({ write: (chunk, _enc, done) => (log.push(String(chunk)), done()) });
  return buildApp(platform, { logger: { level: 'info', stream } });
}

const points = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ key: `m${i % 20}`, value: i, timestamp: 1_700_000_000_000 + from + i, step: from + i }));

function expectDiskFull(res: { statusCode: number; body: string }): void {
  expect(res.statusCode, res.body).toBe(503);
  expect(JSON.parse(res.body).error_code).toMatch(/^(UNAVAILABLE|TEMPORARILY_UNAVAILABLE)$/);
  expect(JSON.parse(res.body).message).toMatch(/^Disk full: the metadata store \(SQLite\) cannot grow/);
}

describe('SQLite metadata store at its size limit (max_page_count)', () => {
  let t: TestPlatform;
  let app: FastifyInstance;
  const log: string[] = [];
  const limitPages = async (extra: number) => {
    const db = t.platform.database.db;
    const { rows } = await sql<{ page_count: number }>`pragma page_count`.execute(db);
    await sql.raw(`pragma max_page_count = ${rows[0]!.page_count + extra}`).execute(db);
  };
  beforeAll(async () => {
    t = await makeTestPlatform('sqlite');
    app = appWithLog(t.platform, log);
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await t.cleanup();
  });
  const post = (url: string, payload: unknown) => app.inject({ method: 'POST', url, payload: payload as object });

  it('answers 503 on both APIs saying which store is full, logs the cause, and recovers once there is room', async () => {
    const run = (await post('/api/v1/runs', { experimentId: '0' })).json().run.info.runId as string;
    await limitPages(2);
    const answers = [];
    for (let i = 0; i < 40; i++) answers.push(await post('/api/v1/experiments', { name: `full-${i}-${'x'.repeat(400)}` }));
    answers.push(await post(`/api/v1/runs/${run}/batch`, { metrics: points(5000) }));
    answers.push(await post('/api/2.0/mlflow/runs/log-batch', { run_id: run, metrics: points(1000) }));
    answers.push(await post('/api/2.0/mlflow/experiments/create', { name: `mlflow-full-${'y'.repeat(400)}` }));
    const refused = answers.filter((r) => r.statusCode >= 400);
    expect(refused.length).toBeGreaterThanOrEqual(4);
    refused.forEach(expectDiskFull);
    expect(log.join('')).toContain('database or disk is full');

    await limitPages(100_000);
    expect((await post('/api/v1/experiments', { name: 'after-the-disk-was-freed' })).statusCode).toBe(201);
    expect((await post(`/api/v1/runs/${run}/batch`, { metrics: points(100) })).statusCode).toBe(200);
  });
});

// A real ENOSPC needs a small filesystem: a 1 MiB tmpfs mounted for this suite (root only).
const mountable = (() => {
  if (process.getuid?.() !== 0) return false;
  const probe = mkdtempSync(join(tmpdir(), 'cairn-mount-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
})();

describe.skipIf(!mountable)(`SQLite metadata store on a full filesystem${mountable ? '' : ' (skipped: mounting a tmpfs needs root)'}`, () => {
  let dir = '';
  let mnt = '';
  let platform: Platform;
  let app: FastifyInstance;
  const log: string[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-disk-full-'));
    mnt = join(dir, 'small-disk');
    mkdirSync(mnt);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt]);
    const config = loadConfig({ cwd: dir, env: {}, overrides: { store: { uri: `sqlite:${join(mnt, 'cairn.db')}` }, artifact: { uri: join(mnt, 'artifacts') } } });
    platform = await openPlatform(config);
    app = appWithLog(platform, log);
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await platform?.close();
    if (mnt) execFileSync('umount', [mnt]);
    rmSync(dir, { recursive: true, force: true });
  });
  const post = (url: string, payload: unknown) => app.inject({ method: 'POST', url, payload: payload as object });

  it('refuses writes with 503 Disk full (never 500), keeps every acknowledged point, and takes writes once the disk grows', async () => {
    const run = (await post('/api/v1/runs', { experimentId: '0' })).json().run.info.runId as string;
    let acknowledged = 0;
    let refusals = 0;
    for (let i = 0; i < 80 && refusals < 6; i++) {
      const batch = await post(`/api/v1/runs/${run}/batch`, { metrics: points(2000, i * 2000) });
      const experiment = await post('/api/v1/experiments', { name: `e${i}-${'x'.repeat(400)}` });
      for (const res of [batch, experiment]) {
        if (res.statusCode < 300) continue;
        expectDiskFull(res);
        refusals++;
      }
      if (batch.statusCode === 200) acknowledged += 2000;
    }
    expect(refusals).toBeGreaterThan(0);
    const text = log.join('');
    expect(text).toContain('database or disk is full');
    expect(text).not.toContain('cannot rollback');

    const upload = await app.inject({ method: 'PUT', url: `/api/v1/runs/${run}/artifacts/content?path=big.bin`, payload: Buffer.alloc(2 * 1024 * 1024, 1), headers: { 'content-type': 'application/octet-stream' } });
    expect(upload.statusCode, upload.body).toBe(503);
    expect(upload.json().message).toBe("Disk full: the artifact store (writing '0/" + run + "/artifacts/big.bin') cannot grow. Free disk space where it is stored (or raise the quota), then retry.");
    expect(readdirSync(join(mnt, 'artifacts', '.cairn-tmp'))).toEqual([]);

    execFileSync('mount', ['-o', 'remount,size=64m', mnt]);
    expect((await post(`/api/v1/runs/${run}/batch`, { metrics: points(2000, 1_000_000) })).statusCode).toBe(200);
    const stored = await platform.runs.getMetricHistory(run, 'm0');
    expect(stored.items.length).toBe(acknowledged / 20 + 100);
  });
});
