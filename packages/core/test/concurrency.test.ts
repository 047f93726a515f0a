import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgresUri } from '../src/testing/postgres.js';
import { BACKENDS, backendAvailable, makeTestPlatform, type TestPlatform } from '../src/testing/platforms.js';

const run = promisify(execFile);
const WRITER = join(import.meta.dirname, 'fixtures', 'concurrent-writer.ts');
const WRITERS = 16;
const POINTS = 5000;

function spawnWriter(t: TestPlatform, ...args: string[]) {
  return spawnOn(t.storeUri, t, ...args);
}

function spawnOn(storeUri: string, t: TestPlatform, ...args: string[]) {
  return run(process.execPath, ['--import', 'tsx', WRITER, storeUri, join(t.dir, 'artifacts'), ...args], { timeout: 240_000 });
}

for (const backend of BACKENDS) {
  describe(`concurrent writers (separate processes): ${backend}`, () => {
    let t: TestPlatform | undefined;
    let skip = false;
    beforeAll(async () => {
      skip = !(await backendAvailable(backend));
      if (!skip) t = await makeTestPlatform(backend);
    });
    afterAll(async () => t?.cleanup());

    it(`${WRITERS} processes x ${POINTS} metrics into one run and into separate runs: every point once, no error`, async (ctx) => {
      if (skip || !t) return ctx.skip();
      const p = t.platform;
      const exp = await p.experiments.create({ name: 'concurrency' });
      const shared = (await p.runs.create({ experimentId: exp.experimentId })).info.runId;
      const own = await Promise.all(Array.from({ length: WRITERS / 2 }, () => p.runs.create({ experimentId: exp.experimentId })));
      // Half the writers share one run, the other half each have their own.
      const jobs = Array.from({ length: WRITERS }, (_, w) => {
        const target = w < WRITERS / 2 ? shared : own[w - WRITERS / 2]!.info.runId;
        return spawnWriter(t!, 'metrics', target, String(w), String(POINTS));
      });
      const outs = await Promise.all(jobs);
      for (const o of outs) expect(JSON.parse(o.stdout.trim())).toEqual({ ok: true });

      for (let w = 0; w < WRITERS; w++) {
        const runId = w < WRITERS / 2 ? shared : own[w - WRITERS / 2]!.info.runId;
        const history = await p.runs.getMetricHistory(runId, `w${w}`);
        expect(history.items).toHaveLength(POINTS);
        expect(new Set(history.items.map((m) => m.step)).size).toBe(POINTS);
        expect(history.items.every((m) => m.value === m.step)).toBe(true);
      }
      const sharedRun = await p.runs.get(shared);
      expect(sharedRun.data.metrics).toHaveLength(WRITERS / 2);
      for (const m of sharedRun.data.metrics) expect(m).toMatchObject({ step: POINTS - 1, value: POINTS - 1 });
    }, 300_000);

    it('6 processes appending to the same metric of the same run: every point once, in order', async (ctx) => {
      if (skip || !t) return ctx.skip();
      const p = t.platform;
      const exp = await p.experiments.create({ name: 'concurrency-shared-key' });
      const runId = (await p.runs.create({ experimentId: exp.experimentId })).info.runId;
      const writers = 6;
      const points = 3000;
      const outs = await Promise.all(Array.from({ length: writers }, (_, w) => spawnWriter(t!, 'shared-key', runId, String(w), String(points))));
      for (const o of outs) expect(JSON.parse(o.stdout.trim())).toEqual({ ok: true });
      const history = await p.runs.getMetricHistory(runId, 'shared');
      expect(history.items.map((m) => m.step)).toEqual(Array.from({ length: writers * points }, (_, i) => i));
      expect(history.items.every((m) => m.value === m.step)).toBe(true);
      expect((await p.runs.get(runId)).data.metrics).toMatchObject([{ key: 'shared', step: writers * points - 1 }]);
    }, 300_000);

    it('8 processes creating the same experiment name: exactly one wins, the rest get ALREADY_EXISTS', async (ctx) => {
      if (skip || !t) return ctx.skip();
      const outs = await Promise.all(Array.from({ length: 8 }, () => spawnWriter(t!, 'create-experiment', 'race-exp', '0', '0')));
      const results = outs.map((o) => JSON.parse(o.stdout.trim()) as { created?: string; code?: string });
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(results.filter((r) => r.code === 'ALREADY_EXISTS')).toHaveLength(7);
      expect((await t.platform.experiments.getByName('race-exp')).experimentId).toBe(results.find((r) => r.created)!.created);
    }, 120_000);
  
    it('6 processes opening an empty database at once all migrate it safely', async (ctx) => {
      if (skip || !t) return ctx.skip();
      const pg = backend === 'postgres' ? freshPostgresUri('mig') : null;
      const uri = pg ? pg.uri : `sqlite:${join(t.dir, 'empty.db')}`;
      try {
        const outs = await Promise.all(Array.from({ length: 6 }, (_, i) => spawnOn(uri, t!, 'create-experiment', `exp-${i}`, '0', '0')));
        for (const o of outs) expect(JSON.parse(o.stdout.trim())).toHaveProperty('created');
      } finally {
        await pg?.drop();
      }
    }, 120_000);
  });
}
