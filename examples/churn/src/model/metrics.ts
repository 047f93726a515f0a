// Holdout metrics: ROC AUC, accuracy against the majority-class baseline, log loss, a confusion
// matrix and a calibration table (predicted vs observed churn rate per probability decile).

/** Area under the ROC curve (Mann-Whitney U with average ranks for ties). */
export function rocAuc(labels: number[], scores: number[]): number {
  const order = scores.map((s, i) => [s, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(scores.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    for (let k = i; k <= j; k++) ranks[order[k]![1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  const pos = labels.filter((l) => l === 1).length;
  const neg = labels.length - pos;
  if (!pos || !neg) return Number.NaN;
  const rankSum = labels.reduce((s, l, i) => s + (l === 1 ? ranks[i]! : 0), 0);
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

export interface Confusion { tp: number; fp: number; tn: number; fn: number }

export function confusion(labels: number[], scores: number[], threshold: number): Confusion {
  const c = { tp: 0, fp: 0, tn: 0, fn: 0 };
  labels.forEach((l, i) => {
    const p = scores[i]! >= threshold ? 1 : 0;
    if (p === 1 && l === 1) c.tp++;
    else if (p === 1) c.fp++;
    else if (l === 1) c.fn++;
    else c.tn++;
  });
  return c;
}

export function logLoss(labels: number[], scores: number[]): number {
  const eps = 1e-12;
  return -labels.reduce((s, l, i) => s + (l === 1 ? Math.log(Math.max(eps, scores[i]!)) : Math.log(Math.max(eps, 1 - scores[i]!))), 0) / labels.length;
}

export interface CalibrationBin { from: number; to: number; count: number; meanPredicted: number; observedRate: number }

/** Predicted vs observed rate in ten equal-width probability bins (empty bins are left out). */
export function calibration(labels: number[], scores: number[], bins = 10): CalibrationBin[] {
  const acc = Array.from({ length: bins }, () => ({ count: 0, predicted: 0, observed: 0 }));
  scores.forEach((s, i) => {
    const b = acc[Math.min(bins - 1, Math.floor(s * bins))]!;
    b.count++;
    b.predicted += s;
    b.observed += labels[i]!;
  });
  return acc.flatMap((b, i) => (b.count ? [{ from: i / bins, to: (i + 1) / bins, count: b.count, meanPredicted: b.predicted / b.count, observedRate: b.observed / b.count }] : []));
}

export interface Evaluation {
  auc: number;
  accuracy: number;
  /** Accuracy of always predicting the majority class of the training labels. */
  baseline_accuracy: number;
  log_loss: number;
  precision: number;
  recall: number;
  rows: number;
  positive_rate: number;
}

export function evaluate(labels: number[], scores: number[], trainPositiveRate: number, threshold = 0.5): { metrics: Evaluation; confusion: Confusion; calibration: CalibrationBin[] } {
  const c = confusion(labels, scores, threshold);
  const majority = trainPositiveRate >= 0.5 ? 1 : 0;
  const round = (v: number) => Math.round(v * 1e6) / 1e6;
  const metrics: Evaluation = {
    auc: round(rocAuc(labels, scores)),
    accuracy: round((c.tp + c.tn) / labels.length),
    baseline_accuracy: round(labels.filter((l) => l === majority).length / labels.length),
    log_loss: round(logLoss(labels, scores)),
    precision: round(c.tp + c.fp ? c.tp / (c.tp + c.fp) : 0),
    recall: round(c.tp + c.fn ? c.tp / (c.tp + c.fn) : 0),
    rows: labels.length,
    positive_rate: round(labels.filter((l) => l === 1).length / labels.length),
  };
  return { metrics, confusion: c, calibration: calibration(labels, scores) };
}
