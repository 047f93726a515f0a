// Pipelines on a bad day, with real processes: `cairn pipelines run`, `cairn worker` and
// `cairn scheduler` killed with SIGKILL at the bad moment. No step process may survive the process
// running it, no tracking run may stay RUNNING, every attempt is kept (numbered, with its own logs
// and outcome), and no schedule tick is lost.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPipelineFile, type PipelineRunDetail, type StepAttempt } from '@cairn/core';
import { BACKENDS, backendAvailable, makeTestPlatform, type Backend, type TestPlatform } from '@cairn/core/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshRedisPrefix, redisAvailable, REDIS_TEST_URI } from '../../core/src/testing/redis.js';
import { runCli } from '../src/testing/cli-process.js';
import { alive, startCli, stepPids, stopGuard, until, type CliProcess } from './fault-processes.js';

const FIXTURES = fileURLToPath(new URL('../../core/src/pipelines/fixtures/', import.meta.url));
const ORPHANS = join(FIXTURES, 'orphan-pipelines.ts');
const CRASHY = join(FIXTURES, 'crash-pipelines.ts');
const SLOW_LOAD = join(FIXTURES, 'slow-load-pipelines.ts');
const redisUp = await redisAvailable();
const pgUp = await backendAvailable('postgres');
const attemptsOf = (d: PipelineRunDetail, stepId: string): Array<Pick<StepAttempt, 'attempt' | 'status'>> =>
  d.attempts.filter((a) => a.stepId === stepId).map((a) => ({ attempt: a.attempt, status: a.status }));

for (const backend of BACKENDS) {
  const skip = backend === 'postgres' && !pgUp;
  describe.skipIf(skip)(`a killed runner [${backend}]${skip ? ' (skipped: no PostgreSQL server reachable; CI=true requires one)' : ''}`, () => {
    let t: TestPlatform;
    const running: CliProcess[] = [];
    const env = (extra: Record<string, string> = {}) => ({ CAIRN_STORE_URI: t.storeUri, CAIRN_ARTIFACT_URI: join(t.dir, 'artifacts'), CAIRN_PIPELINES_HEARTBEAT_TIMEOUT_SECONDS: '1', ...extra });
    const cli = (...args: string[]) => runCli(args, { cwd: t.dir, env: env() });
    beforeAll(async () => {
      t = await makeTestPlatform(backend as Backend, { pipelines: { heartbeat_timeout_seconds: 1 } });
    });
    afterAll(async () => {
      await Promise.all(running.map((p) => p.killGroup()));
      await t?.cleanup();
    });

    it('kill -9 of `cairn pipelines run`: its step processes die with it, nothing stays RUNNING, resume runs attempt 2', async () => {
      const dir = join(t.dir, 'runner-killed');
      mkdirSync(dir);
      const runner = startCli(['pipelines', 'run', ORPHANS, '--param', `dir=${dir}`], t.dir, env());
      running.push(runner);
      await until(() => stepPids(dir, 1) !== null && /Pipeline run \w+/.test(runner.output()), 'both steps started');
      const runId = /Pipeline run (\w+)/.exec(runner.output())![1]!;
      const pids = stepPids(dir, 1)!;
      await until(async () => (await t.platform.pipelines.queries.logs(runId, { step: 'isolated' })).length > 0, "attempt 1's log line is stored");
      await runner.killGroup();
      const killedAt = Date.now();
      // The isolated step's child, the command's bash and bash's own child: none outlives its runner.
      await until(() => pids.every((p) => !alive(p)), `the step processes ${pids.join(', ')} are gone`, 20_000);

      // Once the heartbeat lapses the run, its steps, their attempts and every tracking run are ended,
      // at the runner's last heartbeat (not when someone first looked).
      await until(async () => (await t.platform.pipelines.queries.getRunInfo(runId)).status !== 'RUNNING', 'the run is ended');
      const failed = await t.platform.pipelines.queries.getRun(runId);
      expect(failed.run.status).toBe('FAILED');
      expect(failed.run.endTime!).toBeLessThanOrEqual(killedAt);
      for (const stepId of ['isolated', 'command']) {
        const s = failed.steps.find((x) => x.stepId === stepId)!;
        expect(s.status).toBe('FAILED');
        expect(s.trackingRunId).not.toBeNull();
        expect((await t.platform.runs.get(s.trackingRunId!)).info.status).toBe('FAILED');
        expect(attemptsOf(failed, stepId)).toEqual([{ attempt: 1, status: 'FAILED' }]);
        expect(failed.attempts.find((a) => a.stepId === stepId)!.endTime!).toBeLessThanOrEqual(killedAt);
      }
      const left = await t.platform.runs.search({ experimentIds: [failed.run.experimentId!], filter: "attributes.status = 'RUNNING'" });
      expect(left.items.map((r) => r.info.runName)).toEqual([]);

      // Resume: each unfinished step runs as attempt 2 (ctx.attempt and CAIRN_ATTEMPT say so).
      writeFileSync(join(dir, 'release'), '');
      const resumed = await cli('pipelines', 'resume', runId, '--json');
      expect({ code: resumed.code, stderr: resumed.stderr }).toEqual({ code: 0, stderr: '' });
      const done = JSON.parse(resumed.stdout) as PipelineRunDetail;
      expect(done.steps.map((s) => [s.stepId, s.status, s.attempt])).toEqual([['isolated', 'COMPLETED', 2], ['command', 'COMPLETED', 2], ['both', 'COMPLETED', 1]]);
      expect(existsSync(join(dir, 'isolated.2.pid')) && existsSync(join(dir, 'command.2.pid'))).toBe(true);
      for (const stepId of ['isolated', 'command']) expect(attemptsOf(done, stepId)).toEqual([{ attempt: 1, status: 'FAILED' }, { attempt: 2, status: 'COMPLETED' }]);
      expect((await t.platform.runs.get(done.steps[0]!.trackingRunId!)).info.status).toBe('FINISHED');
      // Each attempt keeps its own log lines; `show` lists both attempts.
      expect((await cli('pipelines', 'logs', runId, 'isolated')).stdout).toBe('isolated attempt 1\n[#2] isolated attempt 2\n');
      const show = await cli('pipelines', 'show', runId);
      expect(show.stderr).toBe('');
      expect(show.stdout).toMatch(/Attempts\n.*\nisolated\s+1\s+FAILED\s.*did not finish: no heartbeat .*\nisolated\s+2\s+COMPLETED\s/);
      // The killed attempts' scratch folders are gone too.
      expect(readdirSync(join(t.dir, '.cairn', 'cache', 'pipelines', 'work'))).toEqual([]);
    });
  });
}

describe('a killed runner whose process guard died too [sqlite]', () => {
  let t: TestPlatform;
  const running: CliProcess[] = [];
  // The default 60 s heartbeat timeout: resume must not wait for it when the runner died on this machine.
  const env = () => ({ CAIRN_STORE_URI: t.storeUri, CAIRN_ARTIFACT_URI: join(t.dir, 'artifacts') });
  beforeAll(async () => {
    t = await makeTestPlatform('sqlite');
  });
  afterAll(async () => {
    await Promise.all(running.map((p) => p.killGroup()));
    await t?.cleanup();
  });

  it('resume sees at once that the runner exited, kills what its attempts left running, then runs attempt 2', async () => {
    const dir = join(t.dir, 'guard-killed');
    mkdirSync(dir);
    // busy: the isolated step blocks its event loop, so it cannot notice its parent's death itself.
    const runner = startCli(['pipelines', 'run', ORPHANS, '--param', `dir=${dir}`, '--param', 'busy=true'], t.dir, env());
    running.push(runner);
    await until(() => stepPids(dir, 1) !== null && /Pipeline run \w+/.test(runner.output()), 'both steps started');
    const runId = /Pipeline run (\w+)/.exec(runner.output())![1]!;
    const pids = stepPids(dir, 1)!;
    const guard = stopGuard(runner.child.pid!);
    await runner.killGroup();
    guard.kill();
    expect(pids.filter(alive)).toEqual(pids);

    const resume = startCli(['pipelines', 'resume', runId], t.dir, env());
    running.push(resume);
    await until(() => stepPids(dir, 2) !== null, 'attempt 2 of both steps started');
    expect(pids.filter(alive)).toEqual([]);
    writeFileSync(join(dir, 'release'), '');
    expect(await resume.exited).toEqual({ code: 0, signal: null });
    const { run, attempts } = await t.platform.pipelines.queries.getRun(runId);
    expect(run).toMatchObject({ status: 'COMPLETED', resumeCount: 1 });
    const killed = attempts.filter((a) => a.attempt === 1 && a.stepId !== 'both');
    expect(killed.map((a) => [a.stepId, a.status, a.error])).toEqual([
      ['isolated', 'FAILED', expect.stringMatching(/^did not finish: the process running the pipeline \(\S+:\d+\) exited without ending it/)],
      ['command', 'FAILED', expect.stringMatching(/^did not finish: the process running the pipeline/)],
    ]);
    expect(killed.every((a) => a.processGroup !== null)).toBe(true);
  });

  it('cancel of a run whose runner was killed on this machine ends it CANCELLED at once', async () => {
    const dir = join(t.dir, 'cancel-dead');
    mkdirSync(dir);
    const runner = startCli(['pipelines', 'run', CRASHY, '--pipeline', 'crashy', '--param', `dir=${dir}`], t.dir, env());
    running.push(runner);
    await until(() => existsSync(join(dir, 'gate.count')) && /Pipeline run \w+/.test(runner.output()), 'the gate step started');
    const runId = /Pipeline run (\w+)/.exec(runner.output())![1]!;
    await runner.killGroup();
    const cancel = await runCli(['pipelines', 'cancel', runId, '--json'], { cwd: t.dir, env: env() });
    expect(cancel.code).toBe(0);
    expect(JSON.parse(cancel.stdout).run).toMatchObject({ status: 'CANCELLED', statusReason: expect.stringMatching(/^cancelled by request; the process running it \(\S+\) had exited$/) });
    const { steps } = await t.platform.pipelines.queries.getRun(runId);
    expect(steps.map((s) => s.status)).toEqual(['COMPLETED', 'CANCELLED', 'CANCELLED']);
  });
});

describe.skipIf(!redisUp)(`a killed worker (BullMQ on Redis)${redisUp ? '' : ' (skipped: no Redis on 127.0.0.1:6379; CI=true requires one)'}`, () => {
  let t: TestPlatform;
  let redis: Redis;
  let prefix: { prefix: string; clean(): Promise<void> };
  const running: CliProcess[] = [];
  const queue = () => ({ executor: 'queue', queue_redis_uri: REDIS_TEST_URI, queue_prefix: prefix.prefix.replace(/:$/, ''), queue_lock_seconds: 2, queue_stalled_check_seconds: 1, heartbeat_timeout_seconds: 10 });
  const env = () => ({
    CAIRN_STORE_URI: t.storeUri, CAIRN_ARTIFACT_URI: join(t.dir, 'artifacts'), CAIRN_PIPELINES_EXECUTOR: 'queue', CAIRN_PIPELINES_QUEUE_REDIS_URI: REDIS_TEST_URI,
    CAIRN_PIPELINES_QUEUE_PREFIX: queue().queue_prefix, CAIRN_PIPELINES_QUEUE_LOCK_SECONDS: '2', CAIRN_PIPELINES_QUEUE_STALLED_CHECK_SECONDS: '1',
  });
  const worker = async () => {
    const w = startCli(['worker', '--concurrency', '4'], t.dir, env());
    running.push(w);
    await until(() => /Cairn worker \S+ taking steps/.test(w.output()), 'the worker is ready');
    return w;
  };
  beforeAll(async () => {
    redis = new Redis(REDIS_TEST_URI, { maxRetriesPerRequest: 1 });
    prefix = freshRedisPrefix(redis);
    t = await makeTestPlatform('sqlite', { pipelines: queue() });
  });
  afterAll(async () => {
    await Promise.all(running.map((p) => p.killGroup()));
    await t?.cleanup();
    await prefix?.clean();
    redis?.disconnect();
  });

  for (const guardDies of [false, true]) {
    it(guardDies
      ? 'the worker taking over kills what the dead attempts left running (their guard died too), then runs attempt 2'
      : 'kill -9 of `cairn worker`: its step processes die with it; another worker takes the steps over as attempt 2', async () => {
      const dir = join(t.dir, guardDies ? 'worker-guard-killed' : 'worker-killed');
      mkdirSync(dir);
      const first = await worker();
      const { pipeline } = await loadPipelineFile(ORPHANS, 'orphans');
      const handle = await t.platform.pipelines.start(pipeline, { values: { dir, busy: guardDies } });
      await until(() => stepPids(dir, 1) !== null, 'both steps started on the worker');
      const pids = stepPids(dir, 1)!;
      await until(async () => (await t.platform.pipelines.queries.logs(handle.runId, { step: 'isolated' })).length > 0, "attempt 1's log line is stored");
      const guard = guardDies ? stopGuard(first.child.pid!) : null;
      await first.killGroup();
      const killedAt = Date.now();
      guard?.kill();
      if (guardDies) expect(pids.filter(alive)).toEqual(pids);
      else await until(() => pids.every((p) => !alive(p)), `the step processes ${pids.join(', ')} are gone`, 20_000);

      const second = await worker();
      await until(() => stepPids(dir, 2) !== null, 'attempt 2 of both steps started on the second worker');
      expect(pids.filter(alive)).toEqual([]);
      writeFileSync(join(dir, 'release'), '');
      const detail = await handle.done;
      expect(detail.run.status).toBe('COMPLETED');
      for (const stepId of ['isolated', 'command']) {
        expect(attemptsOf(detail, stepId)).toEqual([{ attempt: 1, status: 'FAILED' }, { attempt: 2, status: 'COMPLETED' }]);
        const dead = detail.attempts.find((a) => a.stepId === stepId && a.attempt === 1)!;
        expect(dead.endTime!).toBeLessThanOrEqual(killedAt);
        expect(dead.error).toMatch(/^abandoned: \S+ stopped renewing its lease \(killed or stalled\); attempt 2 took over$/);
        const step = detail.steps.find((s) => s.stepId === stepId)!;
        expect((await t.platform.runs.get(step.trackingRunId!)).info.status).toBe('FINISHED');
      }
      const logs = await t.platform.pipelines.queries.logs(detail.run.runId, { step: 'isolated' });
      expect(logs.map((l) => [l.attempt, l.text])).toEqual([[1, 'isolated attempt 1'], [2, 'isolated attempt 2']]);
      second.child.kill('SIGTERM');
      expect(await second.exited).toEqual({ code: 0, signal: null });
    });
  }
});

describe('a killed scheduler', () => {
  let t: TestPlatform;
  const running: CliProcess[] = [];
  beforeAll(async () => {
    t = await makeTestPlatform('sqlite');
  });
  afterAll(async () => {
    await Promise.all(running.map((p) => p.killGroup()));
    await t?.cleanup();
  });

  it('kill -9 between claiming a tick and starting its run: another scheduler takes the claim over; the tick fires once', async () => {
    const dir = join(t.dir, 'slow-load');
    mkdirSync(dir);
    const env = { CAIRN_STORE_URI: t.storeUri, CAIRN_ARTIFACT_URI: join(t.dir, 'artifacts'), CAIRN_PIPELINES_SCHEDULER_LEASE_SECONDS: '2', CAIRN_TEST_SLOW_LOAD_DIR: dir };
    // One tick, a few seconds from now (6-field cron, UTC).
    const at = new Date(Date.now() + 4000);
    const cron = `${at.getUTCSeconds()} ${at.getUTCMinutes()} ${at.getUTCHours()} * * *`;
    await t.platform.pipelines.schedules.add({ name: 'once', pipelineName: 'slow-load', source: { file: SLOW_LOAD, exportName: 'slowLoad' }, cron });
    const first = startCli(['scheduler'], t.dir, env);
    running.push(first);
    // It claimed the tick and is loading the pipeline file: kill it there.
    await until(() => existsSync(join(dir, 'loading')), 'the first scheduler is loading the pipeline of the tick it claimed');
    await first.killGroup();
    const [claimed] = await t.platform.pipelines.schedules.ticks('once');
    expect(claimed).toMatchObject({ runId: null, error: null });

    writeFileSync(join(dir, 'release-load'), '');
    const second = startCli(['scheduler'], t.dir, env);
    running.push(second);
    await until(async () => (await t.platform.pipelines.schedules.ticks('once'))[0]!.runId !== null, 'the tick has its run');
    const ticks = await t.platform.pipelines.schedules.ticks('once');
    expect(ticks).toHaveLength(1);
    expect(ticks[0]!.tickTime).toBe(claimed!.tickTime);
    await until(() => second.output().includes('(tick taken over from a scheduler that stopped)'), 'the second scheduler says it took the tick over');
    const runs = await t.platform.pipelines.queries.listRuns({ pipelineName: 'slow-load' });
    expect(runs.map((r) => r.runId)).toEqual([ticks[0]!.runId]);
    expect((await t.platform.pipelines.queries.waitForEnd(ticks[0]!.runId!, 30_000)).status).toBe('COMPLETED');
    second.child.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
  });
});
