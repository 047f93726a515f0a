// Positions for the compare page's plots: numbers on a linear scale, anything else as categories.

export type Scale = (v: string | number | undefined) => number | null;

/**
 * A scale from values to [0, 1]: linear when every present value is a finite number (params are
 * strings, so "0.1" counts as a number), otherwise evenly spaced categories in sorted order.
 * Missing values map to null.
 */
export function makeScale(values: ReadonlyArray<string | number | undefined>): { scale: Scale; numeric: boolean; ticks: Array<{ at: number; label: string }> } {
  const present = values.filter((v): v is string | number => v !== undefined && v !== '');
  const nums = present.map((v) => (typeof v === 'number' ? v : Number(v)));
  const numeric = present.length > 0 && nums.every((n) => Number.isFinite(n));
  if (numeric) {
    const min = Math.min(...nums);
    const max = Math.max(...nums);
    const span = max - min || 1;
    const scale: Scale = (v) => (v === undefined || v === '' ? null : (Number(v) - (max === min ? min - 0.5 : min)) / (max === min ? 1 : span));
    const ticks = max === min ? [{ at: 0.5, label: String(min) }] : [{ at: 0, label: String(Number(min.toPrecision(4))) }, { at: 1, label: String(Number(max.toPrecision(4))) }];
    return { scale, numeric, ticks };
  }
  const cats = [...new Set(present.map(String))].sort();
  const pos = new Map(cats.map((c, i) => [c, cats.length === 1 ? 0.5 : i / (cats.length - 1)]));
  return { scale: (v) => (v === undefined ? null : (pos.get(String(v)) ?? null)), numeric, ticks: cats.map((c) => ({ at: pos.get(c)!, label: c })) };
}
