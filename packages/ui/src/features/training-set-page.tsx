import { Link, useParams } from 'react-router';
import { ErrorPanel } from '../components/error-panel.js';
import { formatCount, formatTime } from '../components/format.js';
import { LineageLink } from '../components/lineage-link.js';
import { Skeleton } from '../components/skeleton.js';
import { featureObjectPath } from './feature-links.js';
import { useTrainingSet } from './feature-queries.js';

/** A recorded training set: the definitions (and versions) it was built from, its digests, the run that trained on it. */
export function TrainingSetPage() {
  const { datasetId = '' } = useParams();
  const set = useTrainingSet(datasetId);
  if (set.error) return <div className="page"><ErrorPanel error={set.error} onRetry={() => set.refetch()} /></div>;
  if (set.isPending) return <div className="page"><Skeleton rows={8} /></div>;
  const d = set.data;
  return (
    <div className="page">
      <div className="crumbs"><Link to="/features">Features</Link> / training sets /</div>
      <h1>{d.name} <span className="muted small">training set</span></h1>
      <p><LineageLink kind="trainingSet" objectKey={d.datasetId} /></p>
      <div className="sections">
        <section className="card">
          <h2>Training set</h2>
          <dl className="facts">
            <div><dt>Rows</dt><dd>{formatCount(d.rowCount)}</dd></div>
            <div><dt>Built</dt><dd>{formatTime(d.createdTime)} at registry version {d.registryVersion}</dd></div>
            <div><dt>Feature service</dt><dd>{d.featureService ? <Link to={featureObjectPath('featureService', d.featureService)}>{d.featureService}</Link> : 'none (a list of features)'}</dd></div>
            <div><dt>Trained</dt><dd>{d.runId ? <Link to={`/runs/${encodeURIComponent(d.runId)}`}>run <code>{d.runId.slice(0, 8)}</code></Link> : 'no run recorded'}</dd></div>
            <div><dt>Result digest</dt><dd><code className="small">{d.resultDigest}</code></dd></div>
            <div><dt>Entity digest</dt><dd><code className="small">{d.entityDigest}</code></dd></div>
          </dl>
        </section>
        <section className="card">
          <h2>Built from</h2>
          <table className="grid"><thead><tr><th>Definition</th><th>Kind</th><th className="num">Version</th></tr></thead>
            <tbody>{d.definitions.map((x) => <tr key={`${x.kind}:${x.name}`}><td><Link to={featureObjectPath(x.kind, x.name)}>{x.name}</Link></td><td className="muted">{x.kind}</td><td className="num">v{x.version}</td></tr>)}</tbody></table>
          <p className="muted small">Features: {d.features.join(', ')}</p>
        </section>
      </div>
    </div>
  );
}
