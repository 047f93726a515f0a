import type { CairnConfig } from '../config/config.js';
import type { FeatureProfile } from '../features/stats/training-profile.js';
import { chiSquare, jensenShannon, summarizeLive, summaryKs, summaryPsi } from './drift.js';
import type { FeatureReport, MonitorAlert } from './entities.js';

export type Thresholds = CairnConfig['monitoring'];

/** What a feature view expects of a feature (`expectations` in its definition). */
export interface FeatureExpectation {
  notNull: boolean;
  min: number | null;
  max: number | null;
  allowed: Array<string | number | boolean> | null;
}

const toNumber = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'bigint' ? Number(v) : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : null);

/**
 * Compares one feature's live values with its training profile: drift (PSI and KS for numeric
 * features, Jensen-Shannon and chi-square for categorical ones) and data quality (nulls, values
 * outside the training range or the view's expectations, unseen categories). Returns the report
 * and the alerts its thresholds raise; drift is judged only with at least `min_rows` values.
 */
export function featureReport(profile: FeatureProfile, values: ArrayLike<unknown> | Float64Array, expectation: FeatureExpectation | null, t: Thresholds): { report: FeatureReport; alerts: MonitorAlert[] } {
  const rows = values.length;
  let nulls = 0;
  const alerts: MonitorAlert[] = [];
  const trainingNullRate = profile.count + profile.nulls ? profile.nulls / (profile.count + profile.nulls) : 0;
  const report: FeatureReport = {
    feature: profile.feature, kind: profile.kind, rows, psi: null, ks: null, js: null, chiSquareP: null,
    nullRate: 0, trainingNullRate, outOfRangeRate: null, unseenRate: null, drift: false,
  };
  const enough = rows >= t.min_rows;
  if (profile.kind === 'numeric') {
    // Values as doubles, NaN for missing (the Parquet log hands numeric columns over this way already).
    const xs = values instanceof Float64Array ? values : Float64Array.from(values, (v) => toNumber(v) ?? Number.NaN);
    let outside = 0;
    let present = 0;
    const eMin = expectation?.min ?? null;
    const eMax = expectation?.max ?? null;
    const lo = eMin ?? profile.min ?? -Infinity;
    const hi = eMax ?? profile.max ?? Infinity;
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i]!;
      if (x !== x) continue;
      present++;
      // Outside what training saw (or the view's own bounds, when it declares them).
      if (x < lo || x > hi) outside++;
    }
    nulls = rows - present;
    report.outOfRangeRate = present ? outside / present : 0;
    if (profile.percentiles && present && enough) {
      const summary = summarizeLive(profile.percentiles, xs);
      report.psi = summaryPsi(profile.percentiles, summary);
      report.ks = summaryKs(profile.percentiles, summary);
      if (report.psi >= t.psi_threshold) alerts.push(alert('drift', profile.feature, 'psi', report.psi, t.psi_threshold, `PSI of '${profile.feature}' is ${fmt(report.psi)} (threshold ${t.psi_threshold})`));
      if (report.ks >= t.ks_threshold) alerts.push(alert('drift', profile.feature, 'ks', report.ks, t.ks_threshold, `KS statistic of '${profile.feature}' is ${fmt(report.ks)} (threshold ${t.ks_threshold})`));
    }
    if (enough && report.outOfRangeRate > t.out_of_range_threshold) alerts.push(alert('data_quality', profile.feature, 'out_of_range_rate', report.outOfRangeRate, t.out_of_range_threshold, `${pct(report.outOfRangeRate)} of '${profile.feature}' lies outside the training range or the view's expectations`));
  } else {
    const known = profile.categories ?? {};
    const names = Object.keys(known);
    const index = new Map(names.map((n, i) => [n, i]));
    const observed = new Array<number>(names.length + 1).fill(0);
    let unseen = 0;
    let disallowed = 0;
    const allowed = expectation?.allowed ? new Set(expectation.allowed.map(String)) : null;
    for (let r = 0; r < values.length; r++) {
      const v = values[r];
      if (v === null || v === undefined) {
        nulls++;
        continue;
      }
      const k = String(v);
      const i = index.get(k);
      if (i === undefined) {
        observed[names.length]!++;
        unseen++;
      } else observed[i]!++;
      if (allowed && !allowed.has(k)) disallowed++;
    }
    const present = rows - nulls;
    report.unseenRate = present ? unseen / present : 0;
    report.outOfRangeRate = allowed ? (present ? disallowed / present : 0) : null;
    if (present && enough) {
      const expected = [...names.map((n) => known[n]!), profile.otherCount];
      report.js = jensenShannon(expected, observed);
      report.chiSquareP = chiSquare(expected, observed).pValue;
      if (report.js >= t.js_threshold) alerts.push(alert('drift', profile.feature, 'js', report.js, t.js_threshold, `Jensen-Shannon distance of '${profile.feature}' is ${fmt(report.js)} (threshold ${t.js_threshold})`));
      if (report.chiSquareP < t.chi_square_p_threshold && report.js >= t.js_threshold / 2) {
        alerts.push(alert('drift', profile.feature, 'chi_square_p', report.chiSquareP, t.chi_square_p_threshold, `chi-square test of '${profile.feature}': p = ${report.chiSquareP.toExponential(2)} (threshold ${t.chi_square_p_threshold})`));
      }
    }
    if (enough && report.unseenRate > t.unseen_category_threshold) alerts.push(alert('data_quality', profile.feature, 'unseen_rate', report.unseenRate, t.unseen_category_threshold, `${pct(report.unseenRate)} of '${profile.feature}' are categories never seen in training`));
    if (enough && report.outOfRangeRate !== null && report.outOfRangeRate > t.out_of_range_threshold) alerts.push(alert('data_quality', profile.feature, 'out_of_range_rate', report.outOfRangeRate, t.out_of_range_threshold, `${pct(report.outOfRangeRate)} of '${profile.feature}' are not among the view's allowed values`));
  }
  report.nullRate = rows ? nulls / rows : 0;
  if (enough && report.nullRate - trainingNullRate > t.null_rate_increase_threshold) {
    alerts.push(alert('data_quality', profile.feature, 'null_rate', report.nullRate, trainingNullRate + t.null_rate_increase_threshold, `'${profile.feature}' is null in ${pct(report.nullRate)} of rows (${pct(trainingNullRate)} in training)`));
  }
  if (enough && expectation?.notNull && nulls > 0) alerts.push(alert('data_quality', profile.feature, 'null_rate', report.nullRate, 0, `'${profile.feature}' must not be null (the view's expectation) but is in ${nulls} rows`));
  report.drift = alerts.some((a) => a.kind === 'drift');
  return { report, alerts };
}

export function alert(kind: MonitorAlert['kind'], feature: string | null, statistic: string, value: number, threshold: number, message: string): MonitorAlert {
  return { kind, feature, statistic, value, threshold, message };
}

export const fmt = (v: number): string => (Math.abs(v) >= 0.001 || v === 0 ? v.toFixed(3) : v.toExponential(2));
const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;
