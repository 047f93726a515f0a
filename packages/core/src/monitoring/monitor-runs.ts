import { isCairnError } from '../errors.js';
import type { ExperimentService } from '../tracking/experiment-service.js';
import type { RunService } from '../tracking/run-service.js';
import type { MonitorReport } from './entities.js';
import { renderMonitorMarkdown } from './render-report.js';

/** Monitoring runs of a model live in the experiment `monitoring/<model>`. */
export const monitoringExperiment = (model: string): string => `monitoring/${model}`;

// Metric keys allow letters, digits, `_ - . / :` and spaces; other characters of a feature name become `_`.
const key = (s: string): string => s.replace(/[^A-Za-z0-9_\-./: ]/g, '_').slice(0, 200);

/** Records a report as a finished tracking run: its numbers as metrics, the report as report.json and report.md. */
export async function recordMonitorRun(experiments: ExperimentService, runs: RunService, r: MonitorReport): Promise<string> {
  const name = monitoringExperiment(r.model);
  const experiment = (await experiments.findByName(name)) ?? (await experiments.create({ name }).catch(async (e: unknown) => {
    if (isCairnError(e, 'ALREADY_EXISTS')) return experiments.getByName(name);
    throw e;
  }));
  const run = await runs.create({
    experimentId: experiment.experimentId, runName: `monitor v${r.version} ${new Date(r.window.to).toISOString()}`, startTime: r.createdTime,
    tags: { 'cairn.monitor.model': r.model, 'cairn.monitor.version': String(r.version), 'cairn.monitor.alerts': String(r.alerts.length) },
    params: { model: r.model, version: String(r.version), window_from: new Date(r.window.from).toISOString(), window_to: new Date(r.window.to).toISOString() },
  });
  const runId = run.info.runId;
  const metrics: Array<[string, number | null]> = [['rows', r.rows], ['labelled', r.labelled], ['alerts', r.alerts.length]];
  for (const f of r.features) {
    metrics.push([`drift.${key(f.feature)}.psi`, f.psi], [`drift.${key(f.feature)}.ks`, f.ks], [`drift.${key(f.feature)}.js`, f.js], [`drift.${key(f.feature)}.chi2_p`, f.chiSquareP]);
    metrics.push([`quality.${key(f.feature)}.null_rate`, f.nullRate], [`quality.${key(f.feature)}.out_of_range_rate`, f.outOfRangeRate], [`quality.${key(f.feature)}.unseen_rate`, f.unseenRate]);
  }
  if (r.prediction) metrics.push(['prediction.psi', r.prediction.psi], ['prediction.ks', r.prediction.ks]);
  if (r.performance) metrics.push(['performance.auc', r.performance.auc], ['performance.accuracy', r.performance.accuracy], ['performance.rmse', r.performance.rmse], ['performance.mae', r.performance.mae]);
  const list = metrics.filter((m): m is [string, number] => m[1] !== null).map(([k, value]) => ({ key: k, value, timestamp: r.window.to, step: 0 }));
  for (let i = 0; i < list.length; i += 900) await runs.logBatch(runId, { metrics: list.slice(i, i + 900) });
  const withRun = { ...r, runId };
  await runs.logArtifact(runId, 'report.json', Buffer.from(`${JSON.stringify(withRun, null, 2)}\n`));
  await runs.logArtifact(runId, 'report.md', Buffer.from(renderMonitorMarkdown(withRun)));
  await runs.update(runId, { status: 'FINISHED', endTime: Date.now() });
  return runId;
}

/** The report of a model's newest monitoring run, or null when it has none. */
export async function readMonitorReport(experiments: ExperimentService, runs: RunService, model: string): Promise<MonitorReport | null> {
  const experiment = await experiments.findByName(monitoringExperiment(model));
  if (!experiment) return null;
  const page = await runs.search({ experimentIds: [experiment.experimentId], orderBy: ['attributes.start_time DESC'], maxResults: 1 });
  const run = page.items[0];
  if (!run) return null;
  const { stream } = await runs.openArtifact(run.info.runId, 'report.json');
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Uint8Array));
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as MonitorReport;
}
