import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPlatform, type TestPlatform } from '../testing/platforms.js';
import { reaperIntervalMs, startHeartbeatReaper } from './heartbeat-reaper.js';

describe('heartbeat reaper', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await makeTestPlatform('sqlite');
  });
  afterAll(() => t?.cleanup());

  it('sweeps every min(60 s, timeout / 4), at least once a second', () => {
    expect(reaperIntervalMs(600)).toBe(60_000);
    expect(reaperIntervalMs(120)).toBe(30_000);
    expect(reaperIntervalMs(1)).toBe(1000);
  });

  it('marks runs whose heartbeat lapsed KILLED, and leaves live ones alone', async () => {
    const exp = await t.platform.experiments.create({ name: 'reaper' });
    const stale = await t.platform.runs.create({ experimentId: exp.experimentId, heartbeat: true });
    const live = await t.platform.runs.create({ experimentId: exp.experimentId, heartbeat: true });
    await t.platform.database.db.updateTable('runs').set({ last_heartbeat: Date.now() - 120_000 }).where('run_uuid', '=', stale.info.runId).execute();
    const reaper = startHeartbeatReaper(t.platform.runs, 60);
    try {
      expect(await reaper.sweep()).toEqual([stale.info.runId]);
    } finally {
      reaper.stop();
    }
    expect((await t.platform.runs.getInfo(stale.info.runId)).status).toBe('KILLED');
    expect((await t.platform.runs.getInfo(live.info.runId)).status).toBe('RUNNING');
  });

  it('runs on its timer until stopped', async () => {
    let sweeps = 0;
    const reaper = startHeartbeatReaper({ killStaleRuns: async () => (sweeps++, []) }, 4);
    await new Promise((r) => setTimeout(r, 1300));
    reaper.stop();
    const seen = sweeps;
    expect(seen).toBeGreaterThanOrEqual(1);
    await new Promise((r) => setTimeout(r, 1200));
    expect(sweeps).toBe(seen);
  });
});
