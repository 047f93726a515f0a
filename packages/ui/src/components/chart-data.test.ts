import { describe, expect, it } from 'vitest';
import { alignSeries, drawable, seriesStats, smooth, xValues } from './chart-data.js';

describe('chart data', () => {
  const pts = { steps: [0, 1, 2], timestamps: [10_000, 12_000, 15_000], values: [1, 2, 3] };

  it('puts step, wall time (s) or time since start (s) on x', () => {
    expect(xValues(pts, 'step')).toEqual([0, 1, 2]);
    expect(xValues(pts, 'time')).toEqual([10, 12, 15]);
    expect(xValues(pts, 'relative')).toEqual([0, 2, 5]);
    expect(xValues(pts, 'relative', 8_000)).toEqual([2, 4, 7]);
  });

  it('smooths with a debiased moving average, leaving NaN in place', () => {
    expect(smooth([1, 2, 3], 0)).toEqual([1, 2, 3]);
    const s = smooth([1, Number.NaN, 1, 1], 0.9);
    expect(s[0]).toBeCloseTo(1);
    expect(Number.isNaN(s[1]!)).toBe(true);
    expect(s[3]).toBeCloseTo(1);
    const step = smooth([0, 0, 0, 10, 10, 10], 0.5);
    expect(step[3]!).toBeGreaterThan(0);
    expect(step[3]!).toBeLessThan(10);
  });

  it('makes gaps of NaN, and of non-positive values on a log scale', () => {
    expect(drawable([1, Number.NaN, -1, 0, Number.POSITIVE_INFINITY], false)).toEqual([1, null, -1, 0, null]);
    expect(drawable([1, Number.NaN, -1, 0], true)).toEqual([1, null, null, null]);
  });

  it('reports min, max and last of the finite values', () => {
    expect(seriesStats([3, Number.NaN, -1, 5, Number.POSITIVE_INFINITY, 2])).toEqual({ min: -1, max: 5, last: 2 });
    expect(seriesStats([Number.NaN])).toEqual({ min: null, max: null, last: null });
  });

  it('aligns series on the union of their x values', () => {
    expect(alignSeries([{ x: [0, 2], y: [1, 3] }, { x: [1, 2], y: [5, 6] }])).toEqual([[0, 1, 2], [1, null, 3], [null, 5, 6]]);
    expect(alignSeries([{ x: [0, 1], y: [1, 2] }])).toEqual([[0, 1], [1, 2]]);
  });
});
