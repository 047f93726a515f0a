import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef } from 'react';
import { Link, useParams } from 'react-router';
import type { StepRun } from '@cairn/core';
import { useCanEdit } from '../app/session.js';
import { ErrorPanel } from '../components/error-panel.js';
import { formatDuration, formatTime } from '../components/format.js';
import { GraphCanvas } from '../components/graph/graph-canvas.js';
import { LineageLink } from '../components/lineage-link.js';
import { Skeleton } from '../components/skeleton.js';
import { useParam } from '../components/tabs.js';
import { dagModel, MAX_OPEN_GROUP } from './dag-model.js';
import { useCancelPipelineRun, usePipelineRun, usePipelineRunLineage, useResumePipelineRun } from './pipeline-queries.js';
import { StepDetail } from './step-detail.js';
import { StepLogs } from './step-logs.js';

/** A pipeline run: its DAG with live step states, a step's detail and its logs followed live; cancel and resume for editors. */
export function PipelineRunPage() {
  const { runId = '' } = useParams();
  const detail = usePipelineRun(runId);
  const running = detail.data?.run.status === 'RUNNING';
  const lineage = usePipelineRunLineage(runId, running);
  const [step, setStep] = useParam('step');
  const [logs, setLogs] = useParam('logs');
  const [openParam, setOpen] = useParam('open');
  const [, setStepFilter] = useParam('steps');
  const open = useMemo(() => new Set((openParam ?? '').split(',').filter(Boolean)), [openParam]);
  const canEdit = useCanEdit();
  const cancel = useCancelPipelineRun(runId);
  const resume = useResumePipelineRun(runId);
  const steps = detail.data?.steps;
  const model = useMemo(() => dagModel(steps ?? [], open, step), [steps, open, step]);
  if (detail.error) return <div className="page"><ErrorPanel error={detail.error} onRetry={() => detail.refetch()} /></div>;
  if (detail.isPending) return <div className="page"><Skeleton rows={10} label="Loading pipeline run" /></div>;
  const { run, attempts } = detail.data;
  const chosen = steps!.find((s) => s.stepId === step || s.stepRunId === step) ?? null;
  const onOpen = (id: string) => {
    if (!id.startsWith('group:')) return setStep(id);
    const group = model.groups.find((g) => g.id === id);
    if (group && group.steps.length > MAX_OPEN_GROUP) return setStepFilter(`depth ${group.from}`);
    setOpen([...open, id].join(','));
  };
  return (
    <div className="page page-wide">
      <div className="page-head">
        <div>
          <div className="crumbs"><Link to="/pipelines">Pipelines</Link> / <Link to={`/pipelines?pipeline=${encodeURIComponent(run.pipelineName)}`}>{run.pipelineName}</Link> /</div>
          <h1>{run.pipelineName} <code className="small">{run.runId.slice(0, 8)}</code> <span className={`st st-${run.status.toLowerCase()}`} data-run-status={run.status}>{run.status}</span></h1>
          <p className="muted">
            {formatTime(run.createdTime)} · {formatDuration((run.endTime ?? Date.now()) - run.createdTime)}{running ? ' so far (updates live)' : ''} · {run.stepCount} steps · {run.executor}
            {run.statusReason ? <> · {run.statusReason}</> : null}
            {run.trackingRunId && <> · <Link to={`/runs/${encodeURIComponent(run.trackingRunId)}`}>tracking run</Link></>} · <LineageLink kind="pipelineRun" objectKey={run.runId} />
          </p>
        </div>
        {canEdit && (
          <div className="toolbar">
            {running && <button type="button" className="danger-button" disabled={cancel.isPending || run.cancelRequested} onClick={() => window.confirm('Cancel this run? Running steps are stopped.') && cancel.mutate()}>{run.cancelRequested ? 'Cancelling…' : 'Cancel run'}</button>}
            {(run.status === 'FAILED' || run.status === 'CANCELLED') && <button type="button" className="primary" disabled={resume.isPending} onClick={() => resume.mutate()}>Resume</button>}
          </div>
        )}
      </div>
      {(cancel.error ?? resume.error) ? <ErrorPanel compact error={cancel.error ?? resume.error} /> : null}
      {model.groups.length > 0 && (
        <p className="muted small">{steps!.length.toLocaleString()} steps, drawn as {model.nodes.length} groups by depth: click a group to draw its steps (a group of more than {MAX_OPEN_GROUP} is listed below instead){open.size ? <>, or <button type="button" className="link" onClick={() => setOpen(null)}>close the opened groups</button></> : null}. Every step is listed below the graph.</p>
      )}
      <GraphCanvas label={`DAG of ${run.pipelineName}`} nodes={model.nodes} edges={model.edges} onOpen={onOpen} height={model.nodes.length > 40 ? 640 : 420} />
      <div className="run-columns">
        {chosen ? (
          <StepDetail runId={runId} step={chosen} attempts={attempts} lineage={lineage.data?.find((l) => l.step.stepRunId === chosen.stepRunId)} onLogs={() => setLogs('1')} />
        ) : <p className="muted">Click a step to see its inputs, outputs, cache decision, attempts and logs.</p>}
        {chosen && logs && <StepLogs runId={runId} step={chosen.stepId} />}
      </div>
      <StepList steps={steps!} onChoose={(id) => setStep(id)} depths={model.groups.length ? model.groups : null} />
    </div>
  );
}

/**
 * Every step, virtualized (a 10,000-step run scrolls like a small one), filterable by name, state,
 * or `depth N` (a group too big to draw, clicked in the graph).
 */
function StepList({ steps, onChoose, depths }: { steps: StepRun[]; onChoose(id: string): void; depths: Array<{ from: number; to: number; steps: string[] }> | null }) {
  const [param, setParam] = useParam('steps');
  const filter = param ?? '';
  const shown = useMemo(() => {
    const f = filter.trim().toLowerCase();
    const depth = /^depth (\d+)$/.exec(f);
    if (depth && depths) {
      const group = new Set(depths.find((g) => g.from === Number(depth[1]))?.steps ?? []);
      return steps.filter((s) => group.has(s.stepId));
    }
    return f ? steps.filter((s) => s.stepId.toLowerCase().includes(f) || s.status.toLowerCase() === f) : steps;
  }, [steps, filter, depths]);
  const scroller = useRef<HTMLDivElement>(null);
  const rows = useVirtualizer({ count: shown.length, getScrollElement: () => scroller.current, estimateSize: () => 30, overscan: 10 });
  return (
    <section className="card">
      <div className="toolbar"><h2>Steps</h2><input type="search" aria-label="Filter steps" placeholder="Name or state" value={filter} onChange={(e) => setParam(e.target.value)} /><span className="muted small">{shown.length.toLocaleString()}</span></div>
      <div className="step-list" ref={scroller}>
        <div style={{ height: rows.getTotalSize(), position: 'relative' }}>
          {rows.getVirtualItems().map((item) => {
            const s = shown[item.index]!;
            return (
              <div key={s.stepRunId} className="step-row" data-step={s.stepId} data-status={s.status} style={{ position: 'absolute', top: 0, transform: `translateY(${item.start}px)` }}>
                <button type="button" className="link" onClick={() => onChoose(s.stepId)}>{s.stepId}</button>
                <span className={`st st-${s.status.toLowerCase()}`}>{s.status}</span>
                <span className="muted small">{s.startTime ? formatDuration((s.endTime ?? Date.now()) - s.startTime) : ''}</span>
                <span className="muted small">{s.cache.status === 'hit' ? 'cache hit' : ''}</span>
              </div>
            );
          })}
        </div>
      </div>
    </section>
  );
}
