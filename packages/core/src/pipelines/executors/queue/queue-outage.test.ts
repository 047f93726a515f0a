import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPlatform, type TestPlatform } from '../../../testing/platforms.js';
import { startFaultProxy, type FaultProxy } from '../../../testing/fault-proxy.js';
import { freshRedisPrefix, redisAvailable, REDIS_TEST_URI } from '../../../testing/redis.js';
import { basic } from '../../fixtures/basic-pipelines.js';
import type { RunningWorker } from '../executor.js';

const available = await redisAvailable();
const reason = available ? '' : ' (skipped: no Redis on 127.0.0.1:6379; CI=true requires one)';
const BASIC = fileURLToPath(new URL('../../fixtures/basic-pipelines.ts', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// The queue's Redis behind a fault proxy: refused, dropped and stalled without touching the shared
// server. The producer (runs, the scheduler's fired runs) and the workers must carry on by themselves.
describe.skipIf(!available)(`queue executor, workers and scheduler when Redis goes away or hangs${reason}`, () => {
  let proxy: FaultProxy;
  let admin: Redis;
  let keys: ReturnType<typeof freshRedisPrefix>;
  let t: TestPlatform;
  let worker: RunningWorker;
  let n = 10;

  beforeAll(async () => {
    const target = new URL(REDIS_TEST_URI);
    proxy = await startFaultProxy({ host: target.hostname, port: Number(target.port || 6379) });
    admin = new Redis(REDIS_TEST_URI);
    keys = freshRedisPrefix(admin);
    t = await makeTestPlatform('sqlite', {
      pipelines: {
        executor: 'queue', queue_redis_uri: `redis://${proxy.address}${target.pathname}`, queue_prefix: keys.prefix.replace(/:$/, ''),
        queue_lock_seconds: 2, queue_stalled_check_seconds: 1, heartbeat_timeout_seconds: 60, queue_reply_timeout_seconds: 15,
      },
    });
    worker = await t.platform.pipelines.startWorker({ concurrency: 2 });
  });
  afterEach(async () => {
    await proxy.heal();
  });
  afterAll(async () => {
    await proxy?.heal();
    await worker?.close(2000);
    await t?.cleanup();
    await proxy?.close();
    await keys?.clean();
    admin?.disconnect();
  });

  // A fresh param each time, so no step is answered from the cache.
  const start = () => t.platform.pipelines.start(basic, { values: { n: n++ } });
  const completes = async (handle: Awaited<ReturnType<typeof start>>) => {
    const { run, steps } = await handle.done;
    expect(run.status).toBe('COMPLETED');
    expect(steps.map((s) => s.status)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED']);
  };

  it('completes runs submitted while Redis was down, once it is back (queue and workers reconnect)', async () => {
    await completes(await start());
    proxy.refuse();
    proxy.drop();
    const handle = await start();
    // Down for longer than clients that give up after a few tries would survive.
    await sleep(3000);
    await proxy.heal();
    await completes(handle);
    await completes(await start());
  });

  it('completes a run submitted while Redis hangs, once it answers again', async () => {
    proxy.stall();
    const handle = await start();
    await sleep(1500);
    await proxy.heal();
    await completes(handle);
  });

  it('completes a run submitted while Redis hangs, when the hang ends with the connections lost', async () => {
    proxy.stall();
    const handle = await start();
    await sleep(1500);
    proxy.drop();
    await proxy.heal();
    await completes(handle);
  });

  it('completes a run whose connections silently stopped answering (a lost network path), without any help', async () => {
    await completes(await start());
    // The connections open now get no answer ever again; new ones work. Nothing heals them:
    // the clients must notice (queue_reply_timeout_seconds) and reconnect.
    proxy.stall('open');
    const handle = await start();
    const late = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the run did not complete within 90 s of the connections going silent')), 90_000).unref());
    await Promise.race([completes(handle), late]);
  });

  it('fires schedules while Redis is down; their runs complete once it is back', async () => {
    await t.platform.pipelines.schedules.add({ name: 'through-outage', pipelineName: 'basic', source: { file: BASIC, exportName: 'basic' }, cron: '* * * * * *', params: { n: 999 } });
    proxy.refuse();
    proxy.drop();
    const errors: unknown[] = [];
    const scheduler = t.platform.pipelines.createScheduler({ pollMs: 100, onError: (e) => errors.push(e) });
    const fired: string[] = [];
    scheduler.start((f) => f.runId && fired.push(f.runId));
    while (fired.length < 1) await sleep(50);
    await scheduler.stop();
    await t.platform.pipelines.schedules.setEnabled('through-outage', false);
    await sleep(1500);
    await proxy.heal();
    for (const runId of fired) {
      const run = await t.platform.pipelines.queries.waitForEnd(runId, 120_000);
      const { steps } = await t.platform.pipelines.queries.getRun(runId);
      expect(run.status, JSON.stringify(steps.map((s) => [s.stepId, s.status, s.error]))).toBe('COMPLETED');
    }
    expect(errors).toEqual([]);
  });
});
