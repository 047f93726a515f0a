import type { AuditEvent, GateEvaluation, Lineage, ModelVersion, RegisteredModel } from '@cairn/core';
import { fields, formatNumber, formatTags, formatTime, style, table, describeSource, truncate } from '../format.js';

// Text output of `cairn models …`: tables for lists, label/value blocks for one entity.

export function modelRows(models: RegisteredModel[]): string {
  const rows = models.map((m) => [
    m.name,
    String(m.latestVersions.reduce((n, v) => Math.max(n, v.version), 0) || '-'),
    m.aliases.map((a) => `@${a.alias}=${a.version}`).join(' ') || '-',
    formatTime(m.lastUpdatedTime),
    truncate(formatTags(m.tags), 50),
  ]);
  return table(['NAME', 'LATEST', 'ALIASES', 'UPDATED', 'TAGS'], rows);
}

export function versionRows(versions: ModelVersion[]): string {
  const rows = versions.map((v) => [
    String(v.version),
    v.status,
    v.aliases.map((a) => `@${a}`).join(' ') || '-',
    v.format + (v.unsafe ? ' (unsafe)' : ''),
    v.externalUri ? 'external' : v.size === null ? '-' : formatBytes(v.size),
    v.runId ?? '-',
    formatTime(v.creationTime),
  ]);
  return table(['VERSION', 'STATUS', 'ALIASES', 'FORMAT', 'SIZE', 'RUN', 'CREATED'], rows);
}

export function showModel(m: RegisteredModel): string {
  return fields([
    ['name', m.name],
    ['description', m.description ?? '-'],
    ['aliases', m.aliases.map((a) => `@${a.alias} → ${a.version}`).join(', ') || '-'],
    ['created', formatTime(m.creationTime)],
    ['updated', formatTime(m.lastUpdatedTime)],
    ['tags', formatTags(m.tags) || '-'],
  ]);
}

export function showVersion(v: ModelVersion): string {
  const sig = v.signature ? `${v.signature.inputs.map((f) => `${f.name ?? '?'}:${f.type === 'tensor' ? `tensor<${f.dtype}>` : f.type}`).join(', ')} → ${v.signature.outputs.map((f) => `${f.name ?? '?'}:${f.type}`).join(', ')}` : '-';
  return fields([
    ['model', v.name],
    ['version', String(v.version)],
    ['status', v.statusMessage ? `${v.status} (${v.statusMessage})` : v.status],
    ['aliases', v.aliases.map((a) => `@${a}`).join(' ') || '-'],
    ['stage', v.stage],
    ['source', v.source],
    ...(v.externalUri ? ([['external', `files at ${v.externalUri} (Cairn holds none and never fetches them)`]] as Array<[string, string]>) : []),
    ['run', v.runId ?? '-'],
    ['format', v.unsafe ? `${v.format} (unsafe: loading it runs code)` : v.format],
    ['signature', sig],
    ['size', v.size === null ? '-' : `${formatBytes(v.size)} in ${v.fileCount} file${v.fileCount === 1 ? '' : 's'}`],
    ['digest', v.digest ?? '-'],
    ['created', `${formatTime(v.creationTime)}${v.userId ? ` by ${v.userId}` : ''}`],
    ['description', v.description ?? '-'],
    ['tags', formatTags(v.tags) || '-'],
  ]);
}

/** Each condition with its actual values, the way `promote` prints them. */
export function showEvaluation(e: GateEvaluation): string {
  if (!e.gated) return `@${e.alias} of '${e.model}' has no gate: nothing to check.\n`;
  const mark = (ok: boolean) => (ok ? 'pass' : style.bold('FAIL'));
  const lines = e.conditions.map((c) => {
    const values = Object.entries(c.values).map(([k, v]) => `${k} = ${v === null ? 'missing' : typeof v === 'number' ? formatNumber(v) : JSON.stringify(v)}`).join(', ');
    return `  ${mark(c.passed)}  ${c.expression}${values ? `    (${values})` : ''}${c.note ? `  — ${c.note}` : ''}`;
  });
  if (e.signature) lines.push(`  ${mark(e.signature.compatible)}  signature compatible with ${e.current === null ? 'the current holder' : `version ${e.current}`}${e.signature.problems.length ? `: ${e.signature.problems.join('; ')}` : ''}`);
  return `Gate of @${e.alias} for '${e.model}' version ${e.candidate} (current holder: ${e.current ?? 'none'}):\n${lines.join('\n')}\n`;
}

export function eventRows(events: AuditEvent[]): string {
  const describe = (e: AuditEvent) => {
    const b = e.before as Record<string, unknown> | null;
    const a = e.after as Record<string, unknown> | null;
    if (e.action === 'alias.moved') return `@${e.alias}: ${b?.version ?? '-'} → ${a?.version}`;
    if (e.action === 'alias.deleted') return `@${e.alias} (was ${b?.version ?? '?'})`;
    if (e.action.endsWith('.tag.set')) return `${e.key} = ${JSON.stringify(a?.value)}`;
    if (e.action.startsWith('promotion.')) return `@${e.alias} ← ${e.version}`;
    return e.version === null ? '' : `version ${e.version}`;
  };
  const rows = events.map((e) => [String(e.id), formatTime(e.time), e.actor, e.action, truncate(describe(e), 50), truncate(e.reason ?? '', 40)]);
  return table(['ID', 'TIME', 'WHO', 'ACTION', 'WHAT', 'REASON'], rows);
}

/** The chain from a version down to the code that produced it. */
export function showLineage(l: Lineage): string {
  const out = [`${style.bold(`${l.model} v${l.version}`)}  ${l.digest ?? ''}`, `└─ source ${l.source}`];
  if (l.externalUri) out.push(`   (external: files at ${l.externalUri}, not held by Cairn)`);
  if (l.missingRunId) return `${out.join('\n')}\n   └─ run ${l.missingRunId} (not on this server: registered from another tracking server)\n`;
  if (!l.run) return `${out.join('\n')}\n   (no run recorded: uploaded without --run)\n`;
  out.push(`   └─ run ${l.run.runId} (${l.run.runName}, ${l.run.status}, by ${l.run.userId}) in experiment ${l.run.experimentName ?? l.run.experimentId}`);
  for (const d of l.datasets) out.push(`      ├─ data ${d.name}@${d.digest}${d.context ? ` (${d.context})` : ''} from ${d.sourceType} ${describeSource(d.source, 90)}`);
  if (l.featureService) out.push(`      ├─ features: service ${l.featureService.name}, training set ${l.featureService.trainingDataset} (registry v${l.featureService.registryVersion})`);
  if (l.pipelineRun) out.push(`      ├─ pipeline ${l.pipelineRun.pipeline} run ${l.pipelineRun.runId}${l.pipelineRun.step ? ` step ${l.pipelineRun.step}` : ''} (${l.pipelineRun.status})`);
  const c = l.code;
  out.push(`      └─ code ${c?.gitCommit ? `git ${c.gitCommit}${c.gitDirty ? ' (uncommitted changes)' : ''}` : 'no git commit recorded'}${c?.entryPoint ? `, ${c.entryPoint}` : ''}`);
  return `${out.join('\n')}\n`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}
