// A model server killed with rows of answered requests still waiting to be written (kill -9, an
// out-of-memory kill) loses none of them: each request's rows are in the local spool before it is
// answered, and the next server started on the machine writes them.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, openPlatform, type Platform } from '@cairn/core';
import { registerJsonModel } from '../../core/src/serving/testing/model-fixtures.js';
import { startCli, until, type CliProcess } from './fault-processes.js';

describe.each(['artifacts', 'database'] as const)('model server killed with rows unwritten (inference log in %s)', (store) => {
  let dir: string;
  let platform: Platform;
  const running: CliProcess[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-serving-kill-'));
    // Nothing is written on a timer during the test: every row is still buffered when the server dies.
    writeFileSync(join(dir, 'cairn.yaml'), `store:\n  uri: sqlite:cairn.db\nartifact:\n  uri: artifacts\nserving:\n  inference_log:\n    store: ${store}\n    flush_ms: 3600000\n`);
    platform = await openPlatform(loadConfig({ cwd: dir, env: {} }));
    await registerJsonModel(platform, 'scorer');
  });

  afterAll(async () => {
    for (const p of running) await p.killGroup();
    await platform.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const serve = async (): Promise<{ p: CliProcess; url: string }> => {
    const p = startCli(['models', 'serve', 'scorer/1', '--port', '0'], dir, {});
    running.push(p);
    await until(() => / on http:\/\/127\.0\.0\.1:\d+/.test(p.output()), `the server to listen:\n${p.output()}`, 60_000);
    return { p, url: / on (http:\/\/127\.0\.0\.1:\d+)/.exec(p.output())![1]! };
  };
  const logged = async () => (await platform.inferenceLog.read({ model: 'scorer', from: 0, to: Date.now() + 60_000 })).requestIds;

  it('writes the dead server\'s rows when the next one starts, once each', async () => {
    const first = await serve();
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const res = await fetch(`${first.url}/invocations`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': `kill-${i}` }, body: JSON.stringify({ dataframe_records: [{ x: i, region: 'north' }] }) });
      expect(res.status).toBe(200);
      ids.push(res.headers.get('x-request-id')!);
    }
    await first.p.killGroup();
    expect(await logged()).toEqual([]);
    expect(readdirSync(join(dir, '.cairn', 'inference-spool')).length).toBe(1);

    const second = await serve();
    await until(async () => (await logged()).length >= 40, 'the recovered rows to be written', 30_000);
    expect([...(await logged())].sort()).toEqual([...ids].sort());
    const health = await (await fetch(`${second.url}/health`)).json() as { inferenceLog: { recovered: number } };
    expect(health.inferenceLog.recovered).toBe(40);
    expect(await (await fetch(`${second.url}/metrics`)).text()).toMatch(/^cairn_inference_log_rows_recovered_total(\{[^}]*\})? 40$/m);
    expect(second.p.output()).toMatch(/wrote 40 rows a stopped serving process had not written/);
    // Its own rows are written on shutdown; the spool is left empty.
    await fetch(`${second.url}/invocations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ dataframe_records: [{ x: 1, region: 'north' }] }) });
    second.p.child.kill('SIGTERM');
    await second.p.exited;
    expect((await logged()).length).toBe(41);
    expect(readdirSync(join(dir, '.cairn', 'inference-spool'))).toEqual([]);
  }, 120_000);
});
