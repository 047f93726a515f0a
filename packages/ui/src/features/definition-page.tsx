import { Link, useParams } from 'react-router';
import type { EntitySpec, FeatureViewSpec, SourceSpec } from '@cairn/core';
import { ErrorPanel } from '../components/error-panel.js';
import { LineageLink } from '../components/lineage-link.js';
import { Skeleton } from '../components/skeleton.js';
import { DefinitionVersions } from './definition-versions.js';
import { dataPath, featureObjectPath } from './feature-links.js';
import { useFeatureObjects, useObjectVersions } from './feature-queries.js';
import { sourceTarget } from './features-page.js';

/** The data key of what a source reads (the lineage graph's `data` node). */
export function dataKeyOf(s: SourceSpec): string {
  if (s.type === 'file') return `file:${s.path}`;
  if (s.type === 'postgres') return s.table ? `table:${s.table}` : `query:${s.name}`;
  return s.batchSource ? dataKeyOf(s.batchSource) : `push:${s.name}`;
}

/** An entity or a source: its definition, the views using it, its versions. */
export function DefinitionPage({ kind }: { kind: 'entity' | 'source' }) {
  const { name = '' } = useParams();
  const objects = useFeatureObjects();
  const versions = useObjectVersions(kind, name);
  if (objects.error ?? versions.error) return <div className="page"><ErrorPanel error={objects.error ?? versions.error} /></div>;
  if (objects.isPending || versions.isPending) return <div className="page"><Skeleton rows={8} /></div>;
  const obj = objects.data.find((o) => o.kind === kind && o.name === name);
  const views = objects.data.filter((o) => o.kind === 'featureView' && (kind === 'entity' ? (o.spec as FeatureViewSpec).entities.includes(name) : (o.spec as FeatureViewSpec).source.name === name));
  const spec = obj?.spec as EntitySpec | SourceSpec | undefined;
  return (
    <div className="page">
      <div className="crumbs"><Link to="/features?tab=entities">Features</Link> /</div>
      <h1>{name} <span className="muted small">{kind}{obj ? ` v${obj.version}` : ' (removed)'}</span></h1>
      {spec?.description && <p className="wrap">{spec.description}</p>}
      {kind === 'source' && <p><LineageLink kind="source" objectKey={name} /></p>}
      <div className="sections">
        {spec && (
          <section className="card">
            <h2>Definition</h2>
            <dl className="facts">
              {spec.kind === 'entity' && <div><dt>Join keys</dt><dd>{spec.joinKeys.map((k) => <code key={k.name}>{k.name}: {k.type} </code>)}</dd></div>}
              {spec.kind === 'source' && (
                <>
                  <div><dt>Type</dt><dd>{spec.type}</dd></div>
                  <div><dt>Reads</dt><dd><Link to={dataPath(dataKeyOf(spec))}><code>{sourceTarget(spec)}</code></Link></dd></div>
                  <div><dt>Event time</dt><dd><code>{spec.timestampField}</code>{spec.createdTimestampField && <>, written at <code>{spec.createdTimestampField}</code></>}</dd></div>
                </>
              )}
              <div><dt>Owner</dt><dd>{spec.owner || '—'}</dd></div>
            </dl>
          </section>
        )}
        <section className="card"><h2>Feature views</h2>{views.length ? <ul>{views.map((v) => <li key={v.name}><Link to={featureObjectPath('featureView', v.name)}>{v.name}</Link></li>)}</ul> : <p className="muted">None.</p>}</section>
        <section className="card"><h2>Versions</h2><DefinitionVersions versions={versions.data} /></section>
      </div>
    </div>
  );
}
