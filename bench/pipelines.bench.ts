import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import type { PipelineEvent, Platform } from '../packages/core/src/index.js';
import { loadConfig } from '../packages/core/src/config/config.js';
import { openPlatform } from '../packages/core/src/platform.js';
import { validateDag } from '../packages/core/src/pipelines/dag.js';
import { startPlatformProcess } from '../packages/core/src/pipelines/testing/platform-process.js';
import { freshRedisPrefix, redisAvailable, REDIS_TEST_URI } from '../packages/core/src/testing/redis.js';
import { makeChain, makeWide, queueChain } from './lib/pipeline-fixtures.js';
import { DATA_DIR, benchPlatform } from './lib/platforms.js';
import type { BenchResult } from './lib/report.js';

const FIXTURES = fileURLToPath(new URL('./lib/pipeline-fixtures.ts', import.meta.url));

function pct(samples: number[], p: number): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/** Per-step cost in a chain: the time between consecutive steps finishing. */
async function chainStepTimes(platform: Platform, n: number, noCache: boolean, name: string): Promise<number[]> {
  const done: number[] = [];
  const onEvent = (e: PipelineEvent) => {
    if (e.type === 'step' && (e.status === 'COMPLETED' || e.status === 'CACHED')) done.push(performance.now());
  };
  const { run } = await platform.pipelines.run(makeChain(name, n), { noCache, onEvent });
  if (run.status !== 'COMPLETED') throw new Error(`bench chain ended ${run.status}: ${run.statusReason}`);
  return done.slice(1).map((t, i) => t - done[i]!);
}

export default {
  name: 'pipelines',
  async run(backends: string[]): Promise<BenchResult[]> {
    const out: BenchResult[] = [];
    for (const backend of backends) {
      const { platform } = await benchPlatform(backend, 'pipelines', true);
      await chainStepTimes(platform, 200, true, 'warmup');
      const overhead = await chainStepTimes(platform, 2000, true, 'overhead');
      out.push({ id: `6.step-overhead.${backend}`, issue: '#6', title: 'In-process no-op step overhead (state recorded), p50', backend, figure: pct(overhead, 50), unit: 'ms', target: '<= 2', notes: `p99 ${pct(overhead, 99).toFixed(2)} ms; chain of 2000, cache off`, ...(backend === 'sqlite' ? {} : { reference: 'the target is for state recorded in SQLite' }) });
      await chainStepTimes(platform, 2000, false, 'cached');
      const hits = await chainStepTimes(platform, 2000, false, 'cached');
      out.push({ id: `6.cache-hit.${backend}`, issue: '#6', title: 'Cache hit per step, p50', backend, figure: pct(hits, 50), unit: 'ms', target: '<= 1', notes: `p99 ${pct(hits, 99).toFixed(2)} ms; chain of 2000` });
      if (backend === 'sqlite') {
        for (const [shape, make] of [['chain', makeChain], ['wide', makeWide]] as const) {
          const p = make(`bench-10k-${shape}`, 10_000);
          let t0 = performance.now();
          validateDag(p.build());
          out.push({ id: `6.validate-10k-${shape}`, issue: '#6', title: `Validate a 10,000-step ${shape === 'chain' ? 'chain' : 'fan-out/fan-in'} DAG`, backend, figure: performance.now() - t0, unit: 'ms', target: '<= 1000' });
          t0 = performance.now();
          const { run } = await platform.pipelines.run(p, { noCache: true });
          if (run.status !== 'COMPLETED') throw new Error(`10k ${shape} ended ${run.status}`);
          out.push({ id: `6.run-10k-${shape}`, issue: '#6', title: `Run a 10,000-step ${shape === 'chain' ? 'chain' : 'fan-out/fan-in'} of no-op steps end to end`, backend, figure: (performance.now() - t0) / 1000, unit: 's', target: '<= 30', notes: 'local executor, concurrency 8, cache off: every step executes and gets its tracking run' });
        }
      }
      await platform.close();
      if (backend === 'sqlite' && (await redisAvailable())) out.push(await queueDispatch());
    }
    return out;
  },
};

/** Queue executor with 2 worker processes: from a step's dependency finishing to its start. */
async function queueDispatch(): Promise<BenchResult> {
  const dir = join(DATA_DIR, 'pipelines-queue');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true }); // a SQLite store is created only in a folder that exists
  const redis = new Redis(REDIS_TEST_URI, { maxRetriesPerRequest: 1 });
  const prefix = freshRedisPrefix(redis);
  const pipelines = { executor: 'queue', queue_redis_uri: REDIS_TEST_URI, queue_prefix: prefix.prefix.replace(/:$/, '') };
  const overrides = { store: { uri: `sqlite:${join(dir, 'cairn.db')}` }, artifact: { uri: join(dir, 'artifacts') }, pipelines };
  const platform = await openPlatform(loadConfig({ cwd: dir, env: {}, overrides }));
  const workers = [0, 1].map(() => startPlatformProcess({ cwd: dir, ...overrides }, ['worker']));
  try {
    await Promise.all(workers.map((w) => w.waitFor(/worker ready/)));
    await platform.pipelines.run(queueChain, { noCache: true, sourceFile: FIXTURES, exportName: 'queueChain' });
    const { run, steps } = await platform.pipelines.run(queueChain, { noCache: true, sourceFile: FIXTURES, exportName: 'queueChain' });
    if (run.status !== 'COMPLETED') throw new Error(`queue chain ended ${run.status}: ${run.statusReason}`);
    const gaps = steps.slice(1).map((s, i) => s.startTime! - steps[i]!.endTime!);
    const workersUsed = new Set(steps.map((s) => s.worker)).size;
    return { id: '6.queue-dispatch.sqlite', issue: '#6', title: 'Queue executor, 2 workers: dependency finished → step started, p50', backend: 'sqlite', figure: pct(gaps, 50), unit: 'ms', target: '<= 20', notes: `p99 ${pct(gaps, 99)} ms; chain of 200; ${workersUsed} workers used` };
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await platform.close();
    await prefix.clean();
    redis.disconnect();
  }
}
