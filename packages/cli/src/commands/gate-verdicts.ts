import type { AuditEvent, ConditionResult, ModelVersion, Platform, Promotion } from '@cairn/core';
import { formatNumber, formatTime } from '../format.js';

/**
 * The promotion gates' verdicts on the model versions a pipeline run registered (or reused), as
 * lines for run summaries (a refusal is followed by its failed conditions, indented): a pipeline whose every step COMPLETED may still have had its
 * candidate refused by the gate, and that is the outcome a person wants to see first. For a run
 * whose steps came from the cache, pass the run that computed them and `since` (this run's start):
 * verdicts older than that are marked as decided earlier.
 *
 * @example
 * ```ts
 * for (const line of await gateVerdicts(platform, runId)) out(`${line}\n`);
 * // gate of @champion REFUSED churn v2: @champion stays at v1
 * //   FAIL  metrics.auc > champion.metrics.auc  (metrics.auc=0.71, champion.metrics.auc=0.86)
 * ```
 */
export async function gateVerdicts(platform: Platform, pipelineRunId: string, options: { since?: number } = {}): Promise<string[]> {
  const core = await import('@cairn/core');
  const run = await platform.pipelines.queries.getRunInfo(pipelineRunId);
  if (!run.trackingRunId) return [];
  const versions = await registeredVersions(platform, run.trackingRunId, core.REGISTERED_VERSION_TAG);
  const lines: string[] = [];
  for (const v of versions) {
    const events = (await platform.registry.audit.list({ model: v.name, version: v.version, action: 'promotion.*', maxResults: 10 })).items;
    // The newest verdict per alias.
    const latest = new Map<string, AuditEvent>();
    for (const e of events) if (e.alias && (!latest.has(e.alias) || latest.get(e.alias)!.time < e.time)) latest.set(e.alias, e);
    for (const e of latest.values()) lines.push(...verdictLines(v, e, e.time < (options.since ?? run.createdTime)));
  }
  return lines;
}

async function registeredVersions(platform: Platform, trackingRunId: string, tag: string): Promise<ModelVersion[]> {
  const found = (await platform.registry.versions.search({ filter: `run_id = '${trackingRunId}'`, maxResults: 20 })).items;
  const named = (await platform.runs.get(trackingRunId)).data.tags[tag];
  if (named) {
    const v = await platform.registry.resolve(named).catch(() => null);
    if (v && !found.some((x) => x.name === v.name && x.version === v.version)) found.push(v);
  }
  return found;
}

const value = (x: number | string | null) => (x === null ? 'null' : typeof x === 'number' ? formatNumber(x) : x);
// "the condition is false" adds nothing to FAIL; other notes (a missing holder, a skipped check) do.
const condition = (c: ConditionResult) => `${c.passed ? 'pass' : 'FAIL'}  ${c.expression}  (${Object.entries(c.values).map(([k, x]) => `${k}=${value(x)}`).join(', ')})${c.note && !/condition is false/.test(c.note) ? `  ${c.note}` : ''}`;

function verdictLines(v: ModelVersion, e: AuditEvent, earlier: boolean): string[] {
  const p = e.after as Partial<Promotion> | null;
  const when = earlier ? ` (decided earlier, ${formatTime(e.time)})` : '';
  if (e.action === 'promotion.passed') return [`gate of @${e.alias} passed ${v.name} v${v.version}, and @${e.alias} moved to it${when}`];
  const failed = (p?.conditions ?? []).filter((c) => !c.passed).map(condition);
  if (p?.signature && !p.signature.compatible) failed.push(`FAIL  signature: ${p.signature.problems.join('; ')}`);
  const holder = p?.current == null ? 'stays unset' : `stays at v${p.current}`;
  return [
    `gate of @${e.alias} REFUSED ${v.name} v${v.version}: @${e.alias} ${holder}${when}`,
    ...(failed.length ? failed : [`see \`cairn models history ${v.name}\``]).map((f) => `  ${f}`),
  ];
}
