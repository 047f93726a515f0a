// `cairn start` (what `npm start` runs) on a fresh copy of the churn example: the first start
// generates the data, trains, promotes, scores and serves; Ctrl-C stops it cleanly; the second
// start answers every pipeline step but the snapshots from the cache.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAIRN_BIN } from '../src/testing/cli-process.js';
import { commandEnv, copyExample, REPO } from './example-project.js';

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

describe('cairn start, interrupted', () => {
  let dir: string;
  beforeAll(() => {
    // A project whose one pipeline waits until it is cancelled.
    dir = mkdtempSync(join(tmpdir(), 'cairn-start-ctrl-c-'));
    symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'), 'dir');
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(join(dir, 'quickstart.ts'), "export default { pipelines: ['wait.ts'] };\n");
    writeFileSync(join(dir, 'wait.ts'), `import { writeFileSync } from 'node:fs';
import { pipeline, step } from '@cairn/core';
const wait = step({ name: 'wait', cache: false }, async (_i: object, ctx) => {
  writeFileSync(${JSON.stringify(join(dir, 'started'))}, '');
  await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
  return { done: true };
});
export default pipeline({ name: 'waits' }, () => {
  wait({});
});
`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('says a Ctrl-C during a pipeline is the cancel you asked for, and exits 130 (not an error)', async () => {
    const run = start(dir, ['--no-serve']);
    const deadline = Date.now() + 120_000;
    while (!existsSync(join(dir, 'started'))) {
      if (Date.now() > deadline) throw new Error(`the pipeline did not start:\n${run.output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    run.kill('SIGINT');
    expect(await run.exit, run.output()).toBe(130);
    expect(run.output()).toMatch(/Stopped at your request \(Ctrl-C\): pipeline run [0-9a-f]{32} \(wait\.ts\) was cancelled\. The next start reuses every step that completed\./);
    expect(run.output()).not.toMatch(/^error:/m);
  });
});
