import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/config.js';
import { openPlatform, type Platform } from '../../platform.js';
import { makeTestPlatform, type TestPlatform } from '../../testing/platforms.js';
import { checkCron, latestTick, nextTick } from './cron.js';
import { basic } from '../fixtures/basic-pipelines.js';
import { pipelineDb } from '../sql/pipeline-tables.js';
import { ScheduleStore } from '../sql/schedule-store.js';

const BASIC = fileURLToPath(new URL('../fixtures/basic-pipelines.ts', import.meta.url));

describe('cron', () => {
  it('finds the latest due tick and the next one, in a time zone', () => {
    const t = Date.UTC(2024, 0, 1, 10, 7, 30);
    expect(latestTick('*/5 * * * *', 'UTC', 0, t)).toBe(Date.UTC(2024, 0, 1, 10, 5));
    expect(latestTick('*/5 * * * *', 'UTC', Date.UTC(2024, 0, 1, 10, 5), t)).toBeNull();
    expect(nextTick('0 3 * * *', 'Europe/Berlin', t)).toBe(Date.UTC(2024, 0, 2, 2));
  });

  it('refuses bad expressions and time zones with the reason', () => {
    expect(() => checkCron('61 * * * *', 'UTC')).toThrow("Cron expression '61 * * * *' is not valid: Constraint error, got value 61 expected range 0-59.");
    expect(() => checkCron('* * *', 'UTC')).toThrow(/must have 5 fields/);
    expect(() => checkCron('* * * * *', 'Mars/Olympus')).toThrow("Unknown time zone 'Mars/Olympus': use an IANA name such as UTC or Europe/Berlin.");
  });
});

describe('schedulers', () => {
  let t: TestPlatform;
  let second: Platform;
  beforeAll(async () => {
    t = await makeTestPlatform('sqlite');
    second = await openPlatform(t.platform.config);
  });
  afterAll(async () => {
    await second?.close();
    await t?.cleanup();
  });

  it('two schedulers running at once never fire the same tick twice', async () => {
    await t.platform.pipelines.schedules.add({ name: 'every-second', pipelineName: 'basic', source: { file: BASIC, exportName: 'basic' }, cron: '* * * * * *', params: { n: 2 } });
    const fired: Array<{ tickTime: number; runId: string | null; error: string | null }> = [];
    const a = t.platform.pipelines.createScheduler({ pollMs: 50 });
    const b = second.pipelines.createScheduler({ pollMs: 50 });
    a.start((f) => fired.push(f));
    b.start((f) => fired.push(f));
    await new Promise((r) => setTimeout(r, 2600));
    await Promise.all([a.stop(), b.stop()]);
    await t.platform.pipelines.schedules.setEnabled('every-second', false);
    expect(fired.length).toBeGreaterThanOrEqual(2);
    expect(fired.every((f) => f.error === null)).toBe(true);
    expect(new Set(fired.map((f) => f.tickTime)).size).toBe(fired.length);
    const ticks = await t.platform.pipelines.schedules.ticks('every-second');
    expect(ticks.map((x) => x.tickTime).sort()).toEqual(fired.map((f) => f.tickTime).sort());
    const runs = await t.platform.pipelines.queries.listRuns({ pipelineName: 'basic' });
    expect(new Set(runs.map((r) => r.runId))).toEqual(new Set(fired.map((f) => f.runId)));
    await Promise.all(runs.map((r) => t.platform.pipelines.queries.waitForEnd(r.runId, 20_000).catch(() => second.pipelines.queries.waitForEnd(r.runId, 20_000))));
    const ended = await t.platform.pipelines.queries.listRuns({ pipelineName: "basic" });
    expect(ended.filter((r) => r.status !== "COMPLETED").map((r) => r.statusReason)).toEqual([]);
  });

  it('records a tick whose pipeline cannot be loaded, with the error', async () => {
    await t.platform.pipelines.schedules.add({ name: 'broken', pipelineName: 'nope', source: { file: BASIC, exportName: null }, cron: '* * * * * *' });
    const s = t.platform.pipelines.createScheduler();
    await new Promise((r) => setTimeout(r, 1100));
    const fired = await s.tick();
    await t.platform.pipelines.schedules.remove('broken');
    expect(fired.find((f) => f.schedule === 'broken')?.error).toMatch(/no longer defines pipeline 'nope'/);
    expect(() => loadConfig({ cwd: t.dir, env: {}, overrides: { pipelines: { executor: 'celery' } } })).toThrow(/pipelines.executor/);
  });

  it('takes over a claimed tick whose scheduler died before starting its run; the dead claim can no longer start one', async () => {
    const s = await t.platform.pipelines.schedules.add({ name: 'half-done', pipelineName: 'basic', source: { file: BASIC, exportName: 'basic' }, cron: '0 3 * * *', params: { n: 2 } });
    const tick = Date.UTC(2030, 0, 1, 3);
    const store = new ScheduleStore(pipelineDb(t.platform.database.db));
    // A scheduler claimed the tick, then died while loading the pipeline: no run, no error.
    expect(await store.claimTick(s.scheduleId, tick, Date.now(), 'dead-claim')).toBe(true);
    const scheduler = t.platform.pipelines.createScheduler({ leaseMs: 100 });
    expect(await scheduler.tick()).toEqual([]);
    await new Promise((r) => setTimeout(r, 150));
    const fired = await scheduler.tick();
    expect(fired).toEqual([{ schedule: 'half-done', tickTime: tick, runId: expect.any(String), error: null, recovered: true }]);
    expect(await scheduler.tick()).toEqual([]);
    // Had the first scheduler come back, its claim would start nothing: the tick has its run.
    const before = (await t.platform.pipelines.queries.listRuns({ pipelineName: 'basic', maxResults: 1000 })).length;
    await expect(t.platform.pipelines.start(basic, { values: { n: 2 }, tick: { scheduleId: s.scheduleId, tickTime: tick, claimToken: 'dead-claim' } })).rejects.toThrow('Another scheduler took this schedule tick over; it starts the run.');
    expect((await t.platform.pipelines.queries.listRuns({ pipelineName: 'basic', maxResults: 1000 })).length).toBe(before);
    expect((await t.platform.pipelines.queries.waitForEnd(fired[0]!.runId!, 20_000)).status).toBe('COMPLETED');
    expect((await t.platform.pipelines.schedules.ticks('half-done')).map((x) => x.runId)).toEqual([fired[0]!.runId]);
    await t.platform.pipelines.schedules.remove('half-done');
  });
});
