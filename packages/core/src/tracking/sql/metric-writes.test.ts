import { beforeAll, expect, it } from 'vitest';
import type { Platform } from '../../platform.js';
import { describeEachPlatform } from '../../testing/describe-platforms.js';
import { SEGMENT_APPEND_BELOW, SEGMENT_MAX_POINTS, decodeSegments, normalizePoints } from './metric-segments.js';
import { latestPerKey, writeMetrics } from './metric-writes.js';

// How history lands in metric_segments: the layout the read path's speed depends on.
describeEachPlatform('metric segment writes', (t) => {
  let p: Platform;
  beforeAll(() => {
    p = t().platform;
  });

  const newRun = async () => {
    const e = await p.experiments.findByName('writes') ?? await p.experiments.create({ name: 'writes' });
    return (await p.runs.create({ experimentId: e.experimentId })).info.runId;
  };
  const segments = (runId: string, key: string) =>
    p.database.db.selectFrom('metric_segments').select(['seq', 'n', 'min_step', 'max_step', 'data']).where('run_uuid', '=', runId).where('key', '=', key).orderBy('seq').execute();
  const points = (key: string, from: number, to: number) => Array.from({ length: to - from }, (_, i) => ({ key, step: from + i, timestamp: 1, value: from + i }));

  it('single-point writes fill segments instead of adding one row each', async () => {
    const id = await newRun();
    const n = SEGMENT_APPEND_BELOW + 30;
    for (let s = 0; s < n; s++) await p.runs.logMetric(id, { key: 'one', step: s, timestamp: 1, value: s });
    const segs = await segments(id, 'one');
    expect(segs.map((s) => [s.seq, s.n, s.min_step, s.max_step])).toEqual([[0, SEGMENT_APPEND_BELOW, 0, SEGMENT_APPEND_BELOW - 1], [1, 30, SEGMENT_APPEND_BELOW, n - 1]]);
    expect((await p.runs.getMetricHistory(id, 'one')).items.map((m) => m.step)).toEqual(Array.from({ length: n }, (_, i) => i));
  });

  it('large batches are cut into full segments without rewriting full ones', async () => {
    const id = await newRun();
    await p.runs.logBatch(id, { metrics: points('big', 0, 2 * SEGMENT_MAX_POINTS + 5) });
    await p.runs.logBatch(id, { metrics: points('big', 2 * SEGMENT_MAX_POINTS + 5, 2 * SEGMENT_MAX_POINTS + 10) });
    await p.runs.logBatch(id, { metrics: points('big', 2 * SEGMENT_MAX_POINTS + 10, 3 * SEGMENT_MAX_POINTS + 10) });
    expect((await segments(id, 'big')).map((s) => s.n)).toEqual([SEGMENT_MAX_POINTS, SEGMENT_MAX_POINTS, SEGMENT_MAX_POINTS, 10]);
    expect((await p.runs.getMetricHistory(id, 'big')).items).toHaveLength(3 * SEGMENT_MAX_POINTS + 10);
  });

  it('a retried batch or a late point merges into the last segment, so stored history stays in order', async () => {
    const id = await newRun();
    const stored = async () => decodeSegments(await segments(id, 'r'));
    await p.runs.logBatch(id, { metrics: points('r', 0, 1000) });
    await p.runs.logBatch(id, { metrics: points('r', 500, 1000) });
    await p.runs.logBatch(id, { metrics: [{ key: 'r', step: 700, timestamp: 2, value: 1 }] });
    expect((await segments(id, 'r')).map((s) => s.n)).toEqual([1001]);
    const inOrder = await stored();
    expect(normalizePoints(inOrder)).toBe(inOrder);
    // Older than the whole last segment: merged into it, so the segments overlap; reads still sort.
    await p.runs.logBatch(id, { metrics: points('r', 1000, 4000) });
    await p.runs.logBatch(id, { metrics: [{ key: 'r', step: 5, timestamp: 2, value: 1 }] });
    expect((await segments(id, 'r')).map((s) => s.n)).toEqual([1001, 3001]);
    const steps = (await p.runs.getMetricHistory(id, 'r')).items.map((m) => m.step);
    expect(steps).toEqual([...Array.from({ length: 6 }, (_, i) => i), 5, ...Array.from({ length: 695 }, (_, i) => i + 6), 700, ...Array.from({ length: 3299 }, (_, i) => i + 701)]);
  });

  it('a transaction that fails after writing history leaves every segment as it was', async () => {
    const id = await newRun();
    await p.runs.logBatch(id, { metrics: [...points('a', 0, 10), ...points('b', 0, SEGMENT_APPEND_BELOW)] });
    const before = { a: await segments(id, 'a'), b: await segments(id, 'b') };
    const batch = [...points('a', 10, 20), ...points('b', 5000, 5001), ...points('c', 0, 3)];
    await expect(
      p.database.db.transaction().execute(async (trx) => {
        await writeMetrics(trx, id, batch, latestPerKey(batch));
        // The rewrite of a's last segment and the new segments of b and c are visible inside…
        expect((await trx.selectFrom('metric_segments').select('n').where('run_uuid', '=', id).where('key', '=', 'a').executeTakeFirstOrThrow()).n).toBe(20);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    // …and gone after the rollback.
    expect({ a: await segments(id, 'a'), b: await segments(id, 'b') }).toEqual(before);
    expect(await segments(id, 'c')).toEqual([]);
    expect((await p.runs.get(id)).data.metrics.map((m) => [m.key, m.step])).toEqual([['a', 9], ['b', SEGMENT_APPEND_BELOW - 1]]);
  });

  it('deleting a run deletes its segments', async () => {
    const id = await newRun();
    await p.runs.logBatch(id, { metrics: points('gone', 0, 3) });
    await p.database.db.deleteFrom('runs').where('run_uuid', '=', id).execute();
    expect(await segments(id, 'gone')).toEqual([]);
  });
});
