import { Link } from 'react-router';
import type { ArtifactLink, LineageNode, StepAttempt, StepRun } from '@cairn/core';
import { ErrorPanel } from '../components/error-panel.js';
import { formatBytes, formatDuration, formatTime } from '../components/format.js';
import { LineageLink } from '../components/lineage-link.js';
import { useStepExplain } from './pipeline-queries.js';

const artifactRows = (links: ArtifactLink[]) => links.map((l) => (
  <tr key={`${l.direction}:${l.name}`}><td><code>{l.name}</code></td><td>{l.artifact.kind}</td><td className="muted small">{l.artifact.materializer}</td><td className="num">{formatBytes(l.artifact.size)}</td><td><code className="small">{l.artifact.digest.slice(0, 12)}</code></td></tr>
));

/** One step of a run: inputs and outputs, cache decision and why, attempts and retries, duration, its tracking run. */
export function StepDetail({ runId, step, attempts, lineage, onLogs }: { runId: string; step: StepRun; attempts: StepAttempt[]; lineage: LineageNode | undefined; onLogs(): void }) {
  const explain = useStepExplain(runId, step.status === 'PENDING' ? null : step.stepId);
  const mine = attempts.filter((a) => a.stepRunId === step.stepRunId);
  return (
    <section className="card step-detail" aria-label={`Step ${step.stepId}`}>
      <div className="toolbar">
        <h2>{step.stepId} <span className={`st st-${step.status.toLowerCase()}`}>{step.status}</span></h2>
        <button type="button" onClick={onLogs}>Logs</button>
        <LineageLink kind="step" objectKey={step.stepRunId} />
        {step.trackingRunId && <Link to={`/runs/${encodeURIComponent(step.trackingRunId)}`}>Tracking run</Link>}
      </div>
      <dl className="facts">
        <div><dt>Kind</dt><dd>{step.kind}{step.stepName !== step.stepId ? ` (step ${step.stepName})` : ''}</dd></div>
        <div><dt>Duration</dt><dd>{step.startTime ? `${formatDuration((step.endTime ?? Date.now()) - step.startTime)}${step.endTime ? '' : ' so far'}` : '—'} {step.startTime ? <span className="muted small">from {formatTime(step.startTime)}</span> : null}</dd></div>
        <div><dt>Attempts</dt><dd>{step.attempt} of at most {step.maxAttempts} ({Math.max(0, step.maxAttempts - 1)} retries allowed)</dd></div>
        <div><dt>Cache</dt><dd>{step.cache.status ?? '—'}{step.cache.cachedFrom ? <> from <code>{step.cache.cachedFrom.slice(0, 8)}</code></> : null}{step.cache.note ? <span className="muted small"> {step.cache.note}</span> : null}</dd></div>
        {step.cache.key && <div><dt>Cache key</dt><dd><code className="small">{step.cache.key}</code></dd></div>}
        {explain.data && <div><dt>Why</dt><dd className="wrap">{explain.data.decision}{explain.data.changes.length ? <ul>{explain.data.changes.map((c, i) => <li key={i}><code>{c}</code></li>)}</ul> : null}</dd></div>}
        {explain.error ? <div><dt>Why</dt><dd><ErrorPanel compact error={explain.error} /></dd></div> : null}
        <div><dt>Worker</dt><dd>{step.worker ?? '—'}</dd></div>
        {step.error && <div><dt>Error</dt><dd className="wrap danger">{step.error.message}</dd></div>}
      </dl>
      {lineage && (lineage.inputs.length > 0 || lineage.outputs.length > 0) && (
        <table className="grid artifacts-table">
          <thead><tr><th>Artifact</th><th>Kind</th><th>Stored as</th><th className="num">Size</th><th>Digest</th></tr></thead>
          <tbody>
            {lineage.inputs.length > 0 && <tr><th colSpan={5} className="muted">inputs</th></tr>}
            {artifactRows(lineage.inputs)}
            {lineage.outputs.length > 0 && <tr><th colSpan={5} className="muted">outputs</th></tr>}
            {artifactRows(lineage.outputs)}
          </tbody>
        </table>
      )}
      {mine.length > 0 && (
        <table className="grid attempts">
          <thead><tr><th>Attempt</th><th>Status</th><th>Started</th><th>Took</th><th>Worker</th><th>Error</th></tr></thead>
          <tbody>{mine.map((a) => (
            <tr key={a.attempt}><td>#{a.attempt}</td><td>{a.status}</td><td>{formatTime(a.startTime)}</td><td>{a.endTime ? formatDuration(a.endTime - a.startTime) : 'running'}</td><td className="small">{a.worker}</td><td className="wrap small">{a.error}</td></tr>
          ))}</tbody>
        </table>
      )}
    </section>
  );
}
