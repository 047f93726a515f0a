/** One threshold crossed: what `cairn monitor run` alerts on (and exits non-zero for). */
export interface MonitorAlert {
  kind: 'drift' | 'prediction_drift' | 'data_quality' | 'performance';
  /** The feature, or null for the predictions and performance. */
  feature: string | null;
  statistic: string;
  value: number;
  threshold: number;
  message: string;
}

export interface FeatureReport {
  feature: string;
  kind: 'numeric' | 'categorical';
  rows: number;
  /** Numeric: population stability index over the training deciles, and the Kolmogorov-Smirnov statistic. */
  psi: number | null;
  ks: number | null;
  /** Categorical: Jensen-Shannon distance and the chi-square test's p-value. */
  js: number | null;
  chiSquareP: number | null;
  nullRate: number;
  trainingNullRate: number;
  /** Share of values outside the training range or the feature view's expectations (min, max, allowed). */
  outOfRangeRate: number | null;
  /** Share of categorical values never seen in training. */
  unseenRate: number | null;
  drift: boolean;
}

export interface MonitorReport {
  model: string;
  version: number;
  window: { from: number; to: number };
  rows: number;
  labelled: number;
  trainingDataset: string | null;
  /** Why drift was not judged (no reference statistics, too few rows), or null. */
  note: string | null;
  features: FeatureReport[];
  prediction: { psi: number; ks: number; reference: string; drift: boolean } | null;
  performance: { kind: 'classification' | 'regression'; auc: number | null; accuracy: number | null; rmse: number | null; mae: number | null } | null;
  alerts: MonitorAlert[];
  /** The tracking run holding this report's metrics and artifacts. */
  runId: string | null;
  createdTime: number;
}
