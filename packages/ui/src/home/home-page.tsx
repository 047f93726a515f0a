import { useMemo, type ReactNode } from 'react';
import { Link } from 'react-router';
import { ErrorPanel } from '../components/error-panel.js';
import { formatAgo, formatDuration, formatTime, runDuration } from '../components/format.js';
import { Skeleton } from '../components/skeleton.js';
import { StatusBadge } from '../components/status-badge.js';
import { featureObjectPath } from '../features/feature-links.js';
import { useFreshness } from '../features/feature-queries.js';
import { useModelSearch, useRegistryEvents } from '../models/model-queries.js';
import { runPath } from '../pipelines/pipeline-links.js';
import { usePipelineRuns } from '../pipelines/pipeline-queries.js';
import { useRecentRuns } from './home-queries.js';
import { headlineAlias, lastMoves } from './home-summary.js';

/** What needs a person's attention at a glance: recent runs, each model's champion and last promotion, failing pipeline runs, stale feature views. */
export function HomePage() {
  return (
    <div className="page">
      <h1>Cairn</h1>
      <div className="sections home">
        <RecentRuns />
        <Models />
        <FailingPipelines />
        <StaleViews />
      </div>
    </div>
  );
}

function Panel({ title, to, children }: { title: string; to: string; children: ReactNode }) {
  return <section className="card" aria-label={title}><h2><Link to={to}>{title}</Link></h2>{children}</section>;
}

function RecentRuns() {
  const recent = useRecentRuns();
  const names = new Map((recent.data?.experiments ?? []).map((e) => [e.experimentId, e.name]));
  return (
    <Panel title="Recent runs" to="/experiments">
      {recent.error ? <ErrorPanel compact error={recent.error} /> : recent.isPending ? <Skeleton rows={5} /> : recent.data.runs.length === 0 ? <p className="muted">No runs yet.</p> : (
        <table className="grid"><tbody>{recent.data.runs.map((r) => (
          <tr key={r.info.runId}>
            <td><Link to={`/runs/${encodeURIComponent(r.info.runId)}`}>{r.info.runName}</Link> <span className="muted small">{names.get(r.info.experimentId)}</span></td>
            <td><StatusBadge status={r.info.status} reason={r.info.statusReason} /></td>
            <td title={formatTime(r.info.startTime)}>{formatAgo(r.info.startTime)}</td>
            <td>{formatDuration(runDuration(r.info.startTime, r.info.endTime))}</td>
          </tr>
        ))}</tbody></table>
      )}
    </Panel>
  );
}

function Models() {
  const models = useModelSearch('');
  const events = useRegistryEvents('alias.moved');
  const moves = useMemo(() => lastMoves(events.data?.items ?? []), [events.data]);
  const list = models.data?.pages[0]?.items ?? [];
  return (
    <Panel title="Models" to="/models">
      {models.error ? <ErrorPanel compact error={models.error} /> : models.isPending ? <Skeleton rows={4} /> : list.length === 0 ? <p className="muted">No registered models.</p> : (
        <table className="grid"><thead><tr><th>Model</th><th>Champion</th><th>Last promotion</th></tr></thead><tbody>{list.map((m) => {
          const head = headlineAlias(m);
          const move = moves.get(m.name);
          const base = `/models/${encodeURIComponent(m.name)}`;
          return (
            <tr key={m.name}>
              <td><Link to={base}>{m.name}</Link></td>
              <td>{head ? <Link to={`${base}/versions/${head.version}`}>@{head.alias} → v{head.version}</Link> : <span className="muted">no alias</span>}</td>
              <td>{move ? <span title={formatTime(move.time)}>@{move.alias} → v{move.version} {formatAgo(move.time)} by {move.actor}</span> : <span className="muted">—</span>}</td>
            </tr>
          );
        })}</tbody></table>
      )}
    </Panel>
  );
}

function FailingPipelines() {
  const runs = usePipelineRuns({ status: 'FAILED', maxResults: 10 });
  return (
    <Panel title="Failing pipeline runs" to="/pipelines?status=FAILED">
      {runs.error ? <ErrorPanel compact error={runs.error} /> : runs.isPending ? <Skeleton rows={3} /> : runs.data.length === 0 ? <p className="ok">No failed pipeline runs.</p> : (
        <table className="grid"><tbody>{runs.data.map((r) => (
          <tr key={r.runId}>
            <td><Link to={runPath(r.runId)}>{r.pipelineName} <code className="small">{r.runId.slice(0, 8)}</code></Link></td>
            <td className="wrap small danger">{r.statusReason}</td>
            <td title={formatTime(r.createdTime)}>{formatAgo(r.createdTime)}</td>
          </tr>
        ))}</tbody></table>
      )}
    </Panel>
  );
}

function StaleViews() {
  const freshness = useFreshness();
  const stale = (freshness.data ?? []).filter((f) => f.stale);
  return (
    <Panel title="Stale feature views" to="/features">
      {freshness.error ? <ErrorPanel compact error={freshness.error} /> : freshness.isPending ? <Skeleton rows={3} /> : stale.length === 0 ? <p className="ok">Every online view is fresh.</p> : (
        <table className="grid"><tbody>{stale.map((f) => (
          <tr key={f.view}>
            <td><Link to={featureObjectPath('featureView', f.view)}>{f.view}</Link></td>
            <td className="small">{f.staleReason}</td>
            <td className="small">{f.watermark ? `watermark ${formatTime(f.watermark)}` : ''}{f.ttlMs ? `, TTL ${formatDuration(f.ttlMs)}` : ''}</td>
          </tr>
        ))}</tbody></table>
      )}
    </Panel>
  );
}
