// A run whose process dies is ended without a server: a process killed with SIGKILL leaves its run
// RUNNING, and after tracking.heartbeat_timeout_seconds another SDK process on the same embedded store
// (on its timer) or the next `cairn runs …` command (when it opens the store) marks it KILLED with the
// reason. Over HTTP the SDK paces its heartbeats by the server's timeout, so a short timeout never
// kills a live run.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, ownProcessArgs } from '@cairn/core';
import { startServer, type RunningServer } from '@cairn/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cairn } from '../src/sdk/cairn.js';
import { runCli } from '../src/testing/cli-process.js';

const TIMEOUT_S = 2;
const REASON = `no heartbeat for more than ${TIMEOUT_S} s: the process logging this run stopped`;
const CHILD = fileURLToPath(new URL('./fixtures/run-until-killed.ts', import.meta.url));
// tsx's loader by absolute URL (the child runs in a temp folder) and the "@cairn/source" export condition.
const TS_NODE_ARGS = ownProcessArgs();
const env = { CAIRN_TRACKING_HEARTBEAT_TIMEOUT_SECONDS: String(TIMEOUT_S) };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts the fixture in `dir` and resolves to its run id once the run exists. */
function startDoomed(dir: string, name: string): Promise<{ child: ChildProcess; runId: string }> {
  const childEnv: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CAIRN_')) childEnv[k] = v;
  const child = spawn(process.execPath, [...TS_NODE_ARGS, CHILD, name], { cwd: dir, env: { ...childEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      const m = /^([0-9a-f]{32})$/m.exec(out);
      if (m) resolve({ child, runId: m[1]! });
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.once('exit', (code) => reject(new Error(`the run process exited (${code}) before starting its run:\n${out}`)));
  });
}

function kill9(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    child.once('exit', () => done());
    child.kill('SIGKILL');
  });
}

describe('runs whose process died, on an embedded store', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-heartbeat-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('another SDK process with an open run marks it KILLED after the timeout, and leaves live runs alone', async () => {
    const { child, runId } = await startDoomed(dir, 'doomed-1');
    const cairn = await Cairn.connect({ cwd: dir, env });
    try {
      expect((await cairn.runs.get(runId)).info.status).toBe('RUNNING');
      const live = await cairn.startRun({ experiment: 'crash', name: 'alive' });
      await kill9(child);
      const killedAt = Date.now();
      // Nothing else touches the store: only this process's timer can end the dead run.
      let info = (await cairn.runs.get(runId)).info;
      while (info.status === 'RUNNING' && Date.now() - killedAt < 15_000) {
        await sleep(200);
        info = (await cairn.runs.get(runId)).info;
      }
      expect(info.status).toBe('KILLED');
      expect(info.statusReason).toBe(REASON);
      expect(info.endTime).not.toBeNull();
      // Not before its heartbeat was a timeout old (beats come every timeout / 3).
      expect(info.endTime! - info.lastHeartbeat!).toBeGreaterThanOrEqual(TIMEOUT_S * 1000);
      expect((await cairn.runs.get(live.id)).info.status).toBe('RUNNING');
      await live.end();
      expect((await cairn.runs.get(live.id)).info.status).toBe('FINISHED');
    } finally {
      await cairn.close();
    }
  });

  it('`cairn runs show` and `cairn runs list` mark it KILLED when they open the store', async () => {
    const { child, runId } = await startDoomed(dir, 'doomed-2');
    await kill9(child);
    await sleep(TIMEOUT_S * 1000 + 700);
    const show = await runCli(['runs', 'show', runId], { cwd: dir, env });
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toMatch(new RegExp(`status\\s+KILLED \\(${REASON}\\)`));
    const list = await runCli(['runs', 'list', '--experiment', 'crash', '--json'], { cwd: dir, env });
    const runs = (JSON.parse(list.stdout) as { runs: { info: { runId: string; status: string; statusReason: string | null } }[] }).runs;
    expect(runs.find((r) => r.info.runId === runId)?.info).toMatchObject({ status: 'KILLED', statusReason: REASON });
  });
});

describe('runs over HTTP against a server with a short timeout', () => {
  let dir: string;
  let server: RunningServer;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-heartbeat-http-'));
    const config = loadConfig({ cwd: dir, env: {}, overrides: { server: { port: 0, request_log: false }, tracking: { heartbeat_timeout_seconds: TIMEOUT_S } } });
    server = await startServer(config, { logger: false, handleSignals: false });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('/health tells the timeout, and the SDK beats often enough that a live run outlives it', async () => {
    const health = await (await fetch(`${server.url}/health`)).json();
    expect(health).toMatchObject({ status: 'ok', heartbeatTimeoutSeconds: TIMEOUT_S });
    const cairn = await Cairn.connect({ uri: server.url });
    try {
      const run = await cairn.startRun({ experiment: 'remote' });
      await sleep(TIMEOUT_S * 2500);
      const info = (await cairn.runs.get(run.id)).info;
      expect(info.status).toBe('RUNNING');
      expect(Date.now() - info.lastHeartbeat!).toBeLessThan(TIMEOUT_S * 1000);
      await run.end();
    } finally {
      await cairn.close();
    }
  });
});
