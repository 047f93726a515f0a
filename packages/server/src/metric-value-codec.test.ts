import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMetricValue, encodeMetric, encodeMetricValue, metricListJson, metricValueSchema } from './metric-value-codec.js';

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

  it('writes a metric list exactly as JSON.stringify of the encoded metrics', () => {
    const metric = fc.record({
      key: fc.oneof(fc.constantFrom('loss', 'a"b\\c', 'ünï 🚀', '\u2028'), fc.string()),
      value: fc.oneof(fc.double(), fc.constantFrom(Number.NaN, Infinity, -Infinity, -0)),
      timestamp: fc.maxSafeInteger(),
      step: fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.constant(-0)),
    });
    fc.assert(
      fc.property(fc.array(metric, { maxLength: 20 }), (metrics) => {
        expect(metricListJson(metrics)).toBe(JSON.stringify(metrics.map(encodeMetric)));
      }),
      { numRuns: 500 },
    );
  });
});
