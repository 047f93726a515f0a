/**
 * Rows to score, as the scoring protocol delivers them: named columns (a table), or positional
 * rows when the caller sent plain lists (a tensor). `rows[i][j]` is column j of row i.
 */
export interface Frame {
  /** Column names; null for positional rows (`instances: [[…], …]`). */
  columns: string[] | null;
  rows: unknown[][];
}

/** A frame's row `i` as an object keyed by column name. */
export function rowObject(frame: Frame, i: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const row = frame.rows[i]!;
  frame.columns?.forEach((c, j) => {
    out[c] = row[j] ?? null;
  });
  return out;
}

/** Index of each column by name. */
export function columnIndex(frame: Frame): Map<string, number> {
  return new Map((frame.columns ?? []).map((c, j) => [c, j]));
}
