import type { CacheExplanation, LineageNode, LogLine, PipelineRun, PipelineRunDetail, PipelineSummary, StepAttempt, StepRun } from '@cairn/core';
import { fields, formatDuration, formatTime, section, style, table, truncate, truncateWords } from '../format.js';

// Text renderings of pipeline state for `cairn pipelines …` (the --json forms print the entities).

const duration = (start: number | null, end: number | null): string => (start == null ? '-' : formatDuration((end ?? Date.now()) - start));

export function pipelinesTable(list: PipelineSummary[]): string {
  if (!list.length) return 'No pipelines have run yet. Run one with `cairn pipelines run FILE.ts`.\n';
  return table(['PIPELINE', 'STEPS', 'PARAMS', 'LAST RUN', 'STATUS', 'SOURCE'], list.map((p) => [
    p.name, String(p.stepCount), truncate(Object.keys(p.params).join(', ') || '-', 30), p.lastRun ? formatTime(p.lastRun.createdTime) : '-', p.lastRun?.status ?? '-', p.source?.file ?? '-',
  ]));
}

export function runsTable(runs: PipelineRun[]): string {
  if (!runs.length) return 'No pipeline runs match.\n';
  return table(['RUN ID', 'PIPELINE', 'STATUS', 'STARTED', 'DURATION', 'STEPS', 'REASON'], runs.map((r) => [
    r.runId, r.pipelineName, r.status, formatTime(r.createdTime), duration(r.createdTime, r.endTime), String(r.stepCount), truncate(r.statusReason ?? '', 60),
  ]));
}

function stepRow(s: StepRun): string[] {
  const note = s.error?.message.split('\n')[0] ?? (s.cache.status === 'hit' ? `reused ${s.cache.cachedFrom}` : '');
  return [s.stepId, s.status, s.maxAttempts > 1 ? `${s.attempt}/${s.maxAttempts}` : String(s.attempt), duration(s.startTime, s.endTime), s.cache.status ?? '-', truncateWords(note, 70)];
}

/** `show`: the run's fields and a table of its steps. */
export function showRunText(detail: PipelineRunDetail, withFields = true): string {
  const r = detail.run;
  const head = withFields
    ? fields([
      ['run id', r.runId],
      ['pipeline', r.pipelineName],
      ['status', r.statusReason ? `${r.status} (${r.statusReason})` : r.status],
      ['started', formatTime(r.createdTime)],
      ['ended', r.endTime ? `${formatTime(r.endTime)} (${formatDuration(r.endTime - r.createdTime)})` : '-'],
      ['params', Object.entries(r.params).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ') || '-'],
      ['executor', r.executor],
      ['source', r.source ? `${r.source.file}${r.source.exportName ? ` (${r.source.exportName})` : ''}` : '-'],
      ['tracking run', r.trackingRunId ?? '-'],
      ['runner', r.runner ?? '-'],
      ...(r.resumeCount ? [['resumed', `${r.resumeCount} time(s)`] as [string, string]] : []),
    ])
    : '';
  const steps = table(['STEP', 'STATUS', 'ATTEMPT', 'TIME', 'CACHE', 'NOTE'], detail.steps.map(stepRow));
  const attempts = attemptsText(detail.attempts ?? []);
  return withFields
    ? `${head}${section('Steps', steps)}${attempts ? section('Attempts', attempts) : ''}`
    : `${style.bold(`${r.status}`)} ${r.pipelineName} ${r.runId}${r.statusReason ? `: ${r.statusReason}` : ''}\n${steps}`;
}

/** Every attempt of the steps that ran more than once (retries, resumes, takeovers), with its own outcome. */
export function attemptsText(attempts: StepAttempt[]): string {
  const count = new Map<string, number>();
  for (const a of attempts) count.set(a.stepRunId, (count.get(a.stepRunId) ?? 0) + 1);
  const several = attempts.filter((a) => count.get(a.stepRunId)! > 1);
  if (!several.length) return '';
  return table(['STEP', 'ATTEMPT', 'STATUS', 'STARTED', 'TIME', 'WORKER', 'NOTE'], several.map((a) => [
    a.stepId, String(a.attempt), a.status, formatTime(a.startTime), duration(a.startTime, a.endTime), a.worker ?? '-', truncate(a.error?.split('\n')[0] ?? '', 70),
  ]));
}

/** Log lines; those of a later attempt are marked with its number (`[step#2]`, or `[#2]` for one step). */
export function logLines(lines: LogLine[], withStep: boolean): string {
  const tag = (l: LogLine) => (withStep ? `[${l.stepId}${l.attempt > 1 ? `#${l.attempt}` : ''}]` : l.attempt > 1 ? `[#${l.attempt}]` : '');
  return lines.map((l) => {
    const t = tag(l);
    return `${t ? `${style.dim(t)} ` : ''}${l.stream === 'stderr' ? style.warn(l.text) : l.text}\n`;
  }).join('');
}

export function explainText(e: CacheExplanation): string {
  const head = fields([
    ['step', e.stepId],
    ['cache', e.status ?? '-'],
    ['key', e.key ?? '-'],
    ['compared with', e.comparedWith ? `step run ${e.comparedWith.stepRunId} (run ${e.comparedWith.runId})` : '-'],
  ]);
  return `${head}\n${e.decision}\n${e.changes.length ? `${section('Changed', e.changes.map((c) => `  ${c}\n`).join(''))}` : ''}`;
}

/** `lineage`: each step, what it consumed (and from which step) and what it produced. */
export function lineageText(nodes: LineageNode[]): string {
  const producer = new Map<string, string>();
  for (const n of nodes) for (const o of n.outputs) producer.set(o.artifact.artifactId, `${n.step.stepId}.${o.name}`);
  const lines: string[] = [];
  for (const n of nodes) {
    lines.push(`${style.bold(n.step.stepId)} ${style.dim(n.step.status)}${n.step.cache.cachedFrom ? style.dim(` (reused ${n.step.cache.cachedFrom})`) : ''}`);
    for (const i of n.inputs) lines.push(`  ← ${i.name}: ${i.artifact.kind} ${i.artifact.digest.slice(0, 12)}${producer.has(i.artifact.artifactId) ? ` from ${producer.get(i.artifact.artifactId)}` : ''}`);
    for (const o of n.outputs) lines.push(`  → ${o.name}: ${o.artifact.kind} ${o.artifact.digest.slice(0, 12)} (${o.artifact.size} bytes, ${o.artifact.materializer})`);
    for (const up of n.step.upstream) if (!n.inputs.some((i) => producer.get(i.artifact.artifactId)?.startsWith(`${up}.`))) lines.push(`  ← after ${up}`);
  }
  return `${lines.join('\n')}\n`;
}
