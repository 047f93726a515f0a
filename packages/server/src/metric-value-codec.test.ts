import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMetricValue, encodeMetric, encodeMetricValue, metricSeriesJson, metricValueSchema } from './metric-value-codec.js';

describe('metric value codec', () => {
  it('encodes non-finite values as protobuf JSON strings and finite ones as numbers', () => {
    expect([NaN, Infinity, -Infinity, 0, -0, 1.5, Number.MAX_VALUE].map(encodeMetricValue)).toEqual(['NaN', 'Infinity', '-Infinity', 0, -0, 1.5, Number.MAX_VALUE]);
  });

  it('round-trips every double through JSON', () => {
    fc.assert(
      fc.property(fc.double(), (v) => {
        const back = decodeMetricValue(JSON.parse(JSON.stringify(encodeMetricValue(v))));
        expect(Object.is(back, v) || (v === 0 && back === 0)).toBe(true);
      }),
    );
  });

  it('accepts only numbers and the three strings', () => {
    expect(metricValueSchema.parse('NaN')).toBeNaN();
    expect(metricValueSchema.parse('-Infinity')).toBe(-Infinity);
    for (const bad of ['nan', 'inf', '1', '', null, true, Infinity, NaN]) expect(metricValueSchema.safeParse(bad).success, String(bad)).toBe(false);
  });

  // The metrics of a series, and what JSON.stringify writes for them.
  const series = (key: string, points: { value: number; timestamp: number; step: number }[]) => ({
    series: { key, steps: Float64Array.from(points, (p) => p.step), timestamps: Float64Array.from(points, (p) => p.timestamp), values: Float64Array.from(points, (p) => p.value) },
    json: JSON.stringify(points.map((p) => encodeMetric({ key, ...p }))),
  });

  it('writes a series exactly as JSON.stringify of its encoded metrics', () => {
    const point = fc.record({
      value: fc.oneof(fc.double(), fc.maxSafeInteger(), fc.integer(), fc.constantFrom(Number.NaN, Infinity, -Infinity, -0, 2 ** 53, 1e21, 999_999_999_999)),
      timestamp: fc.oneof(fc.maxSafeInteger(), fc.constantFrom(0, 1e9, 1e9 - 1, 2 ** 31, 2 ** 31 - 1, -(2 ** 31), Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 1_000_000_000_000_000)),
      step: fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.constant(-0)),
    });
    const key = fc.oneof(fc.constantFrom('loss', 'a"b\\c', 'ünï 🚀', '\u2028'), fc.string());
    fc.assert(
      fc.property(key, fc.array(point, { maxLength: 20 }), (k, points) => {
        const { series: s, json } = series(k, points);
        expect(metricSeriesJson(s).toString()).toBe(json);
        expect(metricSeriesJson(s, '{"a":', ',"ü":1}').toString()).toBe(`{"a":${json},"ü":1}`);
      }),
      { numRuns: 2000 },
    );
  });

  it('writes 1e9 multiples and powers of ten at every magnitude', () => {
    const ints: number[] = [];
    for (let p = 1; p <= Number.MAX_SAFE_INTEGER; p *= 10) ints.push(p, p - 1, p + 1, -p, 1e9 * p, 1e9 * p - 1);
    const { series: s, json } = series('k', ints.filter(Number.isSafeInteger).map((x) => ({ value: x, timestamp: x, step: -x })));
    expect(metricSeriesJson(s).toString()).toBe(json);
  });

  it('writes long series (values formatted in chunks) with non-finite values anywhere', () => {
    const special = [Number.NaN, Infinity, -Infinity, -0, 1e21, 5e-324, 0.1 + 0.2, 42];
    const points = Array.from({ length: 10_000 }, (_, i) => ({ value: i % 97 === 0 ? Math.random() : special[i % special.length]!, timestamp: 1_700_000_000_000 + i, step: i }));
    const { series: s, json } = series('long', points);
    expect(metricSeriesJson(s).toString()).toBe(json);
  });
});
