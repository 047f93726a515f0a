// The churn model as saved to disk (model/model.json): which features it reads, how it encodes
// them, and its weights. Scoring loads this file; nothing else is needed to reproduce a prediction.
import type { Signature } from '@cairn/core';
import { encodeRows, encodedColumns, fitEncoder, type Encoder } from './encode.js';
import { fitLogistic, predictProbabilities, type LogisticOptions } from './logistic.js';

export const NUMERIC_FEATURES = [
  'plan_tier', 'monthly_fee', 'logins_7d', 'logins_28d', 'minutes_7d', 'tenure_weeks',
  'support_tickets_30d', 'payment_failures_90d', 'login_trend', 'fee_per_login',
] as const;
export const CATEGORICAL_FEATURES = ['region'] as const;
export const ALL_FEATURES: string[] = [...NUMERIC_FEATURES, ...CATEGORICAL_FEATURES];

export interface ChurnModel {
  format: 'cairn-churn-logistic@1';
  features: string[];
  encoder: Encoder;
  /** Intercept first, then one weight per encoded column (`columns`). */
  weights: number[];
  columns: string[];
  /** Predicted churn at or above this probability counts as "will churn". */
  threshold: number;
}

/** Which features to use: 'all', or a comma-separated list of feature names (a smaller model). */
export function selectFeatures(spec: string): string[] {
  if (spec.trim() === 'all') return ALL_FEATURES;
  const wanted = spec.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = wanted.filter((f) => !ALL_FEATURES.includes(f));
  if (unknown.length || !wanted.length) throw new Error(`features must be 'all' or names among ${ALL_FEATURES.join(', ')}; unknown: ${unknown.join(', ') || '(none given)'}.`);
  return ALL_FEATURES.filter((f) => wanted.includes(f));
}

export function trainChurnModel(rows: Array<Record<string, unknown>>, labels: number[], features: string[], options: LogisticOptions): ChurnModel {
  const encoder = fitEncoder(rows, features.filter((f) => (NUMERIC_FEATURES as readonly string[]).includes(f)), features.filter((f) => (CATEGORICAL_FEATURES as readonly string[]).includes(f)));
  const weights = fitLogistic(encodeRows(encoder, rows), labels, options).map((w) => Number(w.toPrecision(12)));
  return { format: 'cairn-churn-logistic@1', features, encoder, weights, columns: encodedColumns(encoder), threshold: 0.5 };
}

export function predictChurn(model: ChurnModel, rows: Array<Record<string, unknown>>): number[] {
  if (model.format !== 'cairn-churn-logistic@1') throw new Error(`Unknown model format '${String(model.format)}'.`);
  return predictProbabilities(model.weights, encodeRows(model.encoder, rows));
}

/** The model's typed interface, registered with each version so a gate can check compatibility. */
export function signatureOf(model: ChurnModel): Signature {
  return {
    inputs: model.features.map((name) => ({ name, type: (CATEGORICAL_FEATURES as readonly string[]).includes(name) ? 'string' : 'double', required: false })),
    outputs: [{ name: 'churn_probability', type: 'double' }],
  };
}
