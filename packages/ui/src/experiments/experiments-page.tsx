import { useMemo, useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import type { Experiment } from '@cairn/core';
import { useCanEdit } from '../app/session.js';
import { EmptyState } from '../components/empty-state.js';
import { ErrorPanel } from '../components/error-panel.js';
import { formatAgo, formatCount, formatTime } from '../components/format.js';
import { Skeleton } from '../components/skeleton.js';
import { FirstRunSnippet } from './first-run-snippet.js';
import { useCreateExperiment, useDeleteExperiment, useExperimentStats, useExperiments, useRenameExperiment, useRestoreExperiment } from './experiment-queries.js';

/** The experiments: search, counts and last activity; create, rename, delete and restore for editors. */
export function ExperimentsPage() {
  const [params, setParams] = useSearchParams();
  const search = params.get('q') ?? '';
  const deleted = params.get('view') === 'deleted';
  const experiments = useExperiments(search, deleted ? 'DELETED_ONLY' : 'ACTIVE_ONLY');
  const items = useMemo(() => experiments.data?.pages.flatMap((p) => p.items) ?? [], [experiments.data]);
  const stats = useExperimentStats(items.map((e) => e.experimentId));
  const statsById = new Map((stats.data ?? []).map((s) => [s.experimentId, s]));
  const canEdit = useCanEdit();
  const [chosen, setChosen] = useState<string[]>([]);
  const navigate = useNavigate();

  const setParam = (key: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };

  return (
    <div className="page">
      <div className="page-head">
        <h1>Experiments</h1>
        <div className="toolbar">
          <input type="search" aria-label="Search experiments" placeholder="Search by name" value={search} onChange={(e) => setParam('q', e.target.value)} />
          <label className="check">
            <input type="checkbox" checked={deleted} onChange={(e) => setParam('view', e.target.checked ? 'deleted' : null)} /> Deleted
          </label>
          {chosen.length > 0 && (
            <button type="button" className="primary" onClick={() => navigate(`/runs?${chosen.map((id) => `exp=${encodeURIComponent(id)}`).join('&')}`)}>
              Runs of {chosen.length} selected
            </button>
          )}
        </div>
      </div>
      {canEdit && !deleted && <CreateExperiment />}
      {experiments.error ? (
        <ErrorPanel error={experiments.error} onRetry={() => experiments.refetch()} />
      ) : experiments.isPending ? (
        <Skeleton rows={8} label="Loading experiments" />
      ) : items.length === 0 ? (
        search || deleted ? (
          <EmptyState title={deleted ? 'No deleted experiments' : `No experiment matches “${search}”`}>
            <p>{deleted ? 'Deleted experiments appear here and can be restored.' : 'Check the spelling, or clear the search.'}</p>
          </EmptyState>
        ) : (
          <EmptyState title="No experiments yet">
            <p>Log a first run from TypeScript, and it appears here:</p>
            <FirstRunSnippet />
          </EmptyState>
        )
      ) : (
        <table className="grid experiments-table">
          <thead>
            <tr>
              <th className="narrow"><span className="sr-only">Select</span></th>
              <th>Name</th>
              <th className="num">Runs</th>
              <th>Last activity</th>
              <th>Created</th>
              {canEdit && <th><span className="sr-only">Actions</span></th>}
            </tr>
          </thead>
          <tbody>
            {items.map((e) => (
              <ExperimentRow
                key={e.experimentId}
                experiment={e}
                runCount={statsById.get(e.experimentId)?.runCount}
                lastActivity={Math.max(e.lastUpdateTime, statsById.get(e.experimentId)?.lastRunTime ?? 0)}
                chosen={chosen.includes(e.experimentId)}
                onChoose={(on) => setChosen((c) => (on ? [...c, e.experimentId] : c.filter((x) => x !== e.experimentId)))}
                canEdit={canEdit}
              />
            ))}
          </tbody>
        </table>
      )}
      {experiments.hasNextPage && (
        <button type="button" onClick={() => experiments.fetchNextPage()} disabled={experiments.isFetchingNextPage}>Load more</button>
      )}
    </div>
  );
}

function ExperimentRow(props: { experiment: Experiment; runCount: number | undefined; lastActivity: number; chosen: boolean; onChoose(on: boolean): void; canEdit: boolean }) {
  const { experiment: e, canEdit } = props;
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(e.name);
  const rename = useRenameExperiment();
  const remove = useDeleteExperiment();
  const restore = useRestoreExperiment();
  const error = rename.error ?? remove.error ?? restore.error;
  const submit = (ev: FormEvent) => {
    ev.preventDefault();
    rename.mutate({ id: e.experimentId, name: name.trim() }, { onSuccess: () => setRenaming(false) });
  };
  const active = e.lifecycleStage === 'active';
  return (
    <tr>
      <td className="narrow">
        <input type="checkbox" aria-label={`Select ${e.name}`} checked={props.chosen} onChange={(ev) => props.onChoose(ev.target.checked)} />
      </td>
      <td>
        {renaming ? (
          <form onSubmit={submit} className="inline-form">
            <input aria-label="New name" value={name} autoFocus onChange={(ev) => setName(ev.target.value)} />
            <button type="submit" className="primary" disabled={!name.trim() || rename.isPending}>Save</button>
            <button type="button" onClick={() => setRenaming(false)}>Cancel</button>
          </form>
        ) : (
          <Link to={`/runs?exp=${encodeURIComponent(e.experimentId)}`} className="experiment-link">{e.name}</Link>
        )}
        {error && <ErrorPanel compact error={error} />}
      </td>
      <td className="num" title={props.runCount === undefined ? '' : String(props.runCount)}>{props.runCount === undefined ? '…' : formatCount(props.runCount)}</td>
      <td title={formatTime(props.lastActivity)}>{formatAgo(props.lastActivity)}</td>
      <td>{formatTime(e.creationTime).slice(0, 10)}</td>
      {canEdit && (
        <td className="actions">
          {active ? (
            <>
              <button type="button" className="link" onClick={() => setRenaming(true)}>Rename</button>
              <button
                type="button"
                className="link danger"
                onClick={() => window.confirm(`Delete experiment “${e.name}”? It can be restored from the Deleted view.`) && remove.mutate(e.experimentId)}
              >
                Delete
              </button>
            </>
          ) : (
            <button type="button" className="link" onClick={() => restore.mutate(e.experimentId)}>Restore</button>
          )}
        </td>
      )}
    </tr>
  );
}

function CreateExperiment() {
  const [name, setName] = useState('');
  const create = useCreateExperiment();
  const submit = (ev: FormEvent) => {
    ev.preventDefault();
    create.mutate(name.trim(), { onSuccess: () => setName('') });
  };
  return (
    <form className="inline-form create-form" onSubmit={submit}>
      <input aria-label="New experiment name" placeholder="New experiment name" value={name} onChange={(e) => setName(e.target.value)} />
      <button type="submit" className="primary" disabled={!name.trim() || create.isPending}>Create experiment</button>
      {create.error && <ErrorPanel compact error={create.error} />}
    </form>
  );
}
