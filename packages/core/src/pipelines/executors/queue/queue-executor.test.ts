import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPlatform, type TestPlatform } from '../../../testing/platforms.js';
import { freshRedisPrefix, redisAvailable, REDIS_TEST_URI, startPrivateRedis } from '../../../testing/redis.js';
import { cancellable } from '../../fixtures/basic-pipelines.js';
import { crashy, fanOut } from '../../fixtures/crash-pipelines.js';
import { waitFor } from '../../pipelines.contract.js';
import { startPlatformProcess, type PlatformProcess } from '../../testing/platform-process.js';

const available = await redisAvailable();
const reason = available ? '' : ' (skipped: no Redis on 127.0.0.1:6379; CI=true requires one)';
const queueConfig = (uri: string, prefix: string) => ({ executor: 'queue', queue_redis_uri: uri, queue_prefix: prefix, queue_lock_seconds: 2, queue_stalled_check_seconds: 1, heartbeat_timeout_seconds: 10 });

describe.skipIf(!available)(`queue executor (BullMQ)${reason}`, () => {
  let redis: Redis;
  let prefix: { prefix: string; clean(): Promise<void> };
  let t: TestPlatform;
  const workers: PlatformProcess[] = [];
  beforeAll(async () => {
    redis = new Redis(REDIS_TEST_URI, { maxRetriesPerRequest: 1 });
    prefix = freshRedisPrefix(redis);
    t = await makeTestPlatform('sqlite', { pipelines: queueConfig(REDIS_TEST_URI, prefix.prefix.replace(/:$/, '')) });
    const config = { cwd: t.dir, store: { uri: t.storeUri }, artifact: { uri: join(t.dir, 'artifacts') }, pipelines: queueConfig(REDIS_TEST_URI, prefix.prefix.replace(/:$/, '')) };
    for (let i = 0; i < 2; i++) workers.push(startPlatformProcess(config, ['worker']));
    await Promise.all(workers.map((w) => w.waitFor(/worker ready/)));
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await t?.cleanup();
    await prefix?.clean();
    redis?.disconnect();
  });

  it('runs the same pipeline code on worker processes; only the config changed', async () => {
    const { run, steps } = await t.platform.pipelines.run(fanOut, { values: { salt: 'a' } });
    expect(run).toMatchObject({ status: 'COMPLETED', executor: 'queue' });
    expect(steps).toHaveLength(7);
    const pids = new Set(steps.map((s) => s.worker));
    expect(pids.has(`${hostname()}:${process.pid}`)).toBe(false);
    const lineage = await t.platform.pipelines.queries.lineage(run.runId);
    expect(lineage[6]!.inputs.map((l) => l.name)).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5']);
    // The worker records the step's tracking run too, with its output reference (written just after the step completed).
    const tracked = await t.platform.runs.get(steps[6]!.trackingRunId!);
    expect(tracked.info).toMatchObject({ status: 'FINISHED', parentRunId: run.trackingRunId });
    await waitFor(async () => (await t.platform.runs.listArtifacts(tracked.info.runId, 'cairn-outputs')).some((f) => f.path === 'cairn-outputs/total.json'));
    // Caching works the same: a second run is answered by the orchestrator without the queue.
    expect((await t.platform.pipelines.run(fanOut, { values: { salt: 'a' } })).steps.every((s) => s.status === 'CACHED')).toBe(true);
  });

  it('cancels a run whose step is running on a worker: the worker stops it, the rest never start', async () => {
    const handle = await t.platform.pipelines.start(cancellable);
    await waitFor(async () => (await t.platform.pipelines.queries.getRun(handle.runId)).steps[0]!.status === 'RUNNING', 20_000);
    const running = (await t.platform.pipelines.queries.getRun(handle.runId)).steps[0]!;
    expect(running.worker).not.toBe(`${hostname()}:${process.pid}`);
    const asked = Date.now();
    // As `cairn pipelines cancel` does from another process.
    await t.platform.pipelines.cancel(handle.runId);
    const { run, steps } = await handle.done;
    expect(run.status).toBe('CANCELLED');
    expect(steps.map((s) => s.status)).toEqual(['CANCELLED', 'CANCELLED']);
    // The worker heard it at a lease renewal (every queue_lock_seconds / 4 = 500 ms here), not at the 10 s step's end.
    expect(steps[0]!.endTime! - asked).toBeLessThan(5000);
    expect(steps[0]!.error?.message).toBe('cancelled while running');
    expect(steps[1]!.startTime).toBeNull();
    expect((await t.platform.runs.get(steps[0]!.trackingRunId!)).info.status).toBe('KILLED');
    expect((await t.platform.runs.get(run.trackingRunId!)).info.status).toBe('KILLED');
    // The workers go on taking steps.
    expect((await t.platform.pipelines.run(cancellable, { overrides: { ms: '10' } })).run.status).toBe('COMPLETED');
  });

  it('hands the step of a worker killed mid-step (kill -9) to another worker; it completes once', async () => {
    const dir = t.dir;
    const handle = await t.platform.pipelines.start(crashy, { values: { dir } });
    await waitFor(async () => existsSync(join(dir, 'gate.count')), 20_000);
    const gateRun = (await t.platform.pipelines.queries.getRun(handle.runId)).steps[1]!;
    const pid = Number(gateRun.worker!.split(':')[1]);
    const victim = workers.find((w) => w.child.pid === pid)!;
    expect(victim).toBeDefined();
    await victim.kill9();
    const killedAt = Date.now();
    writeFileSync(join(dir, 'release'), '');
    const { run, steps, attempts } = await handle.done;
    expect(Date.now() - killedAt).toBeLessThan(60_000);
    expect(run.status).toBe('COMPLETED');
    // The takeover is attempt 2; attempt 1 (the dead worker's) is kept, ended at its last lease renewal.
    expect(steps[1]).toMatchObject({ status: 'COMPLETED', attempt: 2 });
    expect(steps[1]!.worker).not.toBe(gateRun.worker);
    const gateAttempts = attempts.filter((a) => a.stepId === 'gate');
    expect(gateAttempts.map((a) => [a.attempt, a.status, a.worker])).toEqual([[1, 'FAILED', gateRun.worker], [2, 'COMPLETED', steps[1]!.worker]]);
    expect(gateAttempts[0]!.error).toMatch(/^abandoned: .* stopped renewing its lease \(killed or stalled\); attempt 2 took over$/);
    expect(gateAttempts[0]!.endTime!).toBeLessThanOrEqual(killedAt);
    // The step body ran twice (delivery is at least once), but it completed once: one output link.
    expect(readFileSync(join(dir, 'gate.count'), 'utf8').split('\n').filter(Boolean).map(Number)).toEqual([pid, Number(steps[1]!.worker!.split(':')[1])]);
    const lineage = await t.platform.pipelines.queries.lineage(run.runId);
    expect(lineage[1]!.outputs.map((o) => o.name)).toEqual(['v']);
  });
});

describe.skipIf(!available)(`queue executor with Redis restarting${reason}`, () => {
  it('finishes the run when Redis restarts (losing its data) under a running step', async () => {
    const server = await startPrivateRedis();
    let restarted: ReturnType<typeof spawn> | null = null;
    const t = await makeTestPlatform('sqlite', { pipelines: queueConfig(server.uri, 'cairn-restart') });
    try {
      const worker = await t.platform.pipelines.startWorker({ concurrency: 2 });
      const dir = t.dir;
      const handle = await t.platform.pipelines.start(crashy, { values: { dir } });
      await waitFor(async () => existsSync(join(dir, 'gate.count')), 20_000);
      await server.stop();
      await new Promise((r) => setTimeout(r, 300));
      restarted = spawn('redis-server', ['--port', String(server.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
      writeFileSync(join(dir, 'release'), '');
      const { run, steps } = await handle.done;
      expect(run.status).toBe('COMPLETED');
      expect(steps.map((s) => s.status)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED']);
      await worker.close(2000);
    } finally {
      await t.cleanup();
      restarted?.kill('SIGKILL');
      await server.stop();
    }
  });
});
