// `cairn start` (what `npm start` runs) on a fresh copy of the churn example: the first start
// generates the data, trains, promotes, scores and serves; Ctrl-C stops it cleanly; the second
// start answers every pipeline step but the snapshots from the cache.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAIRN_BIN } from '../src/testing/cli-process.js';
import { commandEnv, copyExample } from './example-project.js';

interface Started { output: () => string; exit: Promise<number | null>; kill: (signal: NodeJS.Signals) => void }

function start(dir: string, args: string[]): Started {
  const child = spawn(process.execPath, [CAIRN_BIN, 'start', '--port', '0', ...args], { cwd: dir, env: commandEnv(dir) });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (output += d.toString('utf8')));
  return { output: () => output, exit: new Promise((done) => child.on('exit', (code) => done(code))), kill: (s) => child.kill(s) };
}

async function waitFor(s: Started, text: string, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!s.output().includes(text)) {
    if (Date.now() > deadline) throw new Error(`no "${text}" after ${timeoutMs} ms:\n${s.output()}`);
    const exited = await Promise.race([s.exit.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 200))]);
    if (exited && !s.output().includes(text)) throw new Error(`cairn start exited before printing "${text}":\n${s.output()}`);
  }
}

describe('cairn start', () => {
  let project: ReturnType<typeof copyExample>;
  beforeAll(() => {
    project = copyExample();
  });
  afterAll(() => project?.cleanup());

  it('runs the example end to end, serves it, prints the summary and stops on Ctrl-C', async () => {
    const first = start(project.dir, []);
    await waitFor(first, 'Ctrl-C stops the server');
    const out = first.output();
    expect(out).toContain('generated data/: 3000 customers');
    expect(out).toMatch(/churn-train\s+run [0-9a-f]{32} COMPLETED, 4 steps: auc 0\.85\d*, accuracy 0\.84\d*, baseline_accuracy 0\.81\d*/);
    expect(out).toMatch(/churn-score\s+run [0-9a-f]{32} COMPLETED, 3 steps: scored \d+, high_risk \d+/);
    expect(out).toContain('churn v1 holds @champion');
    expect(out).toMatch(/^ +gate of @champion passed churn v1, and @champion moved to it$/m);
    expect(out).toMatch(/npx cairn runs reproduce [0-9a-f]{32}/);
    const url = /Cairn is serving \. on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
    expect(url, out).toBeDefined();
    expect(await (await fetch(`${url}/health`)).json()).toMatchObject({ status: 'ok' });
    const exp = await fetch(`${url}/api/2.0/mlflow/experiments/get-by-name?experiment_name=${encodeURIComponent('pipelines/churn-train')}`);
    expect(exp.status).toBe(200);
    first.kill('SIGINT');
    expect(await first.exit).toBe(0);
  });

  it('reuses the data and every cached step on the second start', async () => {
    const second = start(project.dir, ['--no-serve']);
    expect(await second.exit, second.output()).toBe(0);
    const out = second.output();
    expect(out).toContain('reusing data/');
    expect(out).toContain('online store materialized up to 2025-01-01T00:00:00.000Z (already)');
    expect(out).toMatch(/churn-train\s+run [0-9a-f]{32} COMPLETED, 4 steps \(3 from cache\): auc 0\.85/);
    expect(out).toMatch(/churn-score\s+run [0-9a-f]{32} COMPLETED, 3 steps \(1 from cache\)/);
    expect(out).toMatch(/gate of @champion passed churn v1, and @champion moved to it \(decided earlier, /);
    const seconds = Number(/Ran \. in ([\d.]+) s/.exec(out)?.[1]);
    console.log(`second start (no serve) took ${seconds} s`);
    expect(seconds).toBeGreaterThan(0);
  });
});
