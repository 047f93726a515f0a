import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { downsampleSeries } from './downsample-series.js';
import type { MetricSeries } from './entities.js';

function series(values: number[], steps = values.map((_, i) => i), timestamps = values.map((_, i) => 1000 + i * 10)): MetricSeries {
  return { key: 'loss', steps: Float64Array.from(steps), timestamps: Float64Array.from(timestamps), values: Float64Array.from(values) };
}

const value = fc.oneof(
  { weight: 8, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }) },
  { weight: 1, arbitrary: fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY) },
);

describe('downsampleSeries', () => {
  it('returns a short range whole', () => {
    const s = downsampleSeries(series([3, 1, 2]), { maxPoints: 10 });
    expect([...s.values]).toEqual([3, 1, 2]);
    expect(s).toMatchObject({ total: 3, sampled: false, key: 'loss' });
  });

  it('keeps a lone spike in a million points', () => {
    const values = new Array<number>(1_000_000).fill(1);
    values[654_321] = 99;
    values[123_456] = -5;
    const s = downsampleSeries(series(values), { maxPoints: 500 });
    expect(s.steps.length).toBeLessThanOrEqual(500);
    expect(s.sampled).toBe(true);
    expect(s.total).toBe(1_000_000);
    expect([...s.steps]).toContain(654_321);
    expect([...s.steps]).toContain(123_456);
    expect(s.steps[0]).toBe(0);
    expect(s.steps[s.steps.length - 1]).toBe(999_999);
  });

  it('cuts to a step range or a time range', () => {
    const s = series([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([...downsampleSeries(s, { maxPoints: 100, min: 3, max: 5 }).steps]).toEqual([3, 4, 5]);
    expect([...downsampleSeries(s, { maxPoints: 100, axis: 'time', min: 1020, max: 1041 }).steps]).toEqual([2, 3, 4]);
    expect(downsampleSeries(s, { maxPoints: 100, min: 20 })).toMatchObject({ total: 0, sampled: false });
  });

  it('keeps gaps: a bucket of NaN only stays NaN, NaN beside numbers is dropped', () => {
    const values = [...new Array<number>(50).fill(1), ...new Array<number>(50).fill(Number.NaN), ...new Array<number>(50).fill(2)];
    const s = downsampleSeries(series(values), { maxPoints: 12 });
    expect([...s.values].some(Number.isNaN)).toBe(true);
    expect([...s.values].filter((v) => !Number.isNaN(v))).toContain(2);
  });

  it('property: a subsequence in order, no longer than maxPoints, with the first, last, min and max of the range', () => {
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 400 }), fc.integer({ min: 4, max: 120 }), fc.option(fc.tuple(fc.integer({ min: -10, max: 410 }), fc.integer({ min: 0, max: 420 }))), (values, maxPoints, range) => {
        const s = series(values);
        const out = downsampleSeries(s, { maxPoints, min: range?.[0], max: range?.[1] });
        const inRange = values.map((v, i) => ({ v, i })).filter(({ i }) => !range || (i >= range[0] && i <= range[1]));
        expect(out.total).toBe(inRange.length);
        expect(out.steps.length).toBeLessThanOrEqual(Math.max(maxPoints, 0));
        // In order, each point one of the range's.
        const steps = [...out.steps];
        for (let j = 1; j < steps.length; j++) expect(steps[j]!).toBeGreaterThan(steps[j - 1]!);
        for (let j = 0; j < steps.length; j++) {
          const i = steps[j]!;
          expect(Object.is(out.values[j], values[i])).toBe(true);
          expect(out.timestamps[j]).toBe(1000 + i * 10);
        }
        if (inRange.length <= maxPoints) {
          expect(steps).toEqual(inRange.map(({ i }) => i));
          return;
        }
        expect(steps[0]).toBe(inRange[0]!.i);
        expect(steps[steps.length - 1]).toBe(inRange[inRange.length - 1]!.i);
        const numbers = inRange.filter(({ v }) => !Number.isNaN(v)).map(({ v }) => v);
        const kept = [...out.values].filter((v) => !Number.isNaN(v));
        if (numbers.length) {
          expect(kept).toContain(Math.min(...numbers));
          expect(kept).toContain(Math.max(...numbers));
        }
      }),
      { numRuns: 300 },
    );
  });
});
