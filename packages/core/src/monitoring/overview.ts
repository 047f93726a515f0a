import { invalid } from '../errors.js';
import type { RegistryService } from '../registry/registry-service.js';
import type { LoggedRequests } from '../serving/inference-log/entities.js';
import type { InferenceLogStore } from '../serving/inference-log/inference-log-store.js';
import type { ExperimentService } from '../tracking/experiment-service.js';
import type { RunService } from '../tracking/run-service.js';
import type { MonitorAlert } from './entities.js';
import { monitoringExperiment } from './monitor-runs.js';

/** Requests, rows and latency percentiles (ms) of one slice of the window. */
export interface TrafficBucket {
  start: number;
  requests: number;
  rows: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/** One recorded `cairn monitor run`: its window, counts and every metric it logged. */
export interface MonitorRunSummary {
  runId: string;
  version: number | null;
  /** End of the judged window (epoch ms): where the run's metrics sit on a time axis. */
  time: number;
  rows: number | null;
  labelled: number | null;
  alerts: number;
  metrics: Record<string, number>;
}

export interface FiredAlert extends MonitorAlert {
  time: number;
  version: number | null;
  runId: string | null;
}

/** What a model's monitoring tab shows: what is served, its traffic, and the monitor's history and alerts. */
export interface MonitoringOverview {
  model: string;
  window: { from: number; to: number };
  bucketMs: number;
  /** The version that answered the window's last request, with the aliases pointing at it now. */
  served: { version: number; lastRequestTime: number; aliases: string[] } | null;
  versions: Array<{ version: number; requests: number; rows: number }>;
  totals: { requests: number; rows: number; perMinute: number; p50: number | null; p95: number | null; p99: number | null };
  traffic: TrafficBucket[];
  /** Monitoring runs whose window ends inside this one, oldest first (at most `MAX_REPORTS`). */
  reports: MonitorRunSummary[];
  /** Alerts of `monitoring.alert` events whose judged window ends in this one, newest first (at most `MAX_ALERTS`). */
  alerts: FiredAlert[];
}

export interface OverviewDeps {
  registry: RegistryService;
  experiments: ExperimentService;
  runs: RunService;
  log: InferenceLogStore;
}

export const MAX_BUCKETS = 500;
export const MAX_REPORTS = 500;
export const MAX_ALERTS = 200;
const MAX_WINDOW_MS = 366 * 86_400_000;

/**
 * A model's monitoring at a glance over `[from, to)`: request rate and latency per bucket from the
 * inference log, the monitor's recorded runs (drift, quality and live performance metrics over
 * time) and the alerts it fired (from the registry's audit log).
 */
export async function monitoringOverview(deps: OverviewDeps, model: string, window: { from: number; to: number; buckets?: number }): Promise<MonitoringOverview> {
  const { from, to } = window;
  const buckets = window.buckets ?? 60;
  if (!(to > from) || to - from > MAX_WINDOW_MS) throw invalid(`The window must end after it starts and span at most 366 days (got ${from} to ${to}).`);
  if (!Number.isInteger(buckets) || buckets < 1 || buckets > MAX_BUCKETS) throw invalid(`'buckets' must be an integer from 1 to ${MAX_BUCKETS}.`);
  const registered = await deps.registry.getModel(model);
  const [requests, reports, alerts] = await Promise.all([
    deps.log.requests({ model: registered.name, from, to }),
    monitorRuns(deps, registered.name, from, to),
    firedAlerts(deps, registered.name, from, to),
  ]);
  const bucketMs = Math.max(1, Math.ceil((to - from) / buckets));
  return {
    model: registered.name, window: { from, to }, bucketMs,
    served: served(requests, registered.aliases),
    versions: byVersion(requests),
    totals: totals(requests, to - from),
    traffic: traffic(requests, from, bucketMs, buckets),
    reports, alerts,
  };
}

function served(r: LoggedRequests, aliases: Array<{ alias: string; version: number }>): MonitoringOverview['served'] {
  let last = -1;
  for (let i = 0; i < r.count; i++) if (last < 0 || r.times[i]! > r.times[last]!) last = i;
  if (last < 0) return null;
  const version = r.versions[last]!;
  return { version, lastRequestTime: r.times[last]!, aliases: aliases.filter((a) => a.version === version).map((a) => a.alias).sort() };
}

function byVersion(r: LoggedRequests): MonitoringOverview['versions'] {
  const out = new Map<number, { version: number; requests: number; rows: number }>();
  for (let i = 0; i < r.count; i++) {
    const v = r.versions[i]!;
    let e = out.get(v);
    if (!e) out.set(v, (e = { version: v, requests: 0, rows: 0 }));
    e.requests++;
    e.rows += r.rows[i]!;
  }
  return [...out.values()].sort((a, b) => b.version - a.version);
}

/** The p-th percentile (0..1) of sorted values, nearest rank; null for none. */
export function percentile(sorted: Float64Array, p: number): number | null {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

function totals(r: LoggedRequests, spanMs: number): MonitoringOverview['totals'] {
  const sorted = Float64Array.from(r.latencyMs).sort();
  const rows = r.rows.reduce((a, b) => a + b, 0);
  return { requests: r.count, rows, perMinute: r.count / (spanMs / 60_000), p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), p99: percentile(sorted, 0.99) };
}

function traffic(r: LoggedRequests, from: number, bucketMs: number, buckets: number): TrafficBucket[] {
  const latencies: number[][] = Array.from({ length: buckets }, () => []);
  const rows = new Array<number>(buckets).fill(0);
  for (let i = 0; i < r.count; i++) {
    const b = Math.min(buckets - 1, Math.floor((r.times[i]! - from) / bucketMs));
    if (b < 0) continue;
    latencies[b]!.push(r.latencyMs[i]!);
    rows[b]! += r.rows[i]!;
  }
  return latencies.map((l, b) => {
    const sorted = Float64Array.from(l).sort();
    return { start: from + b * bucketMs, requests: l.length, rows: rows[b]!, p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), p99: percentile(sorted, 0.99) };
  });
}

async function monitorRuns(deps: OverviewDeps, model: string, from: number, to: number): Promise<MonitorRunSummary[]> {
  const experiment = await deps.experiments.findByName(monitoringExperiment(model));
  if (!experiment) return [];
  // A monitor run starts when `cairn monitor run` does, at or after its window's end: search from `from`.
  const page = await deps.runs.search({
    experimentIds: [experiment.experimentId], filter: `attributes.start_time >= ${Math.floor(from)}`, orderBy: ['attributes.start_time DESC'], maxResults: MAX_REPORTS,
  });
  const out: MonitorRunSummary[] = [];
  for (const run of page.items) {
    const metrics: Record<string, number> = {};
    let time = run.info.startTime;
    for (const m of run.data.metrics) {
      metrics[m.key] = m.value;
      time = m.timestamp;
    }
    if (time < from || time >= to) continue;
    const version = Number(run.data.tags['cairn.monitor.version']);
    out.push({
      runId: run.info.runId, version: Number.isInteger(version) ? version : null, time,
      rows: metrics.rows ?? null, labelled: metrics.labelled ?? null, alerts: metrics.alerts ?? Number(run.data.tags['cairn.monitor.alerts'] ?? 0), metrics,
    });
  }
  return out.sort((a, b) => a.time - b.time);
}

async function firedAlerts(deps: OverviewDeps, model: string, from: number, to: number): Promise<FiredAlert[]> {
  // An alert is fired after the window it judged: read events from `from` on, and place each at the
  // end of the traffic it judged (the event's own time when that is missing).
  const page = await deps.registry.audit.list({ model, action: 'monitoring.alert', since: Math.floor(from), maxResults: 1000 });
  const out: FiredAlert[] = [];
  for (const e of page.items) {
    const after = (e.after ?? {}) as { runId?: unknown; alerts?: unknown; window?: { to?: unknown } };
    const time = typeof after.window?.to === 'number' ? after.window.to : e.time;
    if (time < from || time >= to) continue;
    const list = Array.isArray(after.alerts) ? (after.alerts as MonitorAlert[]) : [];
    for (const a of list) out.push({ ...a, time, version: e.version, runId: typeof after.runId === 'string' ? after.runId : null });
    if (out.length >= MAX_ALERTS) break;
  }
  return out.sort((a, b) => b.time - a.time).slice(0, MAX_ALERTS);
}
