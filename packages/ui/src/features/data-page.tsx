import { Link, useSearchParams } from 'react-router';
import type { SourceSpec } from '@cairn/core';
import { ErrorPanel } from '../components/error-panel.js';
import { LineageLink } from '../components/lineage-link.js';
import { Skeleton } from '../components/skeleton.js';
import { dataKeyOf } from './definition-page.js';
import { featureObjectPath } from './feature-links.js';
import { useFeatureObjects } from './feature-queries.js';

/** Source data (a file, a table, a query, pushed rows): which sources read it, and its lineage. */
export function DataPage() {
  const [params] = useSearchParams();
  const key = params.get('key') ?? '';
  const objects = useFeatureObjects('source');
  if (objects.error) return <div className="page"><ErrorPanel error={objects.error} /></div>;
  if (objects.isPending) return <div className="page"><Skeleton rows={5} /></div>;
  const sources = objects.data.filter((o) => dataKeyOf(o.spec as SourceSpec) === key);
  const [type, ...rest] = key.split(':');
  return (
    <div className="page">
      <div className="crumbs"><Link to="/features?tab=entities">Features</Link> / source data /</div>
      <h1 className="wrap">{rest.join(':')} <span className="muted small">{type === 'file' ? 'data file' : type}</span></h1>
      <p><LineageLink kind="data" objectKey={key}>Lineage: what was made from it</LineageLink></p>
      <section className="card">
        <h2>Read by</h2>
        {sources.length ? <ul>{sources.map((s) => <li key={s.name}><Link to={featureObjectPath('source', s.name)}>{s.name}</Link></li>)}</ul> : <p className="muted">No applied source reads it.</p>}
      </section>
    </div>
  );
}
