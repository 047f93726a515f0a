import { Link } from 'react-router';
import type { EntitySpec, FeatureServiceSpec, FeatureViewSpec, OnDemandFeatureViewSpec, SourceSpec, StoredObject, ViewFreshness } from '@cairn/core';
import { EmptyState } from '../components/empty-state.js';
import { ErrorPanel } from '../components/error-panel.js';
import { formatAgo, formatCount, formatDuration, formatTime } from '../components/format.js';
import { Skeleton } from '../components/skeleton.js';
import { Tabs, useTab } from '../components/tabs.js';
import { featureObjectPath } from './feature-links.js';
import { useFeatureObjects, useFreshness, useMaterializations } from './feature-queries.js';
import { OnlineLookup } from './online-lookup.js';

const TABS = [
  { id: 'views', label: 'Feature views' },
  { id: 'services', label: 'Feature services' },
  { id: 'entities', label: 'Entities and sources' },
  { id: 'materializations', label: 'Materializations' },
  { id: 'lookup', label: 'Online lookup' },
] as const;

/** The feature store: views with their freshness, services, entities and sources, materialization history, an online lookup. */
export function FeaturesPage() {
  const objects = useFeatureObjects();
  const freshness = useFreshness();
  const [tab, setTab] = useTab(TABS);
  const all = objects.data ?? [];
  const of = <S,>(kind: string) => all.filter((o) => o.kind === kind) as Array<StoredObject & { spec: S }>;
  return (
    <div className="page">
      <div className="page-head"><h1>Features</h1></div>
      <Tabs tabs={TABS} current={tab} onChoose={setTab} />
      {objects.error ? <ErrorPanel error={objects.error} onRetry={() => objects.refetch()} /> : objects.isPending ? <Skeleton rows={8} label="Loading features" /> : all.length === 0 && tab !== 'lookup' ? (
        <EmptyState title="No feature definitions applied"><p>Define entities, sources and views under <code>features/</code> and run <code>cairn features apply</code>.</p></EmptyState>
      ) : (
        <>
          {tab === 'views' && <ViewsTable views={of<FeatureViewSpec>('featureView')} onDemand={of<OnDemandFeatureViewSpec>('onDemandFeatureView')} freshness={freshness.data ?? []} />}
          {tab === 'services' && (
            <table className="grid">
              <thead><tr><th>Service</th><th>Features</th><th>Views</th><th>Owner</th><th>Description</th></tr></thead>
              <tbody>{of<FeatureServiceSpec>('featureService').map((s) => (
                <tr key={s.name}>
                  <td><Link to={featureObjectPath('featureService', s.name)}>{s.name}</Link></td>
                  <td className="num">{s.spec.features.length}</td>
                  <td>{[...new Set(s.spec.features.map((f) => f.view))].map((v) => <span key={v} className="chip">{v}</span>)}</td>
                  <td>{s.spec.owner}</td><td className="wrap">{s.spec.description}</td>
                </tr>
              ))}</tbody>
            </table>
          )}
          {tab === 'entities' && (
            <div className="sections">
              <section className="card"><h2>Entities</h2>
                <table className="grid"><thead><tr><th>Entity</th><th>Join keys</th><th>Description</th></tr></thead>
                  <tbody>{of<EntitySpec>('entity').map((e) => <tr key={e.name}><td><Link to={featureObjectPath('entity', e.name)}>{e.name}</Link></td><td>{e.spec.joinKeys.map((k) => <code key={k.name}>{k.name}: {k.type} </code>)}</td><td className="wrap">{e.spec.description}</td></tr>)}</tbody>
                </table>
              </section>
              <section className="card"><h2>Sources</h2>
                <table className="grid"><thead><tr><th>Source</th><th>Type</th><th>Reads</th></tr></thead>
                  <tbody>{of<SourceSpec>('source').map((s) => <tr key={s.name}><td><Link to={featureObjectPath('source', s.name)}>{s.name}</Link></td><td>{s.spec.type}</td><td><code>{sourceTarget(s.spec)}</code></td></tr>)}</tbody>
                </table>
              </section>
            </div>
          )}
          {tab === 'materializations' && <MaterializationHistory />}
          {tab === 'lookup' && <OnlineLookup />}
        </>
      )}
    </div>
  );
}

export function sourceTarget(s: SourceSpec): string {
  if (s.type === 'file') return s.path;
  if (s.type === 'postgres') return s.table ?? s.query ?? '';
  return s.batchSource ? `pushed rows; batch: ${s.batchSource.path}` : 'pushed rows';
}

function ViewsTable({ views, onDemand, freshness }: { views: Array<StoredObject & { spec: FeatureViewSpec }>; onDemand: Array<StoredObject & { spec: OnDemandFeatureViewSpec }>; freshness: ViewFreshness[] }) {
  const byView = new Map(freshness.map((f) => [f.view, f]));
  return (
    <table className="grid views-table">
      <thead><tr><th>View</th><th>Entities</th><th className="num">Features</th><th>Source</th><th>TTL</th><th>Serving</th><th>Watermark</th><th>Last materialization</th><th className="num">Rows</th><th>Freshness</th></tr></thead>
      <tbody>
        {views.map((v) => {
          const f = byView.get(v.name);
          return (
            <tr key={v.name} data-view={v.name}>
              <td><Link to={featureObjectPath('featureView', v.name)}>{v.name}</Link></td>
              <td>{v.spec.entities.join(', ')}</td>
              <td className="num">{v.spec.features.length}</td>
              <td><Link to={featureObjectPath('source', v.spec.source.name)}>{v.spec.source.name}</Link></td>
              <td>{v.spec.ttlMs === null ? '—' : formatDuration(v.spec.ttlMs)}</td>
              <td>{v.spec.online ? 'online + offline' : 'offline'}</td>
              <td title={formatTime(f?.watermark)}>{f?.watermark ? formatTime(f.watermark) : '—'}</td>
              <td>{f?.lastRun ? <span className={f.lastRun.status === 'FAILED' ? 'danger' : ''}>{f.lastRun.status.toLowerCase()} {formatAgo(f.lastRun.startedTime)}</span> : '—'}</td>
              <td className="num">{f?.lastRun ? formatCount(f.lastRun.rows) : ''}</td>
              <td>{f?.stale ? <span className="stale" title={f.staleReason ?? ''}>stale: {f.staleReason}</span> : v.spec.online ? <span className="ok">fresh</span> : <span className="muted">—</span>}</td>
            </tr>
          );
        })}
        {onDemand.map((v) => (
          <tr key={v.name}>
            <td><Link to={featureObjectPath('onDemandFeatureView', v.name)}>{v.name}</Link></td>
            <td className="muted">on demand</td><td className="num">{v.spec.features.length}</td>
            <td>{[...new Set(v.spec.inputs.map((i) => i.view))].join(', ')}</td><td colSpan={6} className="muted">computed at read time</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Every materialization run, newest first. */
export function MaterializationHistory({ view }: { view?: string }) {
  const runs = useMaterializations(view);
  if (runs.error) return <ErrorPanel error={runs.error} onRetry={() => runs.refetch()} />;
  if (runs.isPending) return <Skeleton rows={5} />;
  if (!runs.data.length) return <p className="muted">No materializations yet: <code>cairn features materialize-incremental NOW</code> fills the online store.</p>;
  return (
    <table className="grid">
      <thead><tr>{!view && <th>View</th>}<th>Status</th><th>Window</th><th className="num">Rows</th><th>Started</th><th>Took</th><th>Error</th></tr></thead>
      <tbody>{runs.data.map((r) => (
        <tr key={r.runId}>
          {!view && <td><Link to={featureObjectPath('featureView', r.view)}>{r.view}</Link></td>}
          <td className={r.status === 'FAILED' ? 'danger' : r.status === 'SUCCEEDED' ? 'ok' : ''}>{r.status}</td>
          <td className="small">{formatTime(r.start)} → {formatTime(r.end)}</td>
          <td className="num">{formatCount(r.rows)}</td>
          <td>{formatTime(r.startedTime)}</td>
          <td>{r.endedTime ? formatDuration(r.endedTime - r.startedTime) : ''}</td>
          <td className="wrap small">{r.error}</td>
        </tr>
      ))}</tbody>
    </table>
  );
}
