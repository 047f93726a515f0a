import type { FeatureStatistics } from '../features/entities.js';
import type { ModelReport, RunReport } from './run-report.js';

// Renders a run report as GitHub-flavoured Markdown: made for a pull-request comment or a CI job
// summary, readable as plain text in a terminal too.

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const row = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
const tableOf = (head: string[], rows: string[][]) => [row(head), row(head.map(() => '---')), ...rows.map(row)].join('\n');
const num = (v: number | null | undefined) => (v === null || v === undefined || Number.isNaN(v) ? '–' : Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(5))));
const short = (d: string | null | undefined, n = 12) => (d ? d.replace(/^sha256:/, '').slice(0, n) : '–');
const iso = (ms: number | null | undefined) => (ms ? new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z') : '–');

function signed(delta: number): string {
  if (!Number.isFinite(delta) || delta === 0) return delta === 0 ? '±0' : '–';
  return `${delta > 0 ? '+' : '−'}${num(Math.abs(delta))}`;
}

function modelSection(m: ModelReport): string {
  const v = m.version;
  const lines = [`### Model ${v.name} v${v.version}${m.holdsAlias ? ` — holds @${m.alias}` : ''}`, ''];
  const keys = [...new Set([...Object.keys(m.metrics), ...Object.keys(m.baseline?.metrics ?? {})])].sort();
  if (m.baseline) {
    lines.push(`Against v${m.baseline.version} (${m.baseline.role} of @${m.alias}):`, '');
    lines.push(tableOf(['metric', `v${v.version}`, `v${m.baseline.version}`, 'change'], keys.map((k) => {
      const a = m.metrics[k];
      const b = m.baseline!.metrics[k];
      return [k, num(a), num(b), a !== undefined && b !== undefined ? signed(a - b) : '–'];
    })));
  } else {
    lines.push(`No other version ${m.holdsAlias ? 'held' : 'holds'} @${m.alias}${m.holdsAlias ? ' before it' : ''}.`, '');
    if (keys.length) lines.push(tableOf(['metric', `v${v.version}`], keys.map((k) => [k, num(m.metrics[k])])));
  }
  if (m.gate) {
    lines.push('', `**Gate of @${m.alias}: ${m.gate.passed ? '✅ passed' : '❌ refused'}**${m.gate.recorded ? ` (recorded ${iso(m.gate.evaluatedTime)})` : ' (dry run: not yet asked)'}`, '');
    lines.push(tableOf(['', 'condition', 'values', 'note'], m.gate.conditions.map((c) => [c.passed ? '✅' : '❌', `\`${c.expression}\``, Object.entries(c.values).map(([k, x]) => `${k}=${x === null ? 'null' : typeof x === 'number' ? num(x) : x}`).join(', '), c.note ?? ''])));
    if (m.gate.signature) lines.push('', `Signature: ${m.gate.signature.compatible ? 'compatible' : `incompatible (${m.gate.signature.problems.join('; ')})`}`);
  } else if (!m.holdsAlias) {
    lines.push('', `@${m.alias} has no gate.`);
  }
  return lines.join('\n');
}

function statisticsTable(stats: FeatureStatistics[], view: string): string[][] {
  return stats.map((s) => [`${view}:${s.feature}`, String(s.count), String(s.nulls), num(s.mean), num(s.stddev), s.min === null ? '–' : String(typeof s.min === 'number' ? num(s.min) : s.min), s.max === null ? '–' : String(typeof s.max === 'number' ? num(s.max) : s.max)]);
}

function lineageSection(r: RunReport): string {
  const e = r.environment;
  const chain: string[] = [];
  chain.push(`- **code**: ${e.gitCommit ? `git ${short(e.gitCommit, 12)}${e.gitDirty === 'true' ? ` + uncommitted changes (${short(e.gitDiffDigest)})` : ' (clean)'}` : 'no git commit recorded'}; ${e.lockfile ? `${e.lockfile} ${short(e.lockfileDigest)}` : 'no lockfile'}; Node ${e.nodeVersion ?? '–'}; config ${short(e.configDigest)}`);
  const params = Object.entries(r.run.data.params);
  if (params.length) chain.push(`- **params**: ${params.map(([k, v]) => `${k}=${v}`).join(', ')}`);
  for (const { dataset: d } of r.datasets) chain.push(`- **training set** ${d.name}: ${d.rowCount} rows, ${d.resultDigest} (${d.featureService ? `feature service ${d.featureService}, ` : ''}registry v${d.registryVersion}; ${d.definitions.map((x) => `${x.name} v${x.version}`).join(', ')})`);
  for (const i of r.run.inputs) if (!r.datasets.some((d) => d.dataset.resultDigest === i.dataset.digest)) chain.push(`- **input** ${i.dataset.name}: ${i.dataset.digest}`);
  if (r.pipelineRun) chain.push(`- **pipeline** ${r.pipelineRun.pipelineName} run ${r.pipelineRun.runId} (${r.pipelineRun.status}) → tracking run ${r.run.info.runId}`);
  for (const m of r.models) chain.push(`- **model** ${m.version.name} v${m.version.version} ${m.version.digest ?? ''}${m.holdsAlias ? ` → @${m.alias}` : ''}`);
  return chain.join('\n');
}

/** The report as Markdown. */
export function renderMarkdown(r: RunReport): string {
  const p = r.pipelineRun;
  const title = p ? `${p.pipelineName} run ${p.runId.slice(0, 12)}` : `run ${r.run.info.runName} (${r.run.info.runId.slice(0, 12)})`;
  const status = p?.status ?? r.run.info.status;
  const out = [`## Cairn report: ${title} — ${status}`, ''];
  const ended = p?.endTime ?? r.run.info.endTime;
  const started = p?.createdTime ?? r.run.info.startTime;
  out.push(`Started ${iso(started)}${ended ? `, took ${Math.round((ended - started) / 1000)} s` : ''}. Tracking run \`${r.run.info.runId}\`.`, '');

  if (r.models.length) for (const m of r.models) out.push(modelSection(m), '');
  const metricRows = r.steps.flatMap((s) => (s.run?.data.metrics ?? []).map((m) => [s.step.stepId, m.key, num(m.value)]));
  if (!r.models.length) metricRows.unshift(...r.run.data.metrics.map((m) => ['(run)', m.key, num(m.value)]));
  if (metricRows.length) out.push('### Metrics', '', tableOf(['step', 'metric', 'value'], metricRows), '');

  if (r.datasets.length) {
    out.push('### Data', '');
    for (const { dataset: d, statistics } of r.datasets) {
      out.push(`Training set **${d.name}**: ${d.rowCount} rows × ${d.features.length} features, digest \`${d.resultDigest}\`.`, '');
      const rows = statistics.flatMap((m) => statisticsTable(m.statistics.filter((s) => d.features.includes(`${m.view}:${s.feature}`)), m.view));
      if (rows.length) out.push('Feature statistics (latest materialization):', '', tableOf(['feature', 'count', 'nulls', 'mean', 'stddev', 'min', 'max'], rows), '');
    }
  }
  if (r.steps.length) {
    out.push('### Pipeline', '', tableOf(['step', 'status', 'time', 'outputs'], r.steps.map((s) => [
      s.step.stepId, s.step.status === 'CACHED' ? 'CACHED (reused)' : s.step.status,
      s.step.startTime && s.step.endTime ? `${((s.step.endTime - s.step.startTime) / 1000).toFixed(1)} s` : '–',
      s.outputs.map((o) => `${o.name} (${o.artifact.kind} ${short(o.artifact.digest, 8)})`).join(', '),
    ])), '');
  }
  out.push('### Lineage', '', lineageSection(r), '');
  return `${out.join('\n')}\n`;
}
