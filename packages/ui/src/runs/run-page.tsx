import { useMemo } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { ErrorPanel } from '../components/error-panel.js';
import { formatDuration, formatTime, runDuration } from '../components/format.js';
import { Skeleton } from '../components/skeleton.js';
import { StatusBadge } from '../components/status-badge.js';
import { useExperiment } from '../experiments/experiment-queries.js';
import { ArtifactBrowser } from './artifact-browser.js';
import { parseChartSettings, withChartSettings } from './chart-settings.js';
import { ChartControls, MetricCharts } from './metric-charts.js';
import { useRun } from './run-queries.js';
import { ChildRuns, DatasetInputs, KeyValueTable, LatestMetrics, RunOverview } from './run-sections.js';
import { RunTags } from './run-tags.js';

const TABS = [
  { id: 'overview', label: 'Overview' },
  { id: 'charts', label: 'Charts' },
  { id: 'artifacts', label: 'Artifacts' },
] as const;

/** One run: overview, params, metrics, tags, inputs, child runs; charts; artifacts. Live while RUNNING. */
export function RunPage() {
  const { runId = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const run = useRun(runId);
  const experiment = useExperiment(run.data?.info.experimentId);
  const tab = TABS.some((t) => t.id === params.get('tab')) ? params.get('tab')! : 'overview';
  const settings = useMemo(() => parseChartSettings(params), [params]);
  const metricKeys = useMemo(() => (run.data?.data.metrics ?? []).map((m) => m.key).sort(), [run.data]);
  const chosenKeys = params.getAll('key').filter((k) => metricKeys.includes(k));
  const chartKeys = chosenKeys.length ? chosenKeys : metricKeys.slice(0, 6);

  const setParam = (key: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value === null) next.delete(key);
    else next.set(key, value);
    setParams(next, { replace: true });
  };

  if (run.error) return <div className="page"><ErrorPanel error={run.error} onRetry={() => run.refetch()} /></div>;
  if (run.isPending) return <div className="page"><Skeleton rows={10} label="Loading run" /></div>;
  const r = run.data;
  const info = r.info;
  return (
    <div className="page">
      <div className="page-head">
        <div>
          <div className="crumbs">
            <Link to="/experiments">Experiments</Link> / <Link to={`/runs?exp=${encodeURIComponent(info.experimentId)}`}>{experiment.data?.name ?? `#${info.experimentId}`}</Link> /
            {info.parentRunId && <> <Link to={`/runs/${encodeURIComponent(info.parentRunId)}`}>parent run</Link> /</>}
          </div>
          <h1>{info.runName} <StatusBadge status={info.status} reason={info.statusReason} /></h1>
          <p className="muted">
            {formatTime(info.startTime)} · {formatDuration(runDuration(info.startTime, info.endTime))}{info.status === 'RUNNING' ? ' so far (updates live)' : ''} · <code>{info.runId}</code>
          </p>
        </div>
      </div>
      <div className="tabs" role="tablist">
        {TABS.map((t) => (
          <button key={t.id} type="button" role="tab" aria-selected={tab === t.id} className={tab === t.id ? 'tab active' : 'tab'} onClick={() => setParam('tab', t.id === 'overview' ? null : t.id)}>
            {t.label}
          </button>
        ))}
      </div>
      {tab === 'overview' && (
        <div className="sections">
          <RunOverview run={r} />
          <LatestMetrics run={r} />
          <KeyValueTable title="Params" entries={Object.entries(r.data.params)} empty="No params logged." />
          <RunTags run={r} />
          <DatasetInputs run={r} />
          <ChildRuns run={r} />
        </div>
      )}
      {tab === 'charts' && (
        <div>
          <ChartControls settings={settings} onSettings={(s) => setParams(withChartSettings(params, s), { replace: true })} />
          <fieldset className="key-chooser">
            <legend>Metrics</legend>
            {metricKeys.length === 0 && <p className="muted">This run has logged no metrics yet.</p>}
            {metricKeys.map((k) => (
              <label key={k} className="check">
                <input
                  type="checkbox"
                  checked={chartKeys.includes(k)}
                  onChange={(e) => {
                    const next = new URLSearchParams(params);
                    next.delete('key');
                    for (const key of e.target.checked ? [...chartKeys, k] : chartKeys.filter((x) => x !== k)) next.append('key', key);
                    setParams(next, { replace: true });
                  }}
                />
                {k}
              </label>
            ))}
          </fieldset>
          <MetricCharts
            runs={[{ runId: info.runId, name: info.runName, startTime: info.startTime, running: info.status === 'RUNNING' }]}
            keys={chartKeys}
            settings={settings}
            onSettings={(s) => setParams(withChartSettings(params, s), { replace: true })}
          />
        </div>
      )}
      {tab === 'artifacts' && (
        <ArtifactBrowser
          runId={info.runId}
          dir={params.get('dir') ?? ''}
          file={params.get('file')}
          onChange={(dir, file) => {
            const next = new URLSearchParams(params);
            if (dir) next.set('dir', dir); else next.delete('dir');
            if (file) next.set('file', file); else next.delete('file');
            setParams(next, { replace: true });
          }}
        />
      )}
    </div>
  );
}
