import type { LiveSummary } from '../serving/inference-log/input-summary.js';

// Drift statistics as plain functions: a reference (the training set's profile) against live values.

/** Proportions below this count as this, so an empty bin does not make PSI or KL infinite. */
const FLOOR = 1e-4;

/**
 * Population stability index of two distributions over the same bins (proportions or counts):
 * Σ (a − e) · ln(a / e). Under 0.1 is stable, 0.1–0.2 a shift worth a look, above 0.2 drift.
 *
 * @example
 * ```ts
 * psi([0.25, 0.25, 0.25, 0.25], [0.1, 0.2, 0.3, 0.4]); // ≈ 0.228
 * ```
 */
export function psi(expected: ArrayLike<number>, actual: ArrayLike<number>): number {
  const e = normalize(expected);
  const a = normalize(actual);
  let sum = 0;
  for (let i = 0; i < e.length; i++) {
    const ei = Math.max(e[i]!, FLOOR);
    const ai = Math.max(a[i]!, FLOOR);
    sum += (ai - ei) * Math.log(ai / ei);
  }
  return sum;
}

/** Jensen-Shannon distance (base 2, from 0 for equal to 1 for disjoint) of two distributions over the same categories. */
export function jensenShannon(p: ArrayLike<number>, q: ArrayLike<number>): number {
  const a = normalize(p);
  const b = normalize(q);
  let d = 0;
  for (let i = 0; i < a.length; i++) {
    const m = (a[i]! + b[i]!) / 2;
    if (a[i]! > 0) d += 0.5 * a[i]! * Math.log2(a[i]! / m);
    if (b[i]! > 0) d += 0.5 * b[i]! * Math.log2(b[i]! / m);
  }
  return Math.sqrt(Math.max(0, Math.min(1, d)));
}

/**
 * Pearson's chi-square goodness-of-fit test of observed counts against expected proportions:
 * the statistic, its degrees of freedom (categories − 1) and the p-value.
 */
export function chiSquare(expected: ArrayLike<number>, observed: ArrayLike<number>): { statistic: number; df: number; pValue: number } {
  const e = normalize(expected);
  let n = 0;
  for (let i = 0; i < observed.length; i++) n += observed[i]!;
  let stat = 0;
  let k = 0;
  for (let i = 0; i < e.length; i++) {
    if (e[i]! <= 0 && observed[i]! <= 0) continue;
    k++;
    const exp = Math.max(e[i]!, FLOOR) * n;
    stat += (observed[i]! - exp) ** 2 / exp;
  }
  const df = Math.max(1, k - 1);
  return { statistic: stat, df, pValue: n > 0 ? chiSquarePValue(stat, df) : 1 };
}

/** P(X ≥ x) for X ~ chi-square(df): the regularized upper incomplete gamma Q(df/2, x/2). */
export function chiSquarePValue(x: number, df: number): number {
  if (x <= 0) return 1;
  return upperGamma(df / 2, x / 2);
}

function upperGamma(a: number, x: number): number {
  if (x < a + 1) {
    // Series for the lower function, then its complement.
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 1000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-15) break;
    }
    return Math.max(0, 1 - sum * Math.exp(-x + a * Math.log(x) - logGamma(a)));
  }
  // Continued fraction (Lentz) for the upper function.
  let b = x + 1 - a;
  let c = 1 / 1e-300;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < 1e-300) d = 1e-300;
    c = b + an / c;
    if (Math.abs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return Math.min(1, Math.exp(-x + a * Math.log(x) - logGamma(a)) * h);
}

// Lanczos approximation (g = 7, n = 9).
const LANCZOS = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
function logGamma(z: number): number {
  if (z < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * z)) - logGamma(1 - z);
  const x = z - 1;
  let a = LANCZOS[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * The reference CDF at `x`, from 101 percentiles (p0…p100): linear between neighbouring
 * percentiles, so a value many percentiles share (a discrete feature) takes the CDF of its last one.
 */
export function referenceCdf(percentiles: ArrayLike<number>, x: number): number {
  const n = percentiles.length - 1;
  if (x < percentiles[0]!) return 0;
  if (x >= percentiles[n]!) return 1;
  let lo = 0;
  let hi = n;
  // Largest q with p_q <= x.
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (percentiles[mid]! <= x) lo = mid;
    else hi = mid - 1;
  }
  const a = percentiles[lo]!;
  const b = percentiles[lo + 1]!;
  return (lo + (b > a ? (x - a) / (b - a) : 0)) / n;
}

/** The empirical CDF of sorted values at `x`: the share of values ≤ x. */
export function empiricalCdf(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return sorted.length ? lo / sorted.length : 0;
}

/**
 * Kolmogorov-Smirnov statistic between a reference given by its percentiles and live values (sorted
 * ascending): the largest gap between the two CDFs, evaluated at every reference percentile and at
 * every live percentile. 0 for the same distribution, 1 for ones that do not overlap.
 */
export function ksStatistic(referencePercentiles: ArrayLike<number>, sortedLive: ArrayLike<number>): number {
  if (!sortedLive.length) return 0;
  let d = 0;
  const at = (x: number) => {
    const gap = Math.abs(empiricalCdf(sortedLive, x) - referenceCdf(referencePercentiles, x));
    if (gap > d) d = gap;
  };
  for (let i = 0; i < referencePercentiles.length; i++) at(referencePercentiles[i]!);
  const n = sortedLive.length;
  for (let q = 0; q <= 100; q++) {
    const x = sortedLive[Math.min(n - 1, Math.round((q / 100) * (n - 1)))]!;
    at(x);
    // Just below a live value: catches the gap before a jump of the live CDF.
    const below = empiricalCdf(sortedLive, x) - countEqual(sortedLive, x) / n;
    const gap = Math.abs(below - referenceCdf(referencePercentiles, x - Math.abs(x) * 1e-12 - 1e-300));
    if (gap > d) d = gap;
  }
  return Math.min(1, d);
}

function countEqual(sorted: ArrayLike<number>, x: number): number {
  return empiricalCdf(sorted, x) * sorted.length - lowerBound(sorted, x);
}

function lowerBound(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * PSI of live values (sorted) against a reference given by its percentiles, over the reference's
 * deciles: bins cut at the distinct values of p10…p90, the reference's share of each bin read off
 * its percentiles (so a discrete feature's bins carry its real masses).
 */
export function numericPsi(referencePercentiles: ArrayLike<number>, sortedLive: ArrayLike<number>): number {
  const edges = [...new Set(Array.from({ length: 9 }, (_, i) => referencePercentiles[(i + 1) * 10]!))].sort((a, b) => a - b);
  const expected: number[] = [];
  const actual: number[] = [];
  let prevRef = 0;
  let prevLive = 0;
  for (const e of edges) {
    const r = referenceCdf(referencePercentiles, e);
    const l = empiricalCdf(sortedLive, e);
    expected.push(r - prevRef);
    actual.push(l - prevLive);
    prevRef = r;
    prevLive = l;
  }
  expected.push(1 - prevRef);
  actual.push(1 - prevLive);
  return psi(expected, actual);
}

function normalize(v: ArrayLike<number>): number[] {
  let total = 0;
  for (let i = 0; i < v.length; i++) total += v[i]!;
  return Array.from(v as ArrayLike<number>, (x) => (total > 0 ? x / total : 0));
}

/** KS statistic from a live summary: exact at the reference percentiles, from the sample between them. */
export function summaryKs(referencePercentiles: ArrayLike<number>, s: LiveSummary): number {
  if (!s.n) return 0;
  let d = 0;
  for (let k = 0; k < referencePercentiles.length; k++) d = Math.max(d, Math.abs(s.cdfAtReference[k]! - referenceCdf(referencePercentiles, referencePercentiles[k]!)));
  return Math.max(d, Math.min(1, s.sample.length ? ksStatistic(referencePercentiles, s.sample) : 0));
}

/** PSI over the reference deciles from a live summary (exact: the decile edges are reference percentiles). */
export function summaryPsi(referencePercentiles: ArrayLike<number>, s: LiveSummary): number {
  const m = referencePercentiles.length;
  const edges = [...new Set(Array.from({ length: 9 }, (_, i) => referencePercentiles[(i + 1) * 10]!))].sort((a, b) => a - b);
  const liveAt = (e: number) => {
    let k = -1;
    for (let j = 0; j < m; j++) if (referencePercentiles[j]! <= e) k = j;
    return k < 0 ? 0 : s.cdfAtReference[k]!;
  };
  const expected: number[] = [];
  const actual: number[] = [];
  let prevRef = 0;
  let prevLive = 0;
  for (const e of edges) {
    const r = referenceCdf(referencePercentiles, e);
    const l = liveAt(e);
    expected.push(r - prevRef);
    actual.push(l - prevLive);
    prevRef = r;
    prevLive = l;
  }
  expected.push(1 - prevRef);
  actual.push(1 - prevLive);
  return psi(expected, actual);
}
