// The compare page's table: one row per param, metric or tag key, one column per run, and whether
// the runs disagree on it.

export interface ComparedRun {
  runId: string;
  params: Record<string, string>;
  metrics: Record<string, number>;
  tags: Record<string, string>;
}

export interface DiffRow {
  group: 'params' | 'metrics' | 'tags';
  key: string;
  /** One per run, in the runs' order; undefined where a run lacks the key. */
  values: Array<string | number | undefined>;
  /** The runs do not all have the same value (a missing value counts as different). */
  differs: boolean;
}

const same = (a: string | number | undefined, b: string | number | undefined) => a === b || (typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b));

/**
 * The rows of the diff table, params first, then metrics, then tags (system tags `mlflow.*` and
 * `cairn.*` left out unless `systemTags`), keys sorted within each group.
 */
export function diffRuns(runs: readonly ComparedRun[], options: { systemTags?: boolean } = {}): DiffRow[] {
  const rows: DiffRow[] = [];
  for (const group of ['params', 'metrics', 'tags'] as const) {
    const keys = new Set<string>();
    for (const r of runs) for (const k of Object.keys(r[group])) keys.add(k);
    for (const key of [...keys].sort()) {
      if (group === 'tags' && !options.systemTags && /^(mlflow|cairn)\./.test(key)) continue;
      const values = runs.map((r) => (r[group] as Record<string, string | number>)[key]);
      rows.push({ group, key, values, differs: values.some((v) => !same(v, values[0])) });
    }
  }
  return rows;
}
