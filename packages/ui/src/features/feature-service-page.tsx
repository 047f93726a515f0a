import { Link, useParams } from 'react-router';
import { ErrorPanel } from '../components/error-panel.js';
import { formatCount, formatTime } from '../components/format.js';
import { LineageLink } from '../components/lineage-link.js';
import { Skeleton } from '../components/skeleton.js';
import { DefinitionVersions } from './definition-versions.js';
import { featureObjectPath } from './feature-links.js';
import { useFeatureService } from './feature-queries.js';

/** A feature service: which views and features it serves, which models trained on it, its training sets and versions. */
export function FeatureServicePage() {
  const { name = '' } = useParams();
  const service = useFeatureService(name);
  if (service.error) return <div className="page"><ErrorPanel error={service.error} onRetry={() => service.refetch()} /></div>;
  if (service.isPending) return <div className="page"><Skeleton rows={10} label="Loading feature service" /></div>;
  const d = service.data;
  return (
    <div className="page">
      <div className="crumbs"><Link to="/features?tab=services">Features</Link> /</div>
      <h1>{d.object.name} <span className="muted small">feature service v{d.object.version}</span></h1>
      {d.object.spec.description && <p className="wrap">{d.object.spec.description}</p>}
      <p><LineageLink kind="featureService" objectKey={d.object.name} /></p>
      <div className="sections">
        <section className="card">
          <h2>Serves</h2>
          <table className="grid"><thead><tr><th>View</th><th>Features</th></tr></thead>
            <tbody>{d.views.map((v) => <tr key={v.name}><td><Link to={featureObjectPath(v.kind, v.name)}>{v.name}</Link>{v.kind === 'onDemandFeatureView' && <span className="muted small"> on demand</span>}</td><td>{v.features.map((f) => <code key={f}>{f} </code>)}</td></tr>)}</tbody></table>
        </section>
        <section className="card">
          <h2>Models using it</h2>
          {d.models.length === 0 ? <p className="muted">No registered version was trained on it yet.</p> : (
            <ul>{d.models.map((m) => <li key={`${m.name}/${m.version}`}><Link to={`/models/${encodeURIComponent(m.name)}/versions/${m.version}`}>{m.name} v{m.version}</Link></li>)}</ul>
          )}
          <p className="muted small">{d.runs.length} run{d.runs.length === 1 ? '' : 's'} trained on it.</p>
        </section>
        <section className="card">
          <h2>Training sets</h2>
          {d.trainingSets.length === 0 ? <p className="muted">None built yet.</p> : (
            <table className="grid"><thead><tr><th>Training set</th><th className="num">Rows</th><th>Built</th><th>Run</th></tr></thead>
              <tbody>{d.trainingSets.map((t) => (
                <tr key={t.datasetId}><td><Link to={`/features/training-sets/${encodeURIComponent(t.datasetId)}`}>{t.name}</Link></td><td className="num">{formatCount(t.rowCount)}</td><td>{formatTime(t.createdTime)}</td>
                  <td>{t.runId ? <Link to={`/runs/${encodeURIComponent(t.runId)}`}><code>{t.runId.slice(0, 8)}</code></Link> : '—'}</td></tr>
              ))}</tbody></table>
          )}
        </section>
        <section className="card"><h2>Versions</h2><DefinitionVersions versions={d.versions} /></section>
      </div>
    </div>
  );
}
