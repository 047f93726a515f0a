import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTestPlatform, type TestPlatform } from '@cairn/core/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshRedisPrefix, redisAvailable, REDIS_TEST_URI } from '../../../core/src/testing/redis.js';
import { CAIRN_BIN, runCli } from '../testing/cli-process.js';

const redisUp = await redisAvailable();
const BASIC = fileURLToPath(new URL('../../../core/src/pipelines/fixtures/basic-pipelines.ts', import.meta.url));

async function until(cond: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `cairn …` as a long-running child process, with its output and exit code. */
function start(args: string[], cwd: string, env: Record<string, string>) {
  const clean: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CAIRN_')) clean[k] = v;
  const child = spawn(process.execPath, [CAIRN_BIN, ...args], { cwd, env: { ...clean, NO_COLOR: '1', ...env } });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c));
  child.stderr.on('data', (c: Buffer) => (output += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  return { child, output: () => output, exited };
}

// The long-running commands, as real processes: they do their job, and stop cleanly on a signal.
describe('cairn scheduler and cairn worker', () => {
  let t: TestPlatform;
  const env = () => ({ CAIRN_STORE_URI: t.storeUri, CAIRN_ARTIFACT_URI: join(t.dir, 'artifacts') });
  beforeAll(async () => {
    t = await makeTestPlatform('sqlite');
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it('cairn scheduler fires a due schedule, runs the pipeline, and exits 0 on SIGTERM', async () => {
    await t.platform.pipelines.schedules.add({ name: 'every-second', pipelineName: 'basic', source: { file: BASIC, exportName: 'basic' }, cron: '* * * * * *', params: { n: 2, scale: 1 } });
    const scheduler = start(['scheduler'], t.dir, env());
    try {
      await until(() => /started run \w+/.test(scheduler.output()));
      expect(scheduler.output()).toContain('Cairn scheduler firing 1 schedule(s); Ctrl-C stops it.');
      const runId = /every-second: started run (\w+)/.exec(scheduler.output())![1]!;
      await until(async () => (await t.platform.pipelines.queries.getRunInfo(runId)).status !== 'RUNNING');
      const { run, steps } = await t.platform.pipelines.queries.getRun(runId);
      expect(run).toMatchObject({ pipelineName: 'basic', status: 'COMPLETED', params: { n: 2, scale: 1 } });
      expect(steps.map((s) => s.status).every((s) => s === 'COMPLETED' || s === 'CACHED')).toBe(true);
      await t.platform.pipelines.schedules.setEnabled('every-second', false);
    } finally {
      scheduler.child.kill('SIGTERM');
    }
    expect(await scheduler.exited).toEqual({ code: 0, signal: null });
    expect(scheduler.output()).toContain('Stopping: cancelling runs started here');
    // Nothing it started is left RUNNING.
    expect(await t.platform.pipelines.queries.listRuns({ status: 'RUNNING' })).toEqual([]);
    expect((await t.platform.pipelines.schedules.ticks('every-second')).length).toBeGreaterThan(0);
  });

  it.skipIf(!redisUp)(`cairn worker runs the steps of a queue-executor run, and exits 0 on SIGINT${redisUp ? '' : ' (skipped: no Redis; CI=true requires one)'}`, async () => {
    const redis = new Redis(REDIS_TEST_URI, { maxRetriesPerRequest: 1 });
    const prefix = freshRedisPrefix(redis);
    const queueEnv = { ...env(), CAIRN_PIPELINES_EXECUTOR: 'queue', CAIRN_PIPELINES_QUEUE_REDIS_URI: REDIS_TEST_URI, CAIRN_PIPELINES_QUEUE_PREFIX: prefix.prefix.replace(/:$/, '') };
    const worker = start(['worker', '--concurrency', '2'], t.dir, queueEnv);
    try {
      await until(() => /Cairn worker \S+ taking steps from redis:\/\/127\.0\.0\.1:6379\S* \(prefix cairn-test:\w+\); Ctrl-C stops it\./.test(worker.output()));
      const res = await runCli(['pipelines', 'run', BASIC, '--pipeline', 'basic', '--param', 'n=3', '--no-cache', '--json'], { cwd: t.dir, env: queueEnv });
      expect(res.code).toBe(0);
      const { run, steps } = JSON.parse(res.stdout) as { run: { status: string; executor: string }; steps: Array<{ status: string; worker: string }> };
      expect(run).toMatchObject({ status: 'COMPLETED', executor: 'queue' });
      expect(new Set(steps.map((s) => s.worker))).toEqual(new Set([expect.stringMatching(new RegExp(`:${worker.child.pid}$`))]));
    } finally {
      worker.child.kill('SIGINT');
      const { code, signal } = await worker.exited;
      await prefix.clean();
      redis.disconnect();
      expect({ code, signal }).toEqual({ code: 0, signal: null });
    }
    expect(worker.output()).toContain('Stopping: finishing running steps');
  });
});
