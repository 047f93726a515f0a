import type { CairnConfig } from '../config/config.js';
import type { FeatureProfile } from '../features/stats/training-profile.js';
import type { CategoricalInputSummary, InputSummarySpec, NumericInputSummary } from '../serving/inference-log/input-summary.js';
import { chiSquare, jensenShannon, summaryKs, summaryPsi } from './drift.js';
import type { FeatureReport, MonitorAlert } from './entities.js';

export type Thresholds = CairnConfig['monitoring'];

/** What a feature view expects of a feature (`expectations` in its definition). */
export interface FeatureExpectation {
  notNull: boolean;
  min: number | null;
  max: number | null;
  allowed: Array<string | number | boolean> | null;
}

/** What the monitor asks the log to summarize for these training profiles (and the views' expectations). */
export function summarySpec(profiles: FeatureProfile[], expectations: Map<string, FeatureExpectation>): InputSummarySpec {
  const spec: InputSummarySpec = { numeric: [], categorical: [] };
  for (const p of profiles) {
    const e = expectations.get(p.feature) ?? null;
    // Outside what training saw, or the view's own bounds when it declares them.
    if (p.kind === 'numeric') spec.numeric.push({ name: p.feature, percentiles: p.percentiles, lo: e?.min ?? p.min ?? null, hi: e?.max ?? p.max ?? null });
    else spec.categorical.push({ name: p.feature, known: Object.keys(p.categories ?? {}), allowed: e?.allowed ? e.allowed.map(String) : null });
  }
  return spec;
}

/**
 * Compares one feature's live values (summarized by the log against `summarySpec`) with its
 * training profile: drift (PSI and KS for numeric features, Jensen-Shannon and chi-square for
 * categorical ones) and data quality (nulls, values outside the training range or the view's
 * expectations, unseen categories). Returns the report and the alerts its thresholds raise; drift
 * is judged only with at least `min_rows` rows.
 */
export function featureReport(profile: FeatureProfile, live: NumericInputSummary | CategoricalInputSummary, rows: number, expectation: FeatureExpectation | null, t: Thresholds): { report: FeatureReport; alerts: MonitorAlert[] } {
  const alerts: MonitorAlert[] = [];
  const trainingNullRate = profile.count + profile.nulls ? profile.nulls / (profile.count + profile.nulls) : 0;
  const report: FeatureReport = {
    feature: profile.feature, kind: profile.kind, rows, psi: null, ks: null, js: null, chiSquareP: null,
    nullRate: 0, trainingNullRate, outOfRangeRate: null, unseenRate: null, drift: false,
  };
  const enough = rows >= t.min_rows;
  const present = live.present;
  const nulls = rows - present;
  if (live.kind === 'numeric') {
    report.outOfRangeRate = present ? live.outside / present : 0;
    if (profile.percentiles && live.live && present && enough) {
      report.psi = summaryPsi(profile.percentiles, live.live);
      report.ks = summaryKs(profile.percentiles, live.live);
      if (report.psi >= t.psi_threshold) alerts.push(alert('drift', profile.feature, 'psi', report.psi, t.psi_threshold, `PSI of '${profile.feature}' is ${fmt(report.psi)} (threshold ${t.psi_threshold})`));
      if (report.ks >= t.ks_threshold) alerts.push(alert('drift', profile.feature, 'ks', report.ks, t.ks_threshold, `KS statistic of '${profile.feature}' is ${fmt(report.ks)} (threshold ${t.ks_threshold})`));
    }
    if (enough && report.outOfRangeRate > t.out_of_range_threshold) alerts.push(alert('data_quality', profile.feature, 'out_of_range_rate', report.outOfRangeRate, t.out_of_range_threshold, `${pct(report.outOfRangeRate)} of '${profile.feature}' lies outside the training range or the view's expectations`));
  } else {
    const known = profile.categories ?? {};
    report.unseenRate = present ? live.unseen / present : 0;
    report.outOfRangeRate = expectation?.allowed ? (present ? live.disallowed / present : 0) : null;
    if (present && enough) {
      // The summary's counts follow the profile's categories in their order (summarySpec), then the unseen.
      const expected = [...Object.values(known), profile.otherCount];
      const observed = [...live.counts, live.unseen];
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
