import { describe, expect, it } from 'vitest';
import { makeScale } from './plot-scales.js';

describe('makeScale', () => {
  it('is linear over numbers, including numeric strings', () => {
    const { scale, numeric } = makeScale(['0.1', 0.3, '0.5', undefined]);
    expect(numeric).toBe(true);
    expect(scale('0.1')).toBeCloseTo(0);
    expect(scale(0.3)).toBeCloseTo(0.5);
    expect(scale('0.5')).toBeCloseTo(1);
    expect(scale(undefined)).toBeNull();
  });

  it('spaces categories evenly in sorted order', () => {
    const { scale, numeric, ticks } = makeScale(['gbm', 'cnn', 'lr', 'cnn']);
    expect(numeric).toBe(false);
    expect([scale('cnn'), scale('gbm'), scale('lr')]).toEqual([0, 0.5, 1]);
    expect(ticks.map((t) => t.label)).toEqual(['cnn', 'gbm', 'lr']);
  });

  it('puts a single value in the middle', () => {
    expect(makeScale([3, 3]).scale(3)).toBe(0.5);
    expect(makeScale(['a']).scale('a')).toBe(0.5);
  });
});
