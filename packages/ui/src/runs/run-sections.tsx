import type { ReactNode } from 'react';
import { Link } from 'react-router';
import type { Run } from '@cairn/core';
import { formatAgo, formatMetric, formatMetricFull, formatTime, shortCommit } from '../components/format.js';
import { StatusBadge } from '../components/status-badge.js';
import { useChildRuns } from './run-queries.js';

/** Status, times, heartbeat, source, git and environment of a run. */
export function RunOverview({ run }: { run: Run }) {
  const { info, data } = run;
  const env = Object.entries(data.tags).filter(([k]) => k.startsWith('cairn.repro.'));
  const rows: Array<[string, ReactNode]> = [
    ['Status', <><StatusBadge status={info.status} reason={info.statusReason} />{info.statusReason && <span className="muted"> {info.statusReason}</span>}</>],
    ['Started', formatTime(info.startTime)],
    ['Ended', info.endTime ? formatTime(info.endTime) : '—'],
    ['Last heartbeat', info.lastHeartbeat ? `${formatTime(info.lastHeartbeat)} (${formatAgo(info.lastHeartbeat)})` : '—'],
    ['User', info.userId],
    ['Entry point', info.source.entryPoint ?? data.tags['mlflow.source.name'] ?? '—'],
    ['Git commit', info.source.gitCommit ? <span title={info.source.gitCommit}><code>{shortCommit(info.source.gitCommit)}</code>{info.source.gitDirty ? ' (uncommitted changes)' : info.source.gitDirty === false ? ' (clean)' : ''}</span> : '—'],
    ['Node.js', info.source.nodeVersion ?? '—'],
    ['Artifacts', <code>{info.artifactUri}</code>],
  ];
  return (
    <section className="card">
      <h2>Overview</h2>
      <dl className="facts">
        {rows.map(([k, v]) => <div key={k}><dt>{k}</dt><dd>{v}</dd></div>)}
      </dl>
      {env.length > 0 && (
        <details>
          <summary>Environment ({env.length})</summary>
          <dl className="facts">
            {env.map(([k, v]) => <div key={k}><dt>{k.slice('cairn.repro.'.length)}</dt><dd className="wrap">{v}</dd></div>)}
          </dl>
        </details>
      )}
    </section>
  );
}

/** A key → value table (params). */
export function KeyValueTable({ title, entries, empty }: { title: string; entries: Array<[string, string]>; empty: string }) {
  return (
    <section className="card">
      <h2>{title} <span className="muted small">({entries.length})</span></h2>
      {entries.length === 0 ? <p className="muted">{empty}</p> : (
        <table className="grid kv">
          <tbody>
            {entries.sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => <tr key={k}><th scope="row">{k}</th><td className="wrap">{v}</td></tr>)}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** The latest value of each metric, with its step and time. */
export function LatestMetrics({ run }: { run: Run }) {
  const metrics = [...run.data.metrics].sort((a, b) => a.key.localeCompare(b.key));
  return (
    <section className="card">
      <h2>Metrics <span className="muted small">({metrics.length})</span></h2>
      {metrics.length === 0 ? <p className="muted">No metrics logged.</p> : (
        <table className="grid kv">
          <thead><tr><th>Key</th><th className="num">Latest</th><th className="num">Step</th><th>Logged</th></tr></thead>
          <tbody>
            {metrics.map((m) => (
              <tr key={m.key}>
                <th scope="row"><Link to={`?tab=charts&key=${encodeURIComponent(m.key)}`}>{m.key}</Link></th>
                <td className="num" title={formatMetricFull(m.value)}>{formatMetric(m.value)}</td>
                <td className="num">{m.step}</td>
                <td>{formatTime(m.timestamp)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** Datasets the run used, with their digests and context. */
export function DatasetInputs({ run }: { run: Run }) {
  return (
    <section className="card">
      <h2>Dataset inputs <span className="muted small">({run.inputs.length})</span></h2>
      {run.inputs.length === 0 ? <p className="muted">No datasets recorded.</p> : (
        <table className="grid">
          <thead><tr><th>Name</th><th>Digest</th><th>Context</th><th>Source</th></tr></thead>
          <tbody>
            {run.inputs.map((input) => (
              <tr key={`${input.dataset.name}-${input.dataset.digest}`}>
                <td>{input.dataset.name}</td>
                <td><code title={input.dataset.digest}>{input.dataset.digest.slice(0, 12)}</code></td>
                <td>{input.tags['mlflow.data.context'] ?? '—'}</td>
                <td className="wrap" title={input.dataset.source}>{input.dataset.sourceType}: {input.dataset.source.slice(0, 120)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** Runs nested under this one. */
export function ChildRuns({ run }: { run: Run }) {
  const children = useChildRuns(run);
  const items = children.data?.items ?? [];
  if (!children.data || items.length === 0) return null;
  return (
    <section className="card">
      <h2>Child runs <span className="muted small">({items.length})</span></h2>
      <table className="grid">
        <tbody>
          {items.map((c) => (
            <tr key={c.info.runId}>
              <td><Link to={`/runs/${encodeURIComponent(c.info.runId)}`}>{c.info.runName}</Link></td>
              <td><StatusBadge status={c.info.status} /></td>
              <td>{formatTime(c.info.startTime)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
