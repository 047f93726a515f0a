import { Link } from 'react-router';
import type { PipelineRunStatus } from '@cairn/core';
import { EmptyState } from '../components/empty-state.js';
import { ErrorPanel } from '../components/error-panel.js';
import { formatAgo, formatDuration, formatTime } from '../components/format.js';
import { Skeleton } from '../components/skeleton.js';
import { Tabs, useParam, useTab } from '../components/tabs.js';
import { runPath } from './pipeline-links.js';
import { usePipelineRuns, usePipelines, useScheduleTicks, useSchedules } from './pipeline-queries.js';

const TABS = [
  { id: 'runs', label: 'Runs' },
  { id: 'definitions', label: 'Pipelines' },
  { id: 'schedules', label: 'Schedules' },
] as const;
const STATUSES: PipelineRunStatus[] = ['RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'];

/** Pipelines: runs with status and duration, the pipelines that ran, and schedules with their next fire times. */
export function PipelinesPage() {
  const [tab, setTab] = useTab(TABS);
  return (
    <div className="page">
      <div className="page-head"><h1>Pipelines</h1></div>
      <Tabs tabs={TABS} current={tab} onChoose={setTab} />
      {tab === 'runs' && <RunsTab />}
      {tab === 'definitions' && <DefinitionsTab />}
      {tab === 'schedules' && <SchedulesTab />}
    </div>
  );
}


function RunsTab() {
  const [pipeline, setPipeline] = useParam('pipeline');
  const [status, setStatus] = useParam('status');
  const pipelines = usePipelines();
  const runs = usePipelineRuns({ pipelineName: pipeline ?? undefined, status: (STATUSES as string[]).includes(status ?? '') ? (status as PipelineRunStatus) : undefined });
  return (
    <>
      <div className="toolbar">
        <select aria-label="Pipeline" value={pipeline ?? ''} onChange={(e) => setPipeline(e.target.value)}>
          <option value="">All pipelines</option>
          {(pipelines.data ?? []).map((p) => <option key={p.name} value={p.name}>{p.name}</option>)}
        </select>
        <select aria-label="Status" value={status ?? ''} onChange={(e) => setStatus(e.target.value)}>
          <option value="">Any status</option>
          {STATUSES.map((s) => <option key={s} value={s}>{s.toLowerCase()}</option>)}
        </select>
      </div>
      {runs.error ? <ErrorPanel error={runs.error} onRetry={() => runs.refetch()} /> : runs.isPending ? <Skeleton rows={8} /> : runs.data.length === 0 ? (
        <EmptyState title="No pipeline runs"><p>Run one with <code>cairn pipelines run pipelines/train.ts</code>.</p></EmptyState>
      ) : (
        <table className="grid pipeline-runs">
          <thead><tr><th>Run</th><th>Pipeline</th><th>Status</th><th>Started</th><th>Duration</th><th className="num">Steps</th><th>Executor</th></tr></thead>
          <tbody>{runs.data.map((r) => (
            <tr key={r.runId} data-status={r.status}>
              <td><Link to={runPath(r.runId)}><code>{r.runId.slice(0, 8)}</code></Link></td>
              <td>{r.pipelineName}</td>
              <td><span className={`st st-${r.status.toLowerCase()}`} title={r.statusReason ?? undefined}>{r.status}</span></td>
              <td title={formatTime(r.createdTime)}>{formatAgo(r.createdTime)}</td>
              <td>{formatDuration((r.endTime ?? Date.now()) - r.createdTime)}</td>
              <td className="num">{r.stepCount}</td><td>{r.executor}</td>
            </tr>
          ))}</tbody>
        </table>
      )}
    </>
  );
}

function DefinitionsTab() {
  const pipelines = usePipelines();
  if (pipelines.error) return <ErrorPanel error={pipelines.error} />;
  if (pipelines.isPending) return <Skeleton rows={5} />;
  if (!pipelines.data.length) return <EmptyState title="No pipelines have run yet" />;
  return (
    <table className="grid">
      <thead><tr><th>Pipeline</th><th>Source</th><th className="num">Steps</th><th>Params</th><th>Last run</th></tr></thead>
      <tbody>{pipelines.data.map((p) => (
        <tr key={p.name}>
          <td><Link to={`/pipelines?pipeline=${encodeURIComponent(p.name)}`}>{p.name}</Link></td>
          <td><code className="small">{p.source?.file ?? '—'}</code></td>
          <td className="num">{p.stepCount}</td>
          <td className="small">{Object.keys(p.params).join(', ')}</td>
          <td>{p.lastRun ? <Link to={runPath(p.lastRun.runId)}>{p.lastRun.status.toLowerCase()} {formatAgo(p.lastRun.createdTime)}</Link> : '—'}</td>
        </tr>
      ))}</tbody>
    </table>
  );
}

function SchedulesTab() {
  const schedules = useSchedules();
  const [chosen, setChosen] = useParam('schedule');
  const ticks = useScheduleTicks(chosen);
  if (schedules.error) return <ErrorPanel error={schedules.error} />;
  if (schedules.isPending) return <Skeleton rows={5} />;
  if (!schedules.data.length) return <EmptyState title="No schedules"><p>Add one with <code>cairn pipelines schedule add NAME pipelines/train.ts --cron "0 3 * * *"</code>.</p></EmptyState>;
  return (
    <div className="sections">
      <table className="grid">
        <thead><tr><th>Schedule</th><th>Pipeline</th><th>Cron</th><th>Next fire time</th><th>Last tick</th><th>State</th></tr></thead>
        <tbody>{schedules.data.map((s) => (
          <tr key={s.name}>
            <td><button type="button" className="link" onClick={() => setChosen(s.name)}>{s.name}</button></td>
            <td>{s.pipelineName}</td><td><code>{s.cron}</code> <span className="muted small">{s.timezone}</span></td>
            <td>{s.nextTickTime ? formatTime(s.nextTickTime) : '—'}</td><td>{s.lastTickTime ? formatTime(s.lastTickTime) : 'never'}</td>
            <td>{s.enabled ? 'active' : 'paused'}</td>
          </tr>
        ))}</tbody>
      </table>
      {chosen && (
        <section className="card">
          <h2>Last results of {chosen}</h2>
          {ticks.error ? <ErrorPanel compact error={ticks.error} /> : !ticks.data ? <Skeleton rows={3} /> : ticks.data.ticks.length === 0 ? <p className="muted">Not fired yet.</p> : (
            <table className="grid"><thead><tr><th>Tick</th><th>Fired</th><th>Result</th></tr></thead>
              <tbody>{ticks.data.ticks.map((t) => <tr key={t.tickTime}><td>{formatTime(t.tickTime)}</td><td>{formatTime(t.firedTime)}</td><td>{t.runId ? <Link to={runPath(t.runId)}>run <code>{t.runId.slice(0, 8)}</code></Link> : <span className="danger">{t.error}</span>}</td></tr>)}</tbody></table>
          )}
        </section>
      )}
    </div>
  );
}
