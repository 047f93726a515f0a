// Issue #7's targets for `npm start`: on a fresh copy of the churn example (no store, no data, an empty
// TypeScript compile cache), from launch to serving; then the second start on the same copy.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CAIRN_BIN } from '../packages/cli/src/testing/cli-process.js';
import { commandEnv, copyExample } from '../packages/cli/test/example-project.js';
import type { BenchResult } from './lib/report.js';

const SERVING = /Cairn is serving \. on (http:\/\/127\.0\.0\.1:\d+)/;

/** Launches `cairn start`, returns the seconds until it prints its serving line and /health answers. */
async function timeStart(dir: string, env: NodeJS.ProcessEnv): Promise<number> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [CAIRN_BIN, 'start', '--port', '0'], { cwd: dir, env });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (output += d.toString('utf8')));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  try {
    for (;;) {
      const url = SERVING.exec(output)?.[1];
      if (url && output.includes('Ctrl-C stops the server') && (await fetch(`${url}/health`)).ok) return (performance.now() - t0) / 1000;
      const done = await Promise.race([exited.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 20))]);
      if (done) throw new Error(`cairn start exited before serving:\n${output}`);
      if (performance.now() - t0 > 600_000) throw new Error(`cairn start is not serving after 600 s:\n${output}`);
    }
  } finally {
    child.kill('SIGINT');
    const code = await exited;
    if (code !== 0 && code !== null) console.log(`cairn start exited with ${code} on Ctrl-C:\n${output}`);
  }
}

export default {
  name: 'start',
  async run(): Promise<BenchResult[]> {
    const project = copyExample();
    // An empty temp folder: tsx keeps its compile cache under TMPDIR, so the first start compiles cold.
    const tmp = mkdtempSync(join(tmpdir(), 'cairn-start-tmp-'));
    try {
      const env = commandEnv(project.dir, { TMPDIR: tmp });
      const first = await timeStart(project.dir, env);
      const again: number[] = [];
      for (let i = 0; i < 3; i++) again.push(await timeStart(project.dir, env));
      again.sort((a, b) => a - b);
      const second = again[1]!;
      return [
        { id: '7.start-fresh', issue: '#7', title: '`npm start` on a fresh copy of the example (no store, no data, cold compile cache): launch to serving', backend: 'sqlite', figure: first, unit: 's', target: '<= 60', notes: 'generates data, applies and materializes features, trains, promotes, scores, serves' },
        { id: '7.start-second', issue: '#7', title: '`npm start` again on the same copy: launch to serving (median of 3)', backend: 'sqlite', figure: second, unit: 's', target: '<= 10', notes: `runs ${again.map((s) => s.toFixed(1)).join(', ')} s; cached steps reused` },
      ];
    } finally {
      rmSync(tmp, { recursive: true, force: true });
      project.cleanup();
    }
  },
};
