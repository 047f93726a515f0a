import type { MonitoringOverview } from '@cairn/core';
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { EmptyState } from '../components/empty-state.js';
import { ErrorPanel } from '../components/error-panel.js';
import { formatAgo, formatCount, formatMetric, formatTime } from '../components/format.js';
import { MetricChart } from '../components/metric-chart.js';
import { Skeleton } from '../components/skeleton.js';
import { useParam } from '../components/tabs.js';
import { useModelMonitoring } from './model-queries.js';
import { reportCharts, trafficCharts, WINDOWS, type ChartSpec } from './monitoring-series.js';

const ms = (v: number | null): string => (v === null ? '–' : `${formatMetric(v)} ms`);

/**
 * A model's monitoring tab: the version answering requests, request rate and latency over the
 * window, the monitor's drift, data quality and live performance over time, and the alerts fired.
 */
export function MonitoringTab({ model }: { model: string }) {
  const [windowParam, setWindow] = useParam('window');
  const window = WINDOWS.find((w) => w.id === windowParam) ?? WINDOWS[1];
  const q = useModelMonitoring(model, window.ms);
  return (
    <section className="monitoring" data-testid="monitoring">
      <div className="toolbar">
        <label>
          Window{' '}
          <select value={window.id} onChange={(e) => setWindow(e.target.value === '24h' ? null : e.target.value)}>
            {WINDOWS.map((w) => <option key={w.id} value={w.id}>{w.label}</option>)}
          </select>
        </label>
        <span className="muted small">{q.isFetching ? 'Refreshing…' : 'Refreshes every 15 s'}</span>
      </div>
      {q.error ? <ErrorPanel error={q.error} onRetry={() => q.refetch()} /> : q.isPending ? <Skeleton rows={6} label="Loading monitoring" /> : <Overview o={q.data} />}
    </section>
  );
}

function Overview({ o }: { o: MonitoringOverview }) {
  const traffic = useMemo(() => trafficCharts(o), [o]);
  const reports = useMemo(() => reportCharts(o), [o]);
  if (!o.totals.requests && !o.reports.length && !o.alerts.length) {
    return (
      <EmptyState title="Nothing served or monitored in this window">
        <p>Serve a version with the inference log on, send it traffic, then judge that traffic against the training set:</p>
        <pre className="code">{`cairn models serve ${o.model}@champion --port 8080\ncairn monitor run ${o.model}@champion --window 1d`}</pre>
        <p className="muted">Try a longer window if this model was served earlier.</p>
      </EmptyState>
    );
  }
  const base = `/models/${encodeURIComponent(o.model)}`;
  return (
    <>
      <div className="stat-cards">
        <div className="card stat" data-testid="served-version">
          <div className="muted small">Served</div>
          {o.served ? (
            <>
              <div className="stat-value"><Link to={`${base}/versions/${o.served.version}`}>v{o.served.version}</Link>{o.served.aliases.map((a) => <span key={a} className="chip">@{a}</span>)}</div>
              <div className="muted small" title={formatTime(o.served.lastRequestTime)}>last request {formatAgo(o.served.lastRequestTime)}</div>
            </>
          ) : <div className="stat-value muted">no requests</div>}
        </div>
        <div className="card stat"><div className="muted small">Requests</div><div className="stat-value">{formatCount(o.totals.requests)}</div><div className="muted small">{formatMetric(o.totals.perMinute)} / min · {formatCount(o.totals.rows)} rows</div></div>
        <div className="card stat"><div className="muted small">Latency p50 / p95 / p99</div><div className="stat-value">{ms(o.totals.p50)}</div><div className="muted small">{ms(o.totals.p95)} · {ms(o.totals.p99)}</div></div>
        <div className="card stat" data-testid="alert-count"><div className="muted small">Alerts</div><div className={o.alerts.length ? 'stat-value bad' : 'stat-value'}>{o.alerts.length}</div><div className="muted small">{o.reports.length} monitor runs</div></div>
      </div>
      {o.versions.length > 1 && (
        <p className="muted">Versions that answered in this window: {o.versions.map((v) => `v${v.version} (${formatCount(v.requests)} requests)`).join(', ')}</p>
      )}
      <Charts specs={traffic} window={o.window} />
      {reports.length ? <Charts specs={reports} window={o.window} /> : (
        <p className="muted">No monitor runs in this window: <code>cairn monitor run {o.model}@champion</code> judges drift, data quality and (with labels) live performance, and records each run here.</p>
      )}
      <Alerts o={o} />
    </>
  );
}

/** Charts over the window (x in seconds), zoomed together. */
function Charts({ specs, window }: { specs: ChartSpec[]; window: { from: number; to: number } }) {
  const [range, setRange] = useState<[number, number] | null>(null);
  const domain = useMemo<[number, number]>(() => [window.from / 1000, window.to / 1000], [window.from, window.to]);
  return (
    <div className="chart-grid">
      {specs.map((c) => (
        <div key={c.title}>
          <MetricChart title={c.title} series={c.series} axis="time" smoothing={0} log={false} range={range} onZoom={setRange} domain={domain} height={200} />
          {c.total > c.series.length && <p className="muted small">The {c.series.length} highest of {c.total} series.</p>}
        </div>
      ))}
    </div>
  );
}

function Alerts({ o }: { o: MonitoringOverview }) {
  if (!o.alerts.length) return <p className="muted" data-testid="no-alerts">No alerts fired in this window.</p>;
  return (
    <div className="card">
      <h2>Alerts fired</h2>
      <table className="table" data-testid="alerts">
        <thead><tr><th>When</th><th>Version</th><th>Kind</th><th>Feature</th><th>What crossed its threshold</th><th>Run</th></tr></thead>
        <tbody>
          {o.alerts.map((a, i) => (
            <tr key={`${a.time}-${i}`}>
              <td title={formatTime(a.time)}>{formatAgo(a.time)}</td>
              <td>{a.version === null ? '–' : `v${a.version}`}</td>
              <td><span className="chip">{a.kind}</span></td>
              <td className="wrap">{a.feature ?? '–'}</td>
              <td className="wrap">{a.message}</td>
              <td>{a.runId ? <Link to={`/runs/${encodeURIComponent(a.runId)}`}>report</Link> : '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
