import { useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { seriesColor } from '../components/chart-data.js';
import { EmptyState } from '../components/empty-state.js';
import { ErrorPanel } from '../components/error-panel.js';
import { formatMetric, formatMetricFull } from '../components/format.js';
import { Skeleton } from '../components/skeleton.js';
import { parseChartSettings, withChartSettings } from '../runs/chart-settings.js';
import { ChartControls, MetricCharts } from '../runs/metric-charts.js';
import { useRuns } from '../runs/run-queries.js';
import { diffRuns } from './diff.js';
import { ParallelCoordinates, type PlotRun } from './parallel-coordinates.js';
import { ScatterPlot } from './scatter-plot.js';

/** N runs side by side: overlaid metric charts, a diff table, parallel coordinates and a scatter. */
export function ComparePage() {
  const [params, setParams] = useSearchParams();
  const runIds = useMemo(() => [...new Set(params.getAll('run'))], [params]);
  const runs = useRuns(runIds);
  const settings = useMemo(() => parseChartSettings(params), [params]);
  const [onlyDiffs, setOnlyDiffs] = useState(params.get('diff') !== 'all');

  const list = runs.data ?? [];
  const compared = useMemo(() => list.map((r) => ({
    runId: r.info.runId,
    params: r.data.params,
    metrics: Object.fromEntries(r.data.metrics.map((m) => [m.key, m.value])),
    tags: r.data.tags,
  })), [list]);
  const rows = useMemo(() => diffRuns(compared), [compared]);
  const metricKeys = useMemo(() => [...new Set(list.flatMap((r) => r.data.metrics.map((m) => m.key)))].sort(), [list]);
  const paramKeys = useMemo(() => [...new Set(list.flatMap((r) => Object.keys(r.data.params)))].sort(), [list]);
  const chosen = params.getAll('key').filter((k) => metricKeys.includes(k));
  const chartKeys = chosen.length ? chosen : metricKeys.slice(0, 4);
  const plotRuns: PlotRun[] = list.map((r) => ({
    runId: r.info.runId,
    name: r.info.runName,
    values: { ...Object.fromEntries(Object.entries(r.data.params).map(([k, v]) => [`params.${k}`, v])), ...Object.fromEntries(r.data.metrics.map((m) => [`metrics.${m.key}`, m.value])) },
  }));
  const differing = rows.filter((r) => r.differs && r.group !== 'tags').map((r) => `${r.group}.${r.key}`);
  const dims = params.getAll('dim').length ? params.getAll('dim') : differing.slice(0, 8);
  const scatterX = params.get('sx') ?? (paramKeys[0] ? `params.${paramKeys[0]}` : `metrics.${metricKeys[0] ?? ''}`);
  const scatterY = params.get('sy') ?? `metrics.${metricKeys[0] ?? ''}`;
  const set = (key: string, values: string[]) => {
    const next = new URLSearchParams(params);
    next.delete(key);
    for (const v of values) next.append(key, v);
    setParams(next, { replace: true });
  };

  if (runIds.length === 0) {
    return <div className="page"><EmptyState title="No runs to compare"><p>Select two or more runs in a <Link to="/experiments">runs table</Link> and press Compare.</p></EmptyState></div>;
  }
  if (runs.error) return <div className="page"><ErrorPanel error={runs.error} onRetry={() => runs.refetch()} /></div>;
  if (runs.isPending) return <div className="page"><Skeleton rows={10} label="Loading runs" /></div>;
  const dimensionChoices = [...paramKeys.map((k) => `params.${k}`), ...metricKeys.map((k) => `metrics.${k}`)];
  const shownRows = onlyDiffs ? rows.filter((r) => r.differs) : rows;

  return (
    <div className="page page-wide">
      <div className="page-head">
        <div>
          <div className="crumbs"><Link to={`/runs?exp=${encodeURIComponent(list[0]!.info.experimentId)}`}>Runs</Link> /</div>
          <h1>Comparing {list.length} runs</h1>
        </div>
      </div>
      <section className="card">
        <h2>Metrics</h2>
        <ChartControls settings={settings} onSettings={(s) => setParams(withChartSettings(params, s), { replace: true })} />
        <fieldset className="key-chooser">
          <legend>Charts</legend>
          {metricKeys.map((k) => (
            <label key={k} className="check">
              <input type="checkbox" checked={chartKeys.includes(k)} onChange={(e) => set('key', e.target.checked ? [...chartKeys, k] : chartKeys.filter((x) => x !== k))} />
              {k}
            </label>
          ))}
        </fieldset>
        <MetricCharts
          runs={list.map((r) => ({ runId: r.info.runId, name: r.info.runName, startTime: r.info.startTime, running: r.info.status === 'RUNNING' }))}
          keys={chartKeys}
          settings={settings}
          onSettings={(s) => setParams(withChartSettings(params, s), { replace: true })}
        />
      </section>
      <section className="card">
        <h2>Params and metrics</h2>
        <label className="check"><input type="checkbox" checked={onlyDiffs} onChange={(e) => setOnlyDiffs(e.target.checked)} /> Only what differs</label>
        <div className="table-scroll">
          <table className="grid diff-table">
            <thead>
              <tr>
                <th>Key</th>
                {list.map((r, i) => (
                  <th key={r.info.runId}><span className="swatch" style={{ background: seriesColor(i) }} /><Link to={`/runs/${encodeURIComponent(r.info.runId)}`}>{r.info.runName}</Link></th>
                ))}
              </tr>
            </thead>
            <tbody>
              {shownRows.length === 0 && <tr><td colSpan={list.length + 1} className="muted">These runs agree on every param, metric and tag.</td></tr>}
              {shownRows.map((row) => (
                <tr key={`${row.group}.${row.key}`} className={row.differs ? 'differs' : ''}>
                  <th scope="row"><span className="muted small">{row.group}.</span>{row.key}</th>
                  {row.values.map((v, i) => (
                    <td key={i} className={typeof v === 'number' ? 'num' : ''} title={typeof v === 'number' ? formatMetricFull(v) : v}>
                      {v === undefined ? <span className="muted">—</span> : typeof v === 'number' ? formatMetric(v) : v}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section className="card">
        <h2>Parallel coordinates</h2>
        <details>
          <summary>Axes ({dims.length})</summary>
          <div className="key-chooser">
            {dimensionChoices.map((d) => (
              <label key={d} className="check"><input type="checkbox" checked={dims.includes(d)} onChange={(e) => set('dim', e.target.checked ? [...dims, d] : dims.filter((x) => x !== d))} />{d}</label>
            ))}
          </div>
        </details>
        <ParallelCoordinates runs={plotRuns} dimensions={dims} />
      </section>
      <section className="card">
        <h2>Scatter</h2>
        <div className="toolbar">
          <label>X <select value={scatterX} onChange={(e) => set('sx', [e.target.value])}>{dimensionChoices.map((d) => <option key={d} value={d}>{d}</option>)}</select></label>
          <label>Y <select value={scatterY} onChange={(e) => set('sy', [e.target.value])}>{metricKeys.map((k) => <option key={k} value={`metrics.${k}`}>{`metrics.${k}`}</option>)}</select></label>
        </div>
        <ScatterPlot runs={plotRuns} xKey={scatterX} yKey={scatterY} />
      </section>
    </div>
  );
}
