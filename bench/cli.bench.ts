// Issue #14's cold-start targets for the `cairn` command, measured on the INSTALLED packages (packed
// from this checkout and installed into a folder outside it, as a user's project installs them; see
// packages/sdk/test/packed-install.ts), not on the checkout's TypeScript: a new process per call,
// from spawn to exit. The store is an existing SQLite project store with 200 runs and a registered
// model with an alias. CAIRN_BENCH_CLI_ROUNDS sets the number of timed calls (default 21).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installedProject, userEnv } from '../packages/sdk/test/packed-install.js';
import type { BenchResult } from './lib/report.js';

const ROUNDS = Number(process.env.CAIRN_BENCH_CLI_ROUNDS ?? 21);

// Run in the installed project (it imports @cairn/sdk from there): 200 runs, a model with @champion.
const SEED = `import { Cairn } from '@cairn/sdk';
const cairn = await Cairn.connect({ quiet: true, captureSource: false });
for (let i = 0; i < 200; i++) {
  await cairn.run({ experiment: 'bench', name: 'run-' + i, params: { lr: String(i / 1000), depth: String(i % 8) } }, async (run) => {
    for (let step = 0; step < 10; step++) run.logMetric('loss', 1 / (step + 1 + i), { step });
    run.logMetrics({ auc: 0.8 + (i % 100) / 1000 });
  });
}
const version = await cairn.models.register({ name: 'churn', path: 'model.json' });
await cairn.models.setAlias('churn', 'champion', version.version);
await cairn.close();
`;

function call(argv: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<number> {
  const t0 = performance.now();
  return new Promise((done, fail) => {
    execFile(argv[0]!, argv.slice(1), { cwd, env, maxBuffer: 16 << 20 }, (error, _stdout, stderr) => {
      if (error) fail(new Error(`${argv.join(' ')} failed: ${stderr}`));
      else done(performance.now() - t0);
    });
  });
}

/** p50 (and p90) in ms of `cairn ...args` started fresh each time, after two untimed calls. */
async function coldStart(bin: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ p50: number; p90: number }> {
  const argv = [process.execPath, bin, ...args];
  for (let i = 0; i < 2; i++) await call(argv, cwd, env);
  const samples: number[] = [];
  for (let i = 0; i < ROUNDS; i++) samples.push(await call(argv, cwd, env));
  samples.sort((a, b) => a - b);
  return { p50: samples[Math.floor(samples.length / 2)]!, p90: samples[Math.min(samples.length - 1, Math.floor(samples.length * 0.9))]! };
}

export default {
  name: 'cli',
  async run(): Promise<BenchResult[]> {
    const installed = await installedProject((line) => console.log(line));
    const project = mkdtempSync(join(installed.dir, 'store-'));
    const env = userEnv();
    try {
      writeFileSync(join(installed.dir, 'seed-bench.mjs'), SEED);
      writeFileSync(join(project, 'model.json'), '{"weights": [1, 2, 3]}');
      await call([process.execPath, join(installed.dir, 'seed-bench.mjs')], project, env);
      // What starting Node.js itself costs here, for scale (`node -e 0`).
      const node = await coldStart('-e', ['0'], project, env);
      const help = await coldStart(installed.bin, ['--help'], project, env);
      const list = await coldStart(installed.bin, ['runs', 'list', '--experiment', 'bench', '--max', '50'], project, env);
      const resolve = await coldStart(installed.bin, ['models', 'resolve', 'churn@champion'], project, env);
      const notes = (r: { p90: number }) => `p90 ${r.p90.toFixed(0)} ms; installed package, new process per call, ${ROUNDS} calls; \`node -e 0\` p50 ${node.p50.toFixed(0)} ms`;
      return [
        { id: '14.cli-help', issue: '#14', title: '`cairn --help`, cold start, p50', backend: 'none', figure: help.p50, unit: 'ms', target: '<= 300', notes: notes(help) },
        { id: '14.cli-runs-list', issue: '#14', title: '`cairn runs list` on an existing store (200 runs, 50 shown), cold start, p50', backend: 'sqlite', figure: list.p50, unit: 'ms', target: '<= 500', notes: notes(list) },
        { id: '14.cli-models-resolve', issue: '#14', title: '`cairn models resolve NAME@alias`, cold start, p50', backend: 'sqlite', figure: resolve.p50, unit: 'ms', target: '<= 500', notes: notes(resolve) },
      ];
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  },
};
