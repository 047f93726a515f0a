import type { MonitorReport } from './entities.js';
import { fmt } from './feature-drift.js';

const cell = (v: number | null): string => (v === null ? '-' : fmt(v));
const time = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

/** The table rows `cairn monitor report` prints and the Markdown report shows, one per feature. */
export function featureRows(report: MonitorReport): string[][] {
  return report.features.map((f) => [
    f.feature, f.kind, cell(f.psi), cell(f.ks), cell(f.js), f.chiSquareP === null ? '-' : f.chiSquareP.toExponential(1),
    `${(f.nullRate * 100).toFixed(1)}%`, f.outOfRangeRate === null ? '-' : `${(f.outOfRangeRate * 100).toFixed(1)}%`,
    f.unseenRate === null ? '-' : `${(f.unseenRate * 100).toFixed(1)}%`, f.drift ? 'DRIFT' : 'ok',
  ]);
}

export const FEATURE_HEADERS = ['feature', 'kind', 'psi', 'ks', 'js', 'chi2 p', 'nulls', 'out of range', 'unseen', 'status'];

/** The monitoring report as Markdown (kept as the monitoring run's `report.md`). */
export function renderMonitorMarkdown(r: MonitorReport): string {
  const lines = [
    `# Monitoring: ${r.model} version ${r.version}`,
    '',
    `Window ${time(r.window.from)} to ${time(r.window.to)}: ${r.rows} logged rows, ${r.labelled} labelled. Reference: training set ${r.trainingDataset ?? '(none recorded)'}.`,
    '',
    r.alerts.length ? `**${r.alerts.length} alert${r.alerts.length > 1 ? 's' : ''}:**` : 'No threshold crossed.',
    ...r.alerts.map((a) => `- ${a.kind}: ${a.message}`),
  ];
  if (r.note) lines.push('', `Note: ${r.note}`);
  if (r.features.length) {
    lines.push('', '## Features', '', `| ${FEATURE_HEADERS.join(' | ')} |`, `|${FEATURE_HEADERS.map(() => '---').join('|')}|`);
    for (const row of featureRows(r)) lines.push(`| ${row.join(' | ')} |`);
  }
  if (r.prediction) lines.push('', '## Predictions', '', `PSI ${fmt(r.prediction.psi)}, KS ${fmt(r.prediction.ks)} against ${r.prediction.reference}${r.prediction.drift ? ' (drift)' : ''}.`);
  if (r.performance) {
    const p = r.performance;
    lines.push('', '## Live performance', '', p.kind === 'classification' ? `AUC ${cell(p.auc)}, accuracy ${cell(p.accuracy)} on ${r.labelled} labelled rows.` : `RMSE ${cell(p.rmse)}, MAE ${cell(p.mae)} on ${r.labelled} labelled rows.`);
  }
  return `${lines.join('\n')}\n`;
}
