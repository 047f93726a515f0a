// Strict JSON: what a step may return as a plain value. Anything JSON.stringify would silently change
// (a Date, a Map, NaN, undefined in an array) is refused with the path to it, so a result is never lost.

function describe(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'symbol') return 'a symbol';
  if (typeof v === 'bigint') return 'a bigint (convert it to a number or string)';
  if (typeof v === 'number') return `${v} (JSON has no NaN or Infinity)`;
  const name = (v as object).constructor?.name;
  return name ? `a ${name} instance (convert it to plain data${name === 'Date' ? ', e.g. date.toISOString()' : ''})` : 'an object with a custom prototype';
}

/** Why `value` is not plain JSON (naming the path, e.g. `model.weights[3]`), or null if it is. */
export function jsonProblem(value: unknown, path = 'value'): string | null {
  const seen = new Set<object>();
  const walk = (v: unknown, at: string): string | null => {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return null;
    if (typeof v === 'number') return Number.isFinite(v) ? null : `${at} is ${describe(v)}`;
    if (typeof v !== 'object') return `${at} is ${describe(v)}`;
    if (seen.has(v)) return `${at} refers back to an enclosing object (a cycle)`;
    seen.add(v);
    try {
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) {
          const p = walk(v[i], `${at}[${i}]`);
          if (p) return p;
        }
        return null;
      }
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) return `${at} is ${describe(v)}`;
      if (Object.getOwnPropertySymbols(v).length) return `${at} has symbol keys`;
      for (const [k, child] of Object.entries(v)) {
        const p = walk(child, /^[A-Za-z_$][\w$]*$/.test(k) ? `${at}.${k}` : `${at}[${JSON.stringify(k)}]`);
        if (p) return p;
      }
      return null;
    } finally {
      seen.delete(v);
    }
  };
  return walk(value, path);
}

/** JSON with object keys sorted at every level: equal values give equal text (and equal digests). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
}
