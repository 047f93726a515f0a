import { Link, useParams } from 'react-router';
import type { FeatureViewSpec, OnDemandFeatureViewSpec } from '@cairn/core';
import { ErrorPanel } from '../components/error-panel.js';
import { formatCount, formatDuration, formatTime } from '../components/format.js';
import { LineageLink } from '../components/lineage-link.js';
import { Skeleton } from '../components/skeleton.js';
import { Tabs, useTab } from '../components/tabs.js';
import { DefinitionVersions } from './definition-versions.js';
import { featureObjectPath } from './feature-links.js';
import { useFeatureView } from './feature-queries.js';
import { MaterializationHistory } from './features-page.js';
import { StatsTable } from './stats-table.js';

const TABS = [
  { id: 'overview', label: 'Overview' },
  { id: 'statistics', label: 'Statistics and expectations' },
  { id: 'versions', label: 'Versions' },
  { id: 'materializations', label: 'Materializations' },
] as const;

/** A feature view: fields and types, source, TTL, serving, freshness; statistics and expectations; versions with plan diffs; materializations. */
export function FeatureViewPage() {
  const { name = '' } = useParams();
  const view = useFeatureView(name);
  const [tab, setTab] = useTab(TABS);
  if (view.error) return <div className="page"><ErrorPanel error={view.error} onRetry={() => view.refetch()} /></div>;
  if (view.isPending) return <div className="page"><Skeleton rows={10} label="Loading feature view" /></div>;
  const d = view.data;
  const spec = d.object.spec;
  const onDemand = spec.kind === 'onDemandFeatureView';
  const f = d.freshness;
  return (
    <div className="page">
      <div className="crumbs"><Link to="/features">Features</Link> /</div>
      <h1>{spec.name} <span className="muted small">{onDemand ? 'on-demand feature view' : 'feature view'} v{d.object.version}</span></h1>
      {spec.description && <p className="wrap">{spec.description}</p>}
      <p><LineageLink kind={spec.kind} objectKey={spec.name} /></p>
      <Tabs tabs={TABS} current={tab} onChoose={setTab} />
      {tab === 'overview' && (
        <div className="sections">
          <section className="card">
            <h2>Definition</h2>
            <dl className="facts">
              {onDemand ? (
                <div><dt>Reads</dt><dd>{(spec as OnDemandFeatureViewSpec).inputs.map((i) => <span key={`${i.view}:${i.feature}`} className="chip"><Link to={featureObjectPath('featureView', i.view)}>{i.view}</Link>:{i.feature}</span>)}</dd></div>
              ) : (
                <>
                  <div><dt>Entities</dt><dd>{(spec as FeatureViewSpec).entities.map((e) => <Link key={e} className="chip" to={featureObjectPath('entity', e)}>{e}</Link>)}</dd></div>
                  <div><dt>Join keys</dt><dd>{(spec as FeatureViewSpec).joinKeys.map((k) => <code key={k.name}>{k.name}: {k.type} </code>)}</dd></div>
                  <div><dt>Source</dt><dd><Link to={featureObjectPath('source', (spec as FeatureViewSpec).source.name)}>{(spec as FeatureViewSpec).source.name}</Link> ({(spec as FeatureViewSpec).source.type})</dd></div>
                  <div><dt>TTL</dt><dd>{(spec as FeatureViewSpec).ttlMs === null ? 'none' : formatDuration((spec as FeatureViewSpec).ttlMs)}</dd></div>
                  <div><dt>Serving</dt><dd>{(spec as FeatureViewSpec).online ? 'online and offline' : 'offline only'}</dd></div>
                </>
              )}
              <div><dt>Owner</dt><dd>{spec.owner || '—'}</dd></div>
              {Object.entries(spec.tags).map(([k, v]) => <div key={k}><dt>tag {k}</dt><dd>{v}</dd></div>)}
              <div><dt>Used by</dt><dd>{d.usedBy.length ? d.usedBy.map((u) => <Link key={`${u.kind}:${u.name}`} className="chip" to={featureObjectPath(u.kind, u.name)}>{u.name}</Link>) : '—'}</dd></div>
            </dl>
          </section>
          <section className="card">
            <h2>Fields</h2>
            <table className="grid"><thead><tr><th>Feature</th><th>Type</th></tr></thead>
              <tbody>{spec.features.map((x) => <tr key={x.name}><td><code>{x.name}</code></td><td>{x.type}</td></tr>)}</tbody></table>
          </section>
          {f && (
            <section className="card freshness" data-stale={f.stale ? 'true' : 'false'}>
              <h2>Freshness</h2>
              <dl className="facts">
                <div><dt>Watermark</dt><dd>{f.watermark ? formatTime(f.watermark) : 'never materialized'}</dd></div>
                <div><dt>Last materialization</dt><dd>{f.lastRun ? `${f.lastRun.status.toLowerCase()} ${formatTime(f.lastRun.startedTime)}, ${formatCount(f.lastRun.rows)} rows` : '—'}</dd></div>
                <div><dt>State</dt><dd>{f.stale ? <span className="stale">stale: {f.staleReason}</span> : f.online ? <span className="ok">fresh</span> : 'not served online'}</dd></div>
              </dl>
            </section>
          )}
        </div>
      )}
      {tab === 'statistics' && (
        <>
          <section className="card">
            <h2>Statistics</h2>
            {d.statisticsRunId && <p className="muted small">From materialization {d.statisticsRunId.slice(0, 8)}, the newest that succeeded.</p>}
            <StatsTable statistics={d.statistics} />
          </section>
          <section className="card">
            <h2>Expectations</h2>
            {d.expectations.length === 0 ? <p className="muted">No expectations defined on this view.</p> : (
              <table className="grid expectations"><thead><tr><th>Feature</th><th>Expects</th><th>Result</th><th>Details</th></tr></thead>
                <tbody>{d.expectations.map((e, i) => (
                  <tr key={i} data-status={e.status}><td>{e.feature ?? '(view)'}</td><td><code>{e.expectation}</code></td>
                    <td className={e.status === 'failed' ? 'danger' : e.status === 'passed' ? 'ok' : 'muted'}>{e.status}</td><td className="wrap small">{e.note}</td></tr>
                ))}</tbody></table>
            )}
          </section>
        </>
      )}
      {tab === 'versions' && <section className="card"><h2>Versions and what each changed</h2><DefinitionVersions versions={d.versions} /></section>}
      {tab === 'materializations' && <MaterializationHistory view={spec.name} />}
    </div>
  );
}
