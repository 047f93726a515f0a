import type { PipelineRunDetail, Platform } from '@cairn/core';
import { keyMap } from '@cairn/core/key-map';
import { style } from '../format.js';

/** What `cairn start` runs, from a project's `quickstart.ts` (its default export). */
export interface Quickstart {
  /** Makes the project ready (e.g. generates its data when missing); returns a line to print. */
  prepare?: (projectDir: string) => Promise<string | void>;
  /** Materialize the online views up to this time (ISO or epoch ms); default now. */
  materializeUntil?: string | number;
  /** Pipeline files, relative to the project folder, run in order; each with `--param` style overrides. */
  pipelines: Array<string | { file: string; params?: Record<string, string> }>;
  /** The model and alias the summary shows (and the pipelines promote). */
  model?: { name: string; alias: string };
  /** Metric keys the summary shows for each pipeline run (default: up to four). */
  metrics?: string[];
  /** Extra suggestions printed under "Try next". */
  hints?: string[];
}

const num = (v: number) => (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4))));

/**
 * Latest metrics of a pipeline run's steps, and the run that computed them. A step answered from
 * the cache logged nothing itself: its metrics are those of the step run it reused (found by the tag
 * every step run carries), and that step run's pipeline run is the one worth a report.
 */
export async function pipelineMetrics(platform: Platform, detail: PipelineRunDetail): Promise<{ metrics: Record<string, number>; origin: string }> {
  const metrics = keyMap<number>();
  let origin = detail.run.runId;
  for (const s of detail.steps) {
    // A cache hit's own tracking run logs no metrics: read those of the step run it reused.
    let runId = s.cache.cachedFrom ? null : s.trackingRunId;
    if (!runId && s.cache.cachedFrom && detail.run.experimentId) {
      const found = (await platform.runs.search({ experimentIds: [detail.run.experimentId], filter: `tags.\`cairn.step_run\` = '${s.cache.cachedFrom}'`, maxResults: 1 })).items[0];
      runId = found?.info.runId ?? null;
      if (found?.data.tags['cairn.pipeline_run'] && origin === detail.run.runId) origin = found.data.tags['cairn.pipeline_run'];
    }
    if (!runId) continue;
    for (const m of (await platform.runs.get(runId)).data.metrics) metrics[m.key] = m.value;
  }
  return { metrics, origin };
}

export interface SummaryInput {
  url: string | null;
  projectDir: string;
  relativeProject: string;
  seconds: number;
  lines: string[];
  /** Each pipeline run, its key metrics, the run that computed them, and the gates' verdicts on its models. */
  runs: Array<{ detail: PipelineRunDetail; metrics: Record<string, number>; origin: string; verdicts?: string[] }>;
  quickstart: Quickstart;
  model: { name: string; version: number; alias: string } | null;
}

/** The closing summary: what ran, its key metrics, the model, and what to try next. */
export function startSummary(s: SummaryInput): string {
  const out: string[] = [''];
  out.push(style.bold(s.url ? `Cairn is serving ${s.relativeProject} on ${s.url} (ready in ${s.seconds.toFixed(1)} s)` : `Ran ${s.relativeProject} in ${s.seconds.toFixed(1)} s`));
  if (s.url) out.push(`Web UI: ${s.url}/ (open it in a browser: experiments, runs, charts, compare)`);
  out.push('');
  for (const line of s.lines) out.push(`  ${line}`);
  for (const { detail, metrics, origin, verdicts } of s.runs) {
    const cached = detail.steps.filter((x) => x.status === 'CACHED').length;
    const keys = (s.quickstart.metrics ?? Object.keys(metrics).slice(0, 4)).filter((k) => metrics[k] !== undefined);
    out.push(`  ${detail.run.pipelineName.padEnd(12)} run ${detail.run.runId} ${detail.run.status}, ${detail.steps.length} steps${cached ? ` (${cached} from cache)` : ''}${keys.length ? `: ${keys.map((k) => `${k} ${num(metrics[k]!)}`).join(', ')}` : ''}`);
    if (origin !== detail.run.runId) out.push(`  ${''.padEnd(12)} (computed by run ${origin})`);
    for (const v of verdicts ?? []) out.push(`  ${''.padEnd(12)} ${v}`);
  }
  if (s.model) out.push(`  ${'model'.padEnd(12)} ${s.model.name} v${s.model.version} holds @${s.model.alias}`);
  // The run that trained (a cached run's steps were computed by an earlier one).
  const first = s.runs[0]?.origin ?? 'RUN_ID';
  out.push('', s.relativeProject === '.' ? 'Try next:' : `Try next (in ${s.relativeProject}/):`);
  const tries = [
    'npx cairn pipelines runs',
    ...(s.model ? [`npx cairn models show ${s.model.name}@${s.model.alias}`, `npx cairn models lineage ${s.model.name}@${s.model.alias}`] : []),
    `npx cairn report ${first}`,
    `npx cairn runs reproduce ${first}`,
    ...(s.quickstart.hints ?? []),
  ];
  for (const t of tries) out.push(`  ${t}`);
  if (s.url) {
    out.push(
      `  curl ${s.url}/api/v1/experiments/search -X POST -H 'content-type: application/json' -d '{}'`,
      `  MLFLOW_TRACKING_URI=${s.url} python3 -c "import mlflow; print(mlflow.search_runs(search_all_experiments=True))"`,
      `  API description: ${s.url}/api/v1/openapi.json`,
      '',
      'Ctrl-C stops the server. The next `npm start` reuses every cached step.',
    );
  }
  return `${out.join('\n')}\n`;
}
