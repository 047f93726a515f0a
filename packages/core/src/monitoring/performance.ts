// Live model performance from labelled predictions, as plain functions.

/**
 * Area under the ROC curve: the probability that a random positive scores above a random negative
 * (ties count half), by ranks. Null when only one class is present.
 *
 * @example
 * ```ts
 * auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]); // 0.75
 * ```
 */
export function auc(scores: number[], labels: number[]): number | null {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  const ranks = new Float64Array(n);
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]!] = rank;
    i = j + 1;
  }
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < n; i++) {
    if (labels[i] === 1) {
      positives++;
      rankSum += ranks[i]!;
    }
  }
  const negatives = n - positives;
  if (!positives || !negatives) return null;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Share of predictions on the right side of `threshold` (a score ≥ threshold predicts 1). */
export function accuracy(scores: number[], labels: number[], threshold = 0.5): number | null {
  if (!scores.length) return null;
  let right = 0;
  for (let i = 0; i < scores.length; i++) if ((scores[i]! >= threshold ? 1 : 0) === labels[i]) right++;
  return right / scores.length;
}

export function rmse(predictions: number[], actual: number[]): number | null {
  if (!predictions.length) return null;
  let s = 0;
  for (let i = 0; i < predictions.length; i++) s += (predictions[i]! - actual[i]!) ** 2;
  return Math.sqrt(s / predictions.length);
}

export function mae(predictions: number[], actual: number[]): number | null {
  if (!predictions.length) return null;
  let s = 0;
  for (let i = 0; i < predictions.length; i++) s += Math.abs(predictions[i]! - actual[i]!);
  return s / predictions.length;
}
