import type { CalibrationBin, Confusion, Evaluation } from './metrics.js';

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

/** The holdout evaluation as Markdown: metrics, confusion matrix and calibration table. */
export function evaluationMarkdown(e: { metrics: Evaluation; confusion: Confusion; calibration: CalibrationBin[] }, title: string): string {
  const m = e.metrics;
  const c = e.confusion;
  return [
    `# ${title}`,
    '',
    `Holdout: ${m.rows} customer-months, ${pct(m.positive_rate)} churned.`,
    '',
    '| metric | value |',
    '|---|---|',
    `| AUC | ${m.auc.toFixed(4)} |`,
    `| accuracy | ${m.accuracy.toFixed(4)} |`,
    `| majority-class baseline | ${m.baseline_accuracy.toFixed(4)} |`,
    `| precision | ${m.precision.toFixed(4)} |`,
    `| recall | ${m.recall.toFixed(4)} |`,
    `| log loss | ${m.log_loss.toFixed(4)} |`,
    '',
    '## Confusion matrix (threshold 0.5)',
    '',
    '| | predicted churn | predicted stay |',
    '|---|---|---|',
    `| churned | ${c.tp} | ${c.fn} |`,
    `| stayed | ${c.fp} | ${c.tn} |`,
    '',
    '## Calibration',
    '',
    '| predicted | customers | mean predicted | observed |',
    '|---|---|---|---|',
    ...e.calibration.map((b) => `| ${b.from.toFixed(1)}–${b.to.toFixed(1)} | ${b.count} | ${pct(b.meanPredicted)} | ${pct(b.observedRate)} |`),
    '',
  ].join('\n');
}
