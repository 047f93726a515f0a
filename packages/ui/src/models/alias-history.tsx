import { useMemo } from 'react';
import { Link } from 'react-router';
import type { RegisteredModel } from '@cairn/core';
import { ErrorPanel } from '../components/error-panel.js';
import { formatTime } from '../components/format.js';
import { Skeleton } from '../components/skeleton.js';
import { useParam } from '../components/tabs.js';
import { describeEvent, isHistoryEvent } from './audit-text.js';
import { useAliasAt, useModelAudit } from './model-queries.js';

/** `2024-06-01T12:00` (a datetime-local value) as epoch ms in this browser's time zone. */
const parseLocal = (s: string | null) => (s ? new Date(s).getTime() : null);

/**
 * The audit timeline of a model's aliases and versions (every move, promotion and registration,
 * with who and why), and time travel: what an alias pointed at at a given moment.
 */
export function AliasHistory({ model }: { model: RegisteredModel }) {
  const audit = useModelAudit(model.name);
  const events = useMemo(() => (audit.data?.items ?? []).filter(isHistoryEvent), [audit.data]);
  const [aliasParam, setAlias] = useParam('alias');
  const [atParam, setAt] = useParam('at');
  const alias = aliasParam ?? model.aliases[0]?.alias ?? null;
  const at = parseLocal(atParam);
  const travel = useAliasAt(model.name, alias, at);
  const base = `/models/${encodeURIComponent(model.name)}`;
  return (
    <div className="sections">
      <section className="card">
        <h2>Time travel</h2>
        <form className="inline-form" onSubmit={(e) => e.preventDefault()}>
          <label>What did
            <select aria-label="Alias" value={alias ?? ''} onChange={(e) => setAlias(e.target.value)}>
              {[...new Set([...model.aliases.map((a) => a.alias), ...events.flatMap((e) => (e.alias ? [e.alias] : []))])].map((a) => <option key={a} value={a}>@{a}</option>)}
            </select>
          </label>
          <label>point to on <input type="datetime-local" aria-label="Date and time" step="1" value={atParam ?? ''} onChange={(e) => setAt(e.target.value)} /></label>
        </form>
        {travel.error ? <ErrorPanel compact error={travel.error} /> : travel.data?.at ? (
          <p className="travel-answer" role="status">
            {travel.data.at.version === null
              ? <>Nothing held @{alias} then.</>
              : <>@{alias} pointed to <Link to={`${base}/versions/${travel.data.at.version}`}>version {travel.data.at.version}</Link>
                {travel.data.at.event && <> (since {formatTime(travel.data.at.event.time)}, by {travel.data.at.event.actor})</>}.</>}
          </p>
        ) : <p className="muted">Choose an alias and a moment.</p>}
      </section>
      <section className="card">
        <h2>History of aliases and versions</h2>
        {audit.error ? <ErrorPanel compact error={audit.error} onRetry={() => audit.refetch()} /> : audit.isPending ? <Skeleton rows={5} /> : events.length === 0 ? <p className="muted">Nothing recorded yet.</p> : (
          <ol className="timeline" aria-label="Alias history">
            {events.map((e) => (
              <li key={e.id} className={`timeline-item ev-${e.action.replaceAll('.', '-')}`} data-action={e.action}>
                <span className="muted small">{formatTime(e.time)}</span>{' '}
                <span>{describeEvent(e)}</span>{' '}
                <span className="muted small">by {e.actor}{e.reason ? ` — “${e.reason}”` : ''}</span>
                {e.version !== null && <> · <Link to={`${base}/versions/${e.version}`} className="small">v{e.version}</Link></>}
              </li>
            ))}
          </ol>
        )}
      </section>
    </div>
  );
}
