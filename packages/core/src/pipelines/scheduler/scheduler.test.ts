import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/config.js';
import { openPlatform, type Platform } from '../../platform.js';
import { makeTestPlatform, type TestPlatform } from '../../testing/platforms.js';
import { checkCron, latestTick, nextTick } from './cron.js';

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
});
