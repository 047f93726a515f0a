import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCairnError } from '../errors.js';
import type { Platform } from '../platform.js';
import type { TestPlatform } from '../testing/platforms.js';

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  await p.then(
    () => expect.fail(`expected ${code}`),
    (e) => {
      if (!isCairnError(e)) throw e;
      expect(e.code).toBe(code);
    },
  );
}

/** The tracking contract: every metadata backend must pass it unchanged. */
export function runTrackingContract(name: string, make: () => Promise<TestPlatform>, available: () => Promise<boolean>) {
  describe(`tracking contract: ${name}`, () => {
    let t: TestPlatform | undefined;
    let p: Platform;
    let skip = false;
    beforeAll(async () => {
      skip = !(await available());
      if (skip) return;
      t = await make();
      p = t.platform;
    });
    afterAll(async () => t?.cleanup());

    it('creates, finds, renames, deletes and restores experiments', async (ctx) => {
      if (skip) return ctx.skip();
      const e = await p.experiments.create({ name: 'churn', tags: { team: 'ml' } });
      expect(e).toMatchObject({ name: 'churn', lifecycleStage: 'active', tags: { team: 'ml' } });
      expect(e.artifactLocation).toBe(e.experimentId);
      expect((await p.experiments.getByName('churn')).experimentId).toBe(e.experimentId);
      await expectCode(p.experiments.create({ name: 'churn' }), 'ALREADY_EXISTS');
      await p.experiments.rename(e.experimentId, 'churn-v2');
      await expectCode(p.experiments.getByName('churn'), 'NOT_FOUND');
      await p.experiments.setTag(e.experimentId, 'owner', 'ana');
      await p.experiments.deleteTag(e.experimentId, 'team');
      expect((await p.experiments.get(e.experimentId)).tags).toEqual({ owner: 'ana' });
      await p.experiments.delete(e.experimentId);
      expect((await p.experiments.get(e.experimentId)).lifecycleStage).toBe('deleted');
      await expectCode(p.runs.create({ experimentId: e.experimentId }), 'FAILED_PRECONDITION');
      await p.experiments.restore(e.experimentId);
      await expectCode(p.experiments.get('999999'), 'NOT_FOUND');
      await expectCode(p.experiments.get('abc'), 'NOT_FOUND');
      await expectCode(p.experiments.delete('0'), 'FAILED_PRECONDITION');
    });

    it('runs: lifecycle, nested runs, source, params are immutable', async (ctx) => {
      if (skip) return ctx.skip();
      const e = await p.experiments.create({ name: 'runs-exp' });
      const parent = await p.runs.create({ experimentId: e.experimentId, runName: 'parent', source: { gitCommit: 'abc123', gitDirty: true, entryPoint: 'train.ts', nodeVersion: 'v20' } });
      expect(parent.info).toMatchObject({ status: 'RUNNING', runName: 'parent', source: { gitCommit: 'abc123', gitDirty: true, entryPoint: 'train.ts', nodeVersion: 'v20' } });
      expect(parent.info.artifactUri).toBe(`${e.experimentId}/${parent.info.runId}/artifacts`);
      const child = await p.runs.create({ experimentId: e.experimentId, parentRunId: parent.info.runId, params: { lr: '0.1' } });
      expect(child.info.parentRunId).toBe(parent.info.runId);
      await expectCode(p.runs.create({ experimentId: e.experimentId, parentRunId: 'nope' }), 'NOT_FOUND');
      await p.runs.logParam(child.info.runId, 'lr', '0.1');
      await expectCode(p.runs.logParam(child.info.runId, 'lr', '0.2'), 'INVALID_ARGUMENT');
      const done = await p.runs.update(child.info.runId, { status: 'FINISHED' });
      expect(done.status).toBe('FINISHED');
      expect(done.endTime).toBeTypeOf('number');
      await expectCode(p.runs.update(child.info.runId, { status: 'DONE' as never }), 'INVALID_ARGUMENT');
      await p.runs.delete(child.info.runId);
      expect((await p.runs.getInfo(child.info.runId)).lifecycleStage).toBe('deleted');
      await expectCode(p.runs.logParam(child.info.runId, 'x', '1'), 'FAILED_PRECONDITION');
      await p.runs.restore(child.info.runId);
      await expectCode(p.runs.get('0123456789abcdef0123456789abcdef'), 'NOT_FOUND');
      await expectCode(p.runs.get('../../etc'), 'NOT_FOUND');
    });

    it('metrics keep full history, latest by (step, timestamp, value), and NaN/±Inf faithfully', async (ctx) => {
      if (skip) return ctx.skip();
      const e = await p.experiments.create({ name: 'metrics-exp' });
      const run = await p.runs.create({ experimentId: e.experimentId });
      const id = run.info.runId;
      await p.runs.logBatch(id, {
        metrics: [
          { key: 'loss', value: 0.9, timestamp: 1000, step: 0 },
          { key: 'loss', value: 0.5, timestamp: 900, step: 2 },
          { key: 'loss', value: 0.7, timestamp: 1100, step: 1 },
          { key: 'nan', value: Number.NaN, timestamp: 1, step: 0 },
          { key: 'inf', value: Number.POSITIVE_INFINITY, timestamp: 1, step: 0 },
          { key: 'ninf', value: Number.NEGATIVE_INFINITY, timestamp: 1, step: 0 },
        ],
      });
      // An older point logged later must not move "latest" backwards; an identical point is stored once.
      await p.runs.logMetric(id, { key: 'loss', value: 0.1, timestamp: 5000, step: 1 });
      await p.runs.logBatch(id, { metrics: [{ key: 'loss', value: 0.1, timestamp: 5000, step: 1 }, { key: 'loss', value: 0.1, timestamp: 5000, step: 1 }] });
      const got = await p.runs.get(id);
      const latest = Object.fromEntries(got.data.metrics.map((m) => [m.key, m]));
      expect(latest.loss).toMatchObject({ value: 0.5, step: 2 });
      expect(latest.nan!.value).toBeNaN();
      expect(latest.inf!.value).toBe(Number.POSITIVE_INFINITY);
      expect(latest.ninf!.value).toBe(Number.NEGATIVE_INFINITY);
      const history = await p.runs.getMetricHistory(id, 'loss');
      expect(history.items.map((m) => [m.step, m.value])).toEqual([[0, 0.9], [1, 0.7], [1, 0.1], [2, 0.5]]);
      const page1 = await p.runs.getMetricHistory(id, 'loss', { maxResults: 3 });
      expect(page1.items).toHaveLength(3);
      const page2 = await p.runs.getMetricHistory(id, 'loss', { maxResults: 3, pageToken: page1.nextPageToken! });
      expect(page2.items).toHaveLength(1);
      expect(page2.nextPageToken).toBeNull();
      await expectCode(p.runs.logMetric(id, { key: 'x', value: 1, step: 2 ** 60 }), 'INVALID_ARGUMENT');
      await expectCode(p.runs.logMetric(id, { key: 'x', value: '1' as never }), 'INVALID_ARGUMENT');
    });

    it('history is ordered by (step, timestamp, value) whatever the write order, without exact duplicates', async (ctx) => {
      if (skip) return ctx.skip();
      const e = await p.experiments.create({ name: 'history-order-exp' });
      const id = (await p.runs.create({ experimentId: e.experimentId })).info.runId;
      const m = (step: number, timestamp: number, value: number) => ({ key: 'h', step, timestamp, value });
      await p.runs.logBatch(id, { metrics: [m(5, 10, 1), m(3, 10, 1), m(3, 9, 1), m(3, 10, 1), m(4, 10, 2), m(4, 10, -1)] });
      // A later batch with earlier steps, a repeat of a stored point, and one point repeated within the batch.
      await p.runs.logBatch(id, { metrics: [m(1, 10, 1), m(5, 10, 1), m(4, 10, 0.5), m(4, 10, 0.5), m(6, 1, 1)] });
      await p.runs.logMetric(id, m(2, 10, 1));
      await p.runs.logMetric(id, m(2, 10, 1));
      const history = (await p.runs.getMetricHistory(id, 'h')).items.map((x) => [x.step, x.timestamp, x.value]);
      expect(history).toEqual([[1, 10, 1], [2, 10, 1], [3, 9, 1], [3, 10, 1], [4, 10, -1], [4, 10, 0.5], [4, 10, 2], [5, 10, 1], [6, 1, 1]]);
      expect((await p.runs.get(id)).data.metrics).toEqual([m(6, 1, 1)]);
    });

    it('history keeps NaN and ±Infinity exactly; NaN sorts below numbers at the same step and time, once', async (ctx) => {
      if (skip) return ctx.skip();
      const e = await p.experiments.create({ name: 'history-nan-exp' });
      const id = (await p.runs.create({ experimentId: e.experimentId })).info.runId;
      const m = (step: number, value: number) => ({ key: 'v', step, timestamp: 7, value });
      await p.runs.logBatch(id, { metrics: [m(2, Infinity), m(1, 0), m(1, Number.NaN), m(1, -Infinity), m(3, -0), m(0, Number.MAX_VALUE), m(0, 5e-324)] });
      await p.runs.logBatch(id, { metrics: [m(1, Number.NaN), m(2, Infinity)] });
      const values = (await p.runs.getMetricHistory(id, 'v')).items.map((x) => [x.step, x.value]);
      expect(values).toEqual([[0, 5e-324], [0, Number.MAX_VALUE], [1, Number.NaN], [1, -Infinity], [1, 0], [2, Infinity], [3, -0]]);
      expect(Object.is(values[6]![1], -0)).toBe(true);
    });

    it('pages through a long history across segment boundaries, whatever the batch sizes', async (ctx) => {
      if (skip) return ctx.skip();
      const e = await p.experiments.create({ name: 'history-paging-exp' });
      const id = (await p.runs.create({ experimentId: e.experimentId })).info.runId;
      const points = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => ({ key: 'long', step: from + i, timestamp: 1000 + from + i, value: (from + i) / 3 }));
      await p.runs.logBatch(id, { metrics: points(0, 700) });
      await p.runs.logBatch(id, { metrics: points(700, 20_000) });
      for (let s = 20_000; s < 20_010; s++) await p.runs.logMetric(id, points(s, s + 1)[0]!);
      await p.runs.logBatch(id, { metrics: points(20_010, 25_000).reverse() });
      const seen: number[] = [];
      let pageToken: string | undefined;
      do {
        const page = await p.runs.getMetricHistory(id, 'long', { maxResults: 3000, ...(pageToken ? { pageToken } : {}) });
        expect(page.items.length).toBeLessThanOrEqual(3000);
        for (const x of page.items) {
          expect(x.value).toBe(x.step / 3);
          seen.push(x.step);
        }
        pageToken = page.nextPageToken ?? undefined;
      } while (pageToken);
      expect(seen).toEqual(Array.from({ length: 25_000 }, (_, i) => i));
      const all = await p.runs.getMetricHistory(id, 'long');
      expect(all.items).toHaveLength(25_000);
      expect(all.nextPageToken).toBeNull();
      expect((await p.runs.getMetricHistory(id, 'long', { maxResults: 25_000 })).nextPageToken).toBeNull();
    });

    it('late and repeated points after a long history are merged in order, once, page by page', async (ctx) => {
      if (skip) return ctx.skip();
      const e = await p.experiments.create({ name: 'history-late-exp' });
      const id = (await p.runs.create({ experimentId: e.experimentId })).info.runId;
      const m = (step: number, value = step) => ({ key: 'late', step, timestamp: 5, value });
      const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => m(from + i));
      await p.runs.logBatch(id, { metrics: range(0, 3000) });
      await p.runs.logBatch(id, { metrics: [...range(1000, 1010), ...range(5000, 5005), m(2500, -1), m(2500, 1e9), m(-3)] });
      await p.runs.logBatch(id, { metrics: [...range(1005, 1015), m(2500, -1)] });
      const expected = [m(-3), ...range(0, 2500), m(2500, -1), m(2500), m(2500, 1e9), ...range(2501, 3000), ...range(5000, 5005)];
      expect((await p.runs.getMetricHistory(id, 'late')).items).toEqual(expected);
      const paged = [];
      let pageToken: string | undefined;
      do {
        const page = await p.runs.getMetricHistory(id, 'late', { maxResults: 999, ...(pageToken ? { pageToken } : {}) });
        paged.push(...page.items);
        pageToken = page.nextPageToken ?? undefined;
      } while (pageToken);
      expect(paged).toEqual(expected);
      expect((await p.runs.get(id)).data.metrics).toEqual([m(5004)]);
    });

    it('a failing batch changes no stored history', async (ctx) => {
      if (skip) return ctx.skip();
      const e = await p.experiments.create({ name: 'history-atomic-exp' });
      const id = (await p.runs.create({ experimentId: e.experimentId, params: { a: '1' } })).info.runId;
      await p.runs.logBatch(id, { metrics: [{ key: 'x', value: 1, timestamp: 1, step: 0 }, { key: 'x', value: 2, timestamp: 1, step: 1 }] });
      const before = await p.runs.getMetricHistory(id, 'x');
      await expectCode(
        p.runs.logBatch(id, {
          metrics: [{ key: 'x', value: 3, timestamp: 1, step: 2 }, { key: 'y', value: 1, timestamp: 1, step: 0 }],
          params: [{ key: 'a', value: '2' }],
        }),
        'INVALID_ARGUMENT',
      );
      expect(await p.runs.getMetricHistory(id, 'x')).toEqual(before);
      expect((await p.runs.getMetricHistory(id, 'y')).items).toEqual([]);
      expect((await p.runs.get(id)).data.metrics).toEqual([{ key: 'x', value: 2, timestamp: 1, step: 1 }]);
    });

    it('a batch is atomic: a bad param leaves no metric, tag or param behind', async (ctx) => {
      if (skip) return ctx.skip();
      const e = await p.experiments.create({ name: 'atomic-exp' });
      const run = await p.runs.create({ experimentId: e.experimentId, params: { a: '1' } });
      const id = run.info.runId;
      await expectCode(
        p.runs.logBatch(id, {
          metrics: [{ key: 'm', value: 1, timestamp: 1, step: 0 }],
          tags: [{ key: 't', value: 'v' }],
          params: [{ key: 'b', value: '2' }, { key: 'a', value: 'changed' }],
        }),
        'INVALID_ARGUMENT',
      );
      const after = await p.runs.get(id);
      expect(after.data.metrics).toEqual([]);
      expect(after.data.params).toEqual({ a: '1' });
      expect(after.data.tags).toEqual({});
      expect((await p.runs.getMetricHistory(id, 'm')).items).toEqual([]);
    });

    it('unicode and emoji keys and values round-trip byte-exact', async (ctx) => {
      if (skip) return ctx.skip();
      const e = await p.experiments.create({ name: 'ünïcødé 🧪 实验' });
      const key = 'métrique/损失/🔥';
      const value = 'värde 🚀 \u{1F9EA} Ωmega 𝔘';
      const run = await p.runs.create({ experimentId: e.experimentId, tags: { [key]: value }, params: { [key]: value } });
      await p.runs.logMetric(run.info.runId, { key, value: 1.5 });
      const got = await p.runs.get(run.info.runId);
      expect(got.data.tags[key]).toBe(value);
      expect(got.data.params[key]).toBe(value);
      expect(got.data.metrics[0]!.key).toBe(key);
      expect((await p.experiments.getByName('ünïcødé 🧪 实验')).experimentId).toBe(e.experimentId);
      await expectCode(p.runs.setTag(run.info.runId, 'bad', 'a\u0000b'), 'INVALID_ARGUMENT');
      await expectCode(p.runs.deleteTag(run.info.runId, 'a\u0000b'), 'INVALID_ARGUMENT');
      await expectCode(p.experiments.getByName('a\u0000b'), 'NOT_FOUND');
      await expectCode(p.experiments.deleteTag(e.experimentId, 'a\u0000b'), 'INVALID_ARGUMENT');
      await expectCode(p.runs.setTag(run.info.runId, 'bad', '\uD800'), 'INVALID_ARGUMENT');
      await expectCode(p.runs.setTag(run.info.runId, 'k'.repeat(251), 'v'), 'INVALID_ARGUMENT');
      await expectCode(p.runs.logParam(run.info.runId, 'p', 'v'.repeat(6001)), 'INVALID_ARGUMENT');
    });

    it('dataset inputs are recorded once per dataset with their context', async (ctx) => {
      if (skip) return ctx.skip();
      const e = await p.experiments.create({ name: 'inputs-exp' });
      const run = await p.runs.create({ experimentId: e.experimentId });
      const dataset = { name: 'customers', digest: 'd1', sourceType: 'local', source: '{"uri":"data.parquet"}', schema: '{"cols":[]}' };
      await p.runs.logInputs(run.info.runId, [{ dataset, tags: { 'mlflow.data.context': 'training', split: 'a' } }]);
      await p.runs.logInputs(run.info.runId, [{ dataset, tags: { 'mlflow.data.context': 'training', split: 'a' } }]);
      const got = await p.runs.get(run.info.runId);
      expect(got.inputs).toHaveLength(1);
      expect(got.inputs[0]).toMatchObject({ dataset: { name: 'customers', digest: 'd1' }, tags: { 'mlflow.data.context': 'training', split: 'a' } });
    });

    it('runs whose heartbeat lapsed are marked KILLED with the reason; others are left alone', async (ctx) => {
      if (skip) return ctx.skip();
      const e = await p.experiments.create({ name: 'heartbeat-exp' });
      const beating = await p.runs.create({ experimentId: e.experimentId, heartbeat: true });
      const silent = await p.runs.create({ experimentId: e.experimentId });
      await new Promise((r) => setTimeout(r, 1100));
      const killed = await p.runs.killStaleRuns(1);
      expect(killed).toContain(beating.info.runId);
      expect(killed).not.toContain(silent.info.runId);
      const info = await p.runs.getInfo(beating.info.runId);
      expect(info.status).toBe('KILLED');
      expect(info.statusReason).toMatch(/heartbeat/);
      await expectCode(p.runs.heartbeat(beating.info.runId), 'FAILED_PRECONDITION');
    });

    it('search runs with filter, order and paging', async (ctx) => {
      if (skip) return ctx.skip();
      const e = await p.experiments.create({ name: 'search-exp' });
      for (let i = 0; i < 5; i++) {
        const r = await p.runs.create({ experimentId: e.experimentId, params: { p1: i % 2 ? 'a' : 'b' }, startTime: 1000 + i });
        await p.runs.logMetric(r.info.runId, { key: 'm1', value: i / 4 });
      }
      const res = await p.runs.search({ experimentIds: [e.experimentId], filter: "metrics.m1 > 0.1 and params.p1 = 'a'", orderBy: ['metrics.m1 DESC'] });
      expect(res.items.map((r) => r.data.metrics[0]!.value)).toEqual([0.75, 0.25]);
      const page = await p.runs.search({ experimentIds: [e.experimentId], maxResults: 2 });
      expect(page.items).toHaveLength(2);
      expect(page.nextPageToken).toBeTruthy();
      await expectCode(p.runs.search({ experimentIds: [e.experimentId], filter: 'metrics.m1 >' }), 'INVALID_ARGUMENT');
    });
  });
}
