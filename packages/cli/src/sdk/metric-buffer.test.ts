import type { Metric } from '@cairn/core';
import { describe, expect, it } from 'vitest';
import { MetricBuffer } from './metric-buffer.js';

// A store that records batches and can be told to fail: enough to pin down ordering and retry rules.
function recorder() {
  const batches: Metric[][] = [];
  let failNext = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  return {
    batches,
    failTimes: (n: number) => { failNext = n; },
    get maxInFlight() { return maxInFlight; },
    async write(batch: Metric[]) {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 2));
      inFlight--;
      if (failNext > 0) {
        failNext--;
        throw new Error('store down');
      }
      batches.push([...batch]);
    },
  };
}

const steps = (batches: Metric[][]) => batches.flat().map((m) => m.step);

describe('MetricBuffer', () => {
  it('starts a flush at the threshold, splits by maxBatch and keeps order with one write at a time', async () => {
    const store = recorder();
    const buf = new MetricBuffer((b) => store.write(b), { maxBatch: 3, threshold: 5, intervalMs: 0 });
    for (let i = 0; i < 5; i++) buf.add('loss', i, i, 1);
    for (let i = 5; i < 12; i++) buf.add('loss', i, i, 1);
    await buf.flush();
    expect(steps(store.batches)).toEqual([...Array(12).keys()]);
    expect(store.batches.every((b) => b.length <= 3)).toBe(true);
    expect(store.maxInFlight).toBe(1);
    expect(buf.size).toBe(0);
  });

  it('keeps points of a failed write, throws once, then delivers them in order', async () => {
    const store = recorder();
    const buf = new MetricBuffer((b) => store.write(b), { maxBatch: 2, threshold: 1000, intervalMs: 0 });
    for (let i = 0; i < 5; i++) buf.add('m', i, i, 1);
    store.failTimes(1);
    await expect(buf.flush()).rejects.toThrow('store down');
    expect(buf.size).toBe(5);
    buf.add('m', 5, 5, 1);
    await buf.flush();
    expect(steps(store.batches)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('reports a background failure on the next add', async () => {
    const store = recorder();
    const buf = new MetricBuffer((b) => store.write(b), { maxBatch: 10, threshold: 2, intervalMs: 0 });
    store.failTimes(1);
    buf.add('m', 0, 0, 1);
    buf.add('m', 1, 1, 1); // reaches the threshold: a background write starts and fails
    await new Promise((r) => setTimeout(r, 20));
    expect(() => buf.add('m', 2, 2, 1)).toThrow('store down');
    buf.add('m', 2, 2, 1);
    await buf.flush();
    expect(steps(store.batches)).toEqual([0, 1, 2]);
  });

  it('flushes on its timer', async () => {
    const store = recorder();
    const buf = new MetricBuffer((b) => store.write(b), { maxBatch: 10, threshold: 1000, intervalMs: 10 });
    buf.add('m', 1, 0, 1);
    await new Promise((r) => setTimeout(r, 60));
    expect(store.batches).toHaveLength(1);
    buf.stop();
  });

  it('validates each point cheaply at the call site', () => {
    const buf = new MetricBuffer(async () => {}, { maxBatch: 10, intervalMs: 0 });
    expect(() => buf.add('a'.repeat(251), 1, 0, 1)).toThrow(/limit is 250/);
    expect(() => buf.add('\uD800x', 1, 0, 1)).toThrow(/broken Unicode/);
    expect(() => buf.add('ok', 1, 0, 1.5)).toThrow(/timestamp/);
    expect(() => buf.add('ok', Number.NaN, 0, 1)).not.toThrow();
  });
});
