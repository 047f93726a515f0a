// Turns feature rows into the numeric matrix the model trains on: numeric features standardized
// with the training set's mean and spread (a missing value becomes the mean), categorical ones
// one-hot encoded over the values seen in training. The encoder is saved with the model, so
// scoring encodes exactly as training did.

export interface Encoder {
  numeric: Array<{ name: string; mean: number; std: number }>;
  categorical: Array<{ name: string; values: string[] }>;
}

type FeatureRow = Record<string, unknown>;

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'bigint' ? Number(v) : null);

export function fitEncoder(rows: FeatureRow[], numeric: string[], categorical: string[]): Encoder {
  return {
    numeric: numeric.map((name) => {
      const xs = rows.map((r) => num(r[name])).filter((v): v is number => v !== null);
      const mean = xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
      const variance = xs.length ? xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length : 0;
      return { name, mean, std: Math.sqrt(variance) || 1 };
    }),
    categorical: categorical.map((name) => ({ name, values: [...new Set(rows.map((r) => r[name]).filter((v): v is string => typeof v === 'string'))].sort() })),
  };
}

export function encodeRow(encoder: Encoder, row: FeatureRow): number[] {
  const out: number[] = [];
  for (const f of encoder.numeric) {
    const v = num(row[f.name]);
    out.push(v === null ? 0 : (v - f.mean) / f.std);
  }
  for (const f of encoder.categorical) for (const value of f.values) out.push(row[f.name] === value ? 1 : 0);
  return out;
}

export function encodeRows(encoder: Encoder, rows: FeatureRow[]): number[][] {
  return rows.map((r) => encodeRow(encoder, r));
}

/** Names of the encoded columns, in order (`region=south` for one-hot columns). */
export function encodedColumns(encoder: Encoder): string[] {
  return [...encoder.numeric.map((f) => f.name), ...encoder.categorical.flatMap((f) => f.values.map((v) => `${f.name}=${v}`))];
}
