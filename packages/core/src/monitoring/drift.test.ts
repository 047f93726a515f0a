import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { percentiles } from '../features/stats/training-profile.js';
import { summarizeLive } from '../serving/inference-log/input-summary.js';
import { chiSquare, chiSquarePValue, jensenShannon, ksStatistic, numericPsi, psi, referenceCdf, summaryKs, summaryPsi } from './drift.js';
import { accuracy, auc, mae, rmse } from './performance.js';

const sorted = (xs: number[]) => Float64Array.from(xs).sort();
const normal = (n: number, mean: number, seed = 1): number[] => {
  let s = seed;
  const r = () => ((s = (s * 16807) % 2147483647) / 2147483647);
  return Array.from({ length: n }, () => mean + Math.sqrt(-2 * Math.log(r())) * Math.cos(2 * Math.PI * r()));
};

describe('drift statistics against known values', () => {
  it('PSI of a textbook example', () => {
    // (−0.15)ln 0.4 + (−0.05)ln 0.8 + 0.05 ln 1.2 + 0.15 ln 1.6
    expect(psi([0.25, 0.25, 0.25, 0.25], [0.1, 0.2, 0.3, 0.4])).toBeCloseTo(0.22825, 4);
    expect(psi([10, 20, 30], [1, 2, 3])).toBeCloseTo(0, 12);
  });

  it('chi-square p-values match the table', () => {
    expect(chiSquarePValue(3.841, 1)).toBeCloseTo(0.05, 3);
    expect(chiSquarePValue(11.07, 5)).toBeCloseTo(0.05, 3);
    expect(chiSquarePValue(6.635, 1)).toBeCloseTo(0.01, 3);
    expect(chiSquarePValue(0, 3)).toBe(1);
    // Observed 60/40 where 50/50 was expected, 100 draws: chi2 = 4, df 1, p ≈ 0.0455.
    const t = chiSquare([0.5, 0.5], [60, 40]);
    expect(t.statistic).toBeCloseTo(4, 10);
    expect(t.df).toBe(1);
    expect(t.pValue).toBeCloseTo(0.0455, 3);
  });

  it('Jensen-Shannon distance is 0 for equal and 1 for disjoint distributions', () => {
    expect(jensenShannon([1, 2, 3], [2, 4, 6])).toBeCloseTo(0, 12);
    expect(jensenShannon([1, 0], [0, 1])).toBeCloseTo(1, 12);
    // JS divergence of (1,0) and (0.5,0.5) is 0.311278 bits.
    expect(jensenShannon([1, 0], [0.5, 0.5])).toBeCloseTo(Math.sqrt(0.3112781), 6);
  });

  it('KS and PSI see a shifted normal and not an unshifted one', () => {
    const reference = percentiles(sorted(normal(20_000, 0, 7)));
    const same = sorted(normal(5000, 0, 11));
    const shifted = sorted(normal(5000, 1, 13));
    expect(ksStatistic(reference, same)).toBeLessThan(0.04);
    // The KS distance between N(0,1) and N(1,1) is 2Φ(0.5) − 1 ≈ 0.383.
    expect(ksStatistic(reference, shifted)).toBeCloseTo(0.383, 1);
    expect(numericPsi(reference, same)).toBeLessThan(0.02);
    expect(numericPsi(reference, shifted)).toBeGreaterThan(0.5);
  });

  it('the one-pass summary (used on large windows) gives the PSI of the full sort and its KS within sampling error', () => {
    const reference = percentiles(sorted(normal(20_000, 0, 3)));
    for (const [mean, seed] of [[0, 5], [0.3, 9], [1.5, 17]] as const) {
      const live = normal(100_000, mean, seed);
      const s = summarizeLive(reference, Float64Array.from([...live, Number.NaN]));
      expect(s.n).toBe(100_000);
      expect(summaryPsi(reference, s)).toBeCloseTo(numericPsi(reference, sorted(live)), 10);
      expect(Math.abs(summaryKs(reference, s) - ksStatistic(reference, sorted(live)))).toBeLessThan(0.01);
    }
  });

  it('a discrete feature keeps its masses', () => {
    const ref = percentiles(sorted([...Array(40).fill(0), ...Array(60).fill(1)]));
    expect(referenceCdf(ref, 0)).toBeCloseTo(0.4, 1);
    expect(numericPsi(ref, sorted([...Array(40).fill(0), ...Array(60).fill(1)]))).toBeLessThan(0.01);
    expect(numericPsi(ref, sorted([...Array(90).fill(0), ...Array(10).fill(1)]))).toBeGreaterThan(0.5);
  });

  it('properties: PSI and JS are non-negative, JS is symmetric and bounded, KS lies in [0, 1]', () => {
    const dist = fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 2, maxLength: 12 });
    fc.assert(fc.property(dist, dist, (a, b) => {
      const n = Math.min(a.length, b.length);
      const [x, y] = [a.slice(0, n), b.slice(0, n)];
      if (!x.some((v) => v > 0) || !y.some((v) => v > 0)) return;
      expect(psi(x, y)).toBeGreaterThanOrEqual(0);
      const js = jensenShannon(x, y);
      expect(js).toBeGreaterThanOrEqual(0);
      expect(js).toBeLessThanOrEqual(1);
      expect(js).toBeCloseTo(jensenShannon(y, x), 10);
    }));
    const values = fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 200 });
    fc.assert(fc.property(values, values, (r, l) => {
      const ks = ksStatistic(percentiles(sorted(r)), sorted(l));
      expect(ks).toBeGreaterThanOrEqual(0);
      expect(ks).toBeLessThanOrEqual(1);
    }));
  });
});

describe('performance', () => {
  it('AUC, accuracy, RMSE and MAE of small known cases', () => {
    expect(auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.75);
    expect(auc([0.5, 0.5], [0, 1])).toBe(0.5);
    expect(auc([0.2, 0.3], [1, 1])).toBeNull();
    expect(accuracy([0.1, 0.6, 0.7, 0.4], [0, 1, 0, 0])).toBe(0.75);
    expect(rmse([1, 2, 3], [1, 2, 5])).toBeCloseTo(Math.sqrt(4 / 3), 12);
    expect(mae([1, 2, 3], [1, 2, 5])).toBeCloseTo(2 / 3, 12);
  });
});
