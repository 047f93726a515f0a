import type { Kysely } from 'kysely';
import type { CairnConfig } from '../config/config.js';
import type { Database } from '../db/schema.js';
import { CairnError, invalid } from '../errors.js';
import type { FeatureViewSpec } from '../features/entities.js';
import type { FeatureService } from '../features/feature-service.js';
import { parseDuration } from '../features/value-types.js';
import type { ModelVersion } from '../registry/entities.js';
import { parseModelRef } from '../registry/model-uri.js';
import type { RegistryService } from '../registry/registry-service.js';
import { entityText, type InferenceLabel, type LoggedRows } from '../serving/inference-log/entities.js';
import type { InferenceLogStore } from '../serving/inference-log/inference-log-store.js';
import type { LabelStore } from '../serving/inference-log/sql/label-store.js';
import { trainingContextOf } from '../serving/training-context.js';
import type { ExperimentService } from '../tracking/experiment-service.js';
import type { RunService } from '../tracking/run-service.js';
import { ksStatistic, numericPsi } from './drift.js';
import type { MonitorAlert, MonitorReport } from './entities.js';
import { alert, featureReport, summarySpec, type FeatureExpectation } from './feature-drift.js';
import { matchLabels } from './match-labels.js';
import { accuracy, auc, mae, rmse } from './performance.js';
import { readMonitorReport, recordMonitorRun } from './monitor-runs.js';
import { monitoringOverview, type MonitoringOverview } from './overview.js';

export interface MonitorDeps {
  db: Kysely<Database>;
  registry: RegistryService;
  features: FeatureService;
  runs: RunService;
  experiments: ExperimentService;
  log: InferenceLogStore;
  labels: LabelStore;
  thresholds: CairnConfig['monitoring'];
  now?: () => number;
}

export interface MonitorRunInput {
  /** `NAME@ALIAS` or `NAME/VERSION` (with or without `models:/`): the version whose logged traffic is judged. */
  model: string;
  /** How far back from `until` (a duration such as '1d' or '12h'); default '1d'. */
  window?: string;
  /** End of the window (epoch ms); default now. */
  until?: number;
  /** Record the result as a tracking run with the report as artifacts (default true). */
  record?: boolean;
  /** Send an alert through the registry's webhooks when a threshold is crossed (default true). */
  alert?: boolean;
}

export interface LabelInput {
  requestId?: string | null;
  row?: number | null;
  /** Entity keys, e.g. { customer_id: 10019 }. */
  entity?: Record<string, unknown> | null;
  /** When the outcome was observed (epoch ms or ISO); default now. */
  time?: number | string | null;
  label: unknown;
}

/**
 * The monitor: compares the traffic a version served (the inference log) with the statistics of
 * the training set it learned from, checks data quality and, once labels arrive, live
 * performance. Each run is recorded as a tracking run (metrics chart like any run's) with the
 * report as Markdown and JSON; a crossed threshold becomes a `monitoring.alert` registry event,
 * which the registry's signed webhooks deliver.
 *
 * @example
 * ```ts
 * const report = await platform.monitoring.run({ model: 'churn@champion', window: '1d' });
 * if (report.alerts.length) process.exitCode = 3;
 * ```
 */
export class MonitorService {
  private readonly now: () => number;

  constructor(private readonly deps: MonitorDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** A model's served version, request rate and latency, the monitor's metrics over time and the alerts it fired, over `[from, to)`. */
  async overview(model: string, window: { from: number; to: number; buckets?: number }): Promise<MonitoringOverview> {
    return monitoringOverview({ registry: this.deps.registry, experiments: this.deps.experiments, runs: this.deps.runs, log: this.deps.log }, model, window);
  }

  async run(input: MonitorRunInput): Promise<MonitorReport> {
    const ref = parseModelRef(input.model);
    if (ref.kind !== 'alias' && ref.kind !== 'version') throw invalid(`Monitor a version or an alias: NAME@ALIAS or NAME/VERSION (got '${input.model}').`);
    const version = await this.deps.registry.resolve(input.model);
    const to = input.until ?? this.now();
    const windowMs = parseDuration(input.window ?? '1d', "'window'");
    const from = to - windowMs;
    const t = this.deps.thresholds;
    const window = { model: version.name, version: version.version, from, to };
    // Inputs are judged summarized where the log keeps them; only ids, times and outputs are read.
    const rows = await this.deps.log.read(window, { inputs: false });
    const training = await trainingContextOf(this.deps.db, version.name, version.version, version.runId);
    const profiles = training ? await this.deps.features.getTrainingStatistics(training.datasetId) : null;
    const expectations = training?.featureService ? await this.expectationsOf(training.featureService) : new Map<string, FeatureExpectation>();
    const report: MonitorReport = {
      model: version.name, version: version.version, window: { from, to }, rows: rows.count, labelled: 0, trainingDataset: training?.datasetId ?? null,
      note: null, features: [], prediction: null, performance: null, alerts: [], runId: null, createdTime: this.now(),
    };
    if (!profiles) report.note = training ? `training set ${training.datasetId} has no statistics recorded (built before Cairn kept them); drift and data quality are not judged` : `version ${version.version} was not registered from a feature-store training set, so there is no reference to judge drift against`;
    else if (rows.count < t.min_rows) report.note = `${rows.count} logged rows in the window, fewer than monitoring.min_rows (${t.min_rows}): drift is not judged`;
    const summary = profiles?.length && rows.count ? await this.deps.log.summarizeInputs(window, summarySpec(profiles, expectations)) : null;
    for (const profile of profiles ?? []) {
      const live = summary?.features.get(profile.feature);
      if (!live) continue;
      const { report: f, alerts } = featureReport(profile, live, summary!.rows, expectations.get(profile.feature) ?? null, t);
      report.features.push(f);
      report.alerts.push(...alerts);
    }
    await this.predictionDrift(report, version, rows, windowMs);
    await this.performance(report, rows, to);
    if (input.record !== false) report.runId = await recordMonitorRun(this.deps.experiments, this.deps.runs, report);
    if (report.alerts.length && input.alert !== false) await this.fire(version, report);
    return report;
  }

  // The predictions' distribution against the window before it (or, for a version with no earlier
  // traffic, against the first quarter of this window).
  private async predictionDrift(report: MonitorReport, version: ModelVersion, rows: LoggedRows, windowMs: number): Promise<void> {
    const t = this.deps.thresholds;
    const numbers = (list: unknown[]) => list.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    // In the order they were scored (stores return rows unordered).
    const order = Array.from({ length: rows.count }, (_, i) => i).sort((a, b) => rows.times[a]! - rows.times[b]!);
    const live = numbers(order.map((i) => rows.outputs[i]));
    if (live.length < t.min_rows) return;
    const before = await this.deps.log.read({ model: version.name, version: version.version, from: report.window.from - windowMs, to: report.window.from }, { inputs: false });
    let reference = numbers(before.outputs);
    let label = 'the window before';
    let current = live;
    if (reference.length < t.min_rows) {
      const quarter = Math.floor(live.length / 4);
      if (quarter < t.min_rows) return;
      reference = live.slice(0, quarter);
      current = live;
      label = 'the first quarter of this window (no earlier traffic)';
    }
    const { percentiles } = await import('../features/stats/training-profile.js');
    const refPercentiles = percentiles(Float64Array.from(reference).sort());
    const sorted = Float64Array.from(current).sort();
    const psi = numericPsi(refPercentiles, sorted);
    const ks = ksStatistic(refPercentiles, sorted);
    const drift = psi >= t.psi_threshold || ks >= t.ks_threshold;
    report.prediction = { psi, ks, reference: label, drift };
    if (psi >= t.psi_threshold) report.alerts.push(alert('prediction_drift', null, 'psi', psi, t.psi_threshold, `PSI of the predictions is ${psi.toFixed(3)} against ${label} (threshold ${t.psi_threshold})`));
    else if (ks >= t.ks_threshold) report.alerts.push(alert('prediction_drift', null, 'ks', ks, t.ks_threshold, `KS statistic of the predictions is ${ks.toFixed(3)} against ${label} (threshold ${t.ks_threshold})`));
  }

  private async performance(report: MonitorReport, rows: LoggedRows, to: number): Promise<void> {
    if (!rows.count) return;
    let first = Infinity;
    for (let i = 0; i < rows.count; i++) if (rows.times[i]! < first) first = rows.times[i]!;
    const { index, labels } = matchLabels(rows, await this.deps.labels.list(report.model, first));
    const pairs: Array<[number, number]> = [];
    let binary = true;
    index.forEach((i, k) => {
      const p = rows.outputs[i];
      const raw = labels[k];
      const y = typeof raw === 'boolean' ? (raw ? 1 : 0) : typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
      if (typeof p !== 'number' || !Number.isFinite(y)) return;
      if (y !== 0 && y !== 1) binary = false;
      pairs.push([p, y]);
    });
    report.labelled = pairs.length;
    if (!pairs.length) return;
    const scores = pairs.map((p) => p[0]);
    const ys = pairs.map((p) => p[1]);
    const t = this.deps.thresholds;
    const alerts: MonitorAlert[] = [];
    if (binary && scores.every((s) => s >= 0 && s <= 1)) {
      const a = auc(scores, ys);
      const acc = accuracy(scores, ys);
      report.performance = { kind: 'classification', auc: a, accuracy: acc, rmse: null, mae: null };
      if (t.min_auc > 0 && a !== null && a < t.min_auc) alerts.push(alert('performance', null, 'auc', a, t.min_auc, `live AUC is ${a.toFixed(3)}, below monitoring.min_auc ${t.min_auc}`));
      if (t.min_accuracy > 0 && acc !== null && acc < t.min_accuracy) alerts.push(alert('performance', null, 'accuracy', acc, t.min_accuracy, `live accuracy is ${acc.toFixed(3)}, below monitoring.min_accuracy ${t.min_accuracy}`));
    } else {
      const e = rmse(scores, ys);
      report.performance = { kind: 'regression', auc: null, accuracy: null, rmse: e, mae: mae(scores, ys) };
      if (t.max_rmse > 0 && e !== null && e > t.max_rmse) alerts.push(alert('performance', null, 'rmse', e, t.max_rmse, `live RMSE is ${e.toFixed(3)}, above monitoring.max_rmse ${t.max_rmse}`));
    }
    report.alerts.push(...alerts);
    void to;
  }

  private async expectationsOf(service: string): Promise<Map<string, FeatureExpectation>> {
    const out = new Map<string, FeatureExpectation>();
    try {
      for (const o of await this.deps.features.list('featureView')) {
        const spec = o.spec as FeatureViewSpec;
        for (const [name, e] of Object.entries(spec.expectations?.features ?? {})) out.set(name, e);
      }
    } catch {
      // No applied definitions in this store: the training range still bounds values.
    }
    void service;
    return out;
  }

  // A registry event, so the registry's webhooks deliver it signed; the first attempt is made now,
  // before a one-shot command exits (retries are left to any Cairn process, e.g. `cairn server`).
  private async fire(version: ModelVersion, report: MonitorReport): Promise<void> {
    await this.deps.registry.recordEvent(version.name, {
      action: 'monitoring.alert', version: version.version,
      after: { runId: report.runId, window: report.window, rows: report.rows, alerts: report.alerts },
    });
    const dispatcher = this.deps.registry.webhooks.dispatcher;
    dispatcher.kick();
    await dispatcher.idle();
  }

  /**
   * Attaches ground-truth labels to logged predictions (by request id, or by entity keys and time).
   * `served`: the model server's own model (a registered one, or a run's, which the registry does
   * not hold); any other name must be a registered model.
   */
  async label(model: string, items: LabelInput[], options: { served?: boolean } = {}): Promise<number> {
    if (!Array.isArray(items) || !items.length) throw invalid('Give at least one label, e.g. {"request_id": "…", "label": 1}.');
    const name = model.includes('@') || model.includes('/') ? parseModelRef(model).name : model;
    const now = this.now();
    const labels: InferenceLabel[] = items.map((it, i) => {
      if (it === null || typeof it !== 'object') throw invalid(`Label ${i} must be an object with 'label' and 'request_id' or 'entity'.`);
      if (it.label === undefined) throw invalid(`Label ${i} has no 'label'.`);
      const hasRequest = typeof it.requestId === 'string' && it.requestId.length > 0;
      const hasEntity = it.entity !== null && typeof it.entity === 'object' && !Array.isArray(it.entity) && Object.keys(it.entity).length > 0;
      if (!hasRequest && !hasEntity) throw invalid(`Label ${i} names neither a 'request_id' nor an 'entity' (e.g. {"customer_id": 10019}).`);
      if (hasRequest && it.requestId!.length > 200) throw invalid(`Label ${i}: 'request_id' is longer than 200 characters.`);
      if (it.row !== undefined && it.row !== null && (!Number.isSafeInteger(it.row) || it.row < 0)) throw invalid(`Label ${i}: 'row' must be a row number (0 or more).`);
      const time = it.time === undefined || it.time === null ? now : typeof it.time === 'number' ? it.time : Date.parse(it.time);
      if (!Number.isFinite(time)) throw invalid(`Label ${i}: 'time' must be epoch milliseconds or an ISO 8601 time.`);
      const text = JSON.stringify(it.label);
      if (text === undefined || text.length > 10_000) throw invalid(`Label ${i}: 'label' must be a JSON value of at most 10,000 characters.`);
      return { model: name, requestId: hasRequest ? it.requestId! : null, row: it.row ?? null, entity: hasEntity ? entityText(it.entity!) : null, time, label: it.label };
    });
    // Labels for a model that does not exist (a typo) would be kept for nothing any run reads.
    if (!options.served) await this.deps.registry.getModel(name);
    return this.deps.labels.add(labels);
  }

  /** The newest monitoring report of a model (from its last monitoring run). */
  async latest(model: string): Promise<MonitorReport> {
    const name = model.includes('@') || model.includes('/') ? parseModelRef(model).name : model;
    const report = await readMonitorReport(this.deps.experiments, this.deps.runs, name);
    if (!report) throw new CairnError('NOT_FOUND', `No monitoring run of '${name}' yet. Run \`cairn monitor run --model ${name}@champion\` first.`);
    return report;
  }
}
