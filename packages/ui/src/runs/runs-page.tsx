import { useQueries } from '@tanstack/react-query';
import { useCallback, useMemo } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { isCairnError } from '@cairn/client/browser';
import { useApi } from '../app/api-context.js';
import { EmptyState } from '../components/empty-state.js';
import { ErrorPanel } from '../components/error-panel.js';
import { formatCount } from '../components/format.js';
import { Skeleton } from '../components/skeleton.js';
import { useExperimentKeys } from '../experiments/experiment-queries.js';
import { FirstRunSnippet } from '../experiments/first-run-snippet.js';
import { ColumnPicker } from './column-picker.js';
import { FilterBox } from './filter-box.js';
import { useRunSearch } from './run-queries.js';
import { RunsTable } from './runs-table.js';
import { defaultColumns, parseRunsView, runsViewSearch, type RunsView } from './runs-view-state.js';

/** Runs of one or more experiments: filter, sort, choose columns, select runs to compare. */
export function RunsPage() {
  const [params, setParams] = useSearchParams();
  const view = useMemo(() => parseRunsView(params), [params]);
  const api = useApi();
  const navigate = useNavigate();
  const experiments = useQueries({
    queries: view.experimentIds.map((id) => ({ queryKey: ['experiment', id], queryFn: () => api.getExperiment(id), staleTime: 60_000 })),
  });
  const keys = useExperimentKeys(view.experimentIds);
  const search = useRunSearch(view);
  const runs = useMemo(() => search.data?.pages.flatMap((p) => p.items) ?? [], [search.data]);
  // Until the user picks columns, show the first metrics and params in use.
  const columns = params.has('col') || params.get('cols') === 'none' ? view.columns : keys.data ? defaultColumns(keys.data) : [];

  const update = useCallback((change: Partial<RunsView>) => {
    const next = runsViewSearch({ ...view, columns, ...change });
    if (change.columns && change.columns.length === 0) next.set('cols', 'none');
    setParams(next, { replace: change.selected !== undefined });
  }, [view, columns, setParams]);
  const { fetchNextPage, hasNextPage, isFetchingNextPage } = search;
  const needMore = useCallback(() => {
    if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  if (view.experimentIds.length === 0) {
    return (
      <div className="page">
        <EmptyState title="No experiment chosen">
          <p>Pick one or more on the <Link to="/experiments">experiments</Link> page.</p>
        </EmptyState>
      </div>
    );
  }
  const names = experiments.map((q, i) => q.data?.name ?? (q.error ? `#${view.experimentIds[i]}` : '…'));
  const filterError = search.error && isCairnError(search.error, 'INVALID_ARGUMENT') && view.filter ? search.error : null;
  const compareUrl = `/compare?${view.selected.map((id) => `run=${encodeURIComponent(id)}`).join('&')}`;

  return (
    <div className="page page-wide">
      <div className="page-head">
        <div>
          <div className="crumbs"><Link to="/experiments">Experiments</Link> /</div>
          <h1>{names.join(', ')}</h1>
        </div>
        <div className="toolbar">
          <span className="muted" aria-live="polite">
            {search.isPending ? '' : `${formatCount(runs.length)}${hasNextPage ? '+' : ''} run${runs.length === 1 ? '' : 's'}`}
          </span>
          <label className="check">
            <input type="checkbox" checked={view.deleted} onChange={(e) => update({ deleted: e.target.checked })} /> Deleted
          </label>
          <ColumnPicker keys={keys.data} columns={columns} onChange={(c) => update({ columns: c })} />
          <button type="button" className="primary" disabled={view.selected.length < 2} onClick={() => navigate(compareUrl)} title="Select two or more runs to compare them">
            Compare{view.selected.length ? ` (${view.selected.length})` : ''}
          </button>
          {view.selected.length > 0 && <button type="button" className="link" onClick={() => update({ selected: [] })}>Clear selection</button>}
        </div>
      </div>
      {experiments.map((q, i) => q.error && <ErrorPanel key={view.experimentIds[i]} compact error={q.error} onRetry={() => q.refetch()} />)}
      <FilterBox value={view.filter} onApply={(filter) => update({ filter })} error={filterError} keys={keys.data} />
      {search.error && !filterError ? (
        <ErrorPanel error={search.error} onRetry={() => search.refetch()} />
      ) : search.isPending && !filterError ? (
        <Skeleton rows={12} label="Loading runs" />
      ) : runs.length === 0 && !filterError ? (
        view.filter ? (
          <EmptyState title="No run matches this filter">
            <p>Loosen the filter, or clear it to see every run.</p>
          </EmptyState>
        ) : (
          <EmptyState title="No runs in this experiment yet">
            <p>Log one with the SDK and it appears here (the page updates by itself while runs are live):</p>
            <FirstRunSnippet experiment={names[0]} />
          </EmptyState>
        )
      ) : (
        <RunsTable
          runs={runs}
          columns={columns}
          sort={view.sort}
          onSort={(sort) => update({ sort })}
          selected={view.selected}
          onSelect={(selected) => update({ selected })}
          onNeedMore={needMore}
          loadingMore={isFetchingNextPage}
        />
      )}
    </div>
  );
}
