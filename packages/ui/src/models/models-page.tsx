import { useMemo } from 'react';
import { Link } from 'react-router';
import { EmptyState } from '../components/empty-state.js';
import { ErrorPanel } from '../components/error-panel.js';
import { formatAgo, formatTime } from '../components/format.js';
import { Skeleton } from '../components/skeleton.js';
import { useParam } from '../components/tabs.js';
import { useModelSearch } from './model-queries.js';

const m = (name: string) => `/models/${encodeURIComponent(name)}`;

/** Registered models: search by name, alias or tag (or the registry's filter language), newest change first. */
export function ModelsPage() {
  const [q, setQ] = useParam('q');
  const search = useModelSearch(q ?? '');
  const models = useMemo(() => search.data?.pages.flatMap((p) => p.items) ?? [], [search.data]);
  return (
    <div className="page">
      <div className="page-head">
        <h1>Models</h1>
        <input type="search" aria-label="Search models" placeholder="Name or alias, or a filter: tags.team = 'risk'" value={q ?? ''} onChange={(e) => setQ(e.target.value)} className="wide-search" />
      </div>
      {search.error ? <ErrorPanel error={search.error} onRetry={() => search.refetch()} /> : search.isPending ? <Skeleton rows={8} label="Loading models" /> : models.length === 0 ? (
        q ? <EmptyState title={`No model matches “${q}”`}><p>Search matches names and aliases; <code>tags.key = 'value'</code> searches tags.</p></EmptyState>
          : <EmptyState title="No registered models yet"><p>Register one with <code>cairn models register NAME --run RUN_ID</code>, or from a pipeline step.</p></EmptyState>
      ) : (
        <table className="grid models-table">
          <thead><tr><th>Model</th><th>Aliases</th><th>Tags</th><th>Description</th><th>Updated</th></tr></thead>
          <tbody>
            {models.map((model) => (
              <tr key={model.name}>
                <td><Link to={m(model.name)} className="strong">{model.name}</Link></td>
                <td>{model.aliases.map((a) => <Link key={a.alias} className="chip" to={`${m(model.name)}/versions/${a.version}`}>@{a.alias} → v{a.version}</Link>)}</td>
                <td>{Object.entries(model.tags).map(([k, v]) => <span key={k} className="chip muted">{k}={v}</span>)}</td>
                <td className="wrap">{model.description}</td>
                <td title={formatTime(model.lastUpdatedTime)}>{formatAgo(model.lastUpdatedTime)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {search.hasNextPage && <button type="button" onClick={() => search.fetchNextPage()} disabled={search.isFetchingNextPage}>Load more</button>}
    </div>
  );
}
