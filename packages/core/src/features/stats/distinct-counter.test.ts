import { describe, expect, it } from 'vitest';
import { DistinctCounter } from './distinct-counter.js';

describe('DistinctCounter', () => {
  it('counts exactly while the values fit, telling strings from numbers', () => {
    const d = new DistinctCounter(100);
    for (const v of [1, 1, '1', 'a', 'a', true, 2.5, 2.5]) d.add(v);
    expect(d.result()).toEqual({ count: 5, exact: true });
  });

  it('estimates within a few percent past the exact limit', () => {
    for (const n of [5_000, 50_000, 400_000]) {
      const d = new DistinctCounter(1_000);
      for (let i = 0; i < n; i++) {
        d.add(i);
        if (i % 3 === 0) d.add(i); // repeats change nothing
      }
      const { count, exact } = d.result();
      expect(exact).toBe(false);
      expect(Math.abs(count - n) / n).toBeLessThan(0.05);
    }
  });
});
