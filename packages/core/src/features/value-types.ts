import { invalid } from '../errors.js';

/** The value types a feature, join key or request field can have. */
export const VALUE_TYPES = ['int32', 'int64', 'float32', 'float64', 'string', 'bool', 'timestamp'] as const;
export type ValueType = (typeof VALUE_TYPES)[number];

/** A span of time: milliseconds, or a string such as `'90s'`, `'15m'`, `'2h'`, `'7d'`, `'1d12h'`. */
export type Duration = number | string;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export function isValueType(v: unknown): v is ValueType {
  return typeof v === 'string' && (VALUE_TYPES as readonly string[]).includes(v);
}

/** Milliseconds in a {@link Duration}; `what` names it in the error. */
export function parseDuration(d: Duration, what: string): number {
  if (typeof d === 'number') {
    if (!Number.isSafeInteger(d) || d <= 0) throw invalid(`${what} must be a positive whole number of milliseconds or a string like '2h'; got ${d}.`);
    return d;
  }
  const parts = typeof d === 'string' ? [...d.trim().matchAll(/(\d+)\s*(ms|s|m|h|d|w)/g)] : [];
  const joined = parts.map((p) => p[0]).join('');
  if (!parts.length || joined.replace(/\s/g, '') !== String(d).replace(/\s/g, '')) {
    throw invalid(`${what} '${String(d)}' is not a duration. Use milliseconds or e.g. '90s', '15m', '2h', '7d', '1d12h'.`);
  }
  const ms = parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_MS[p[2]!]!, 0);
  if (ms <= 0) throw invalid(`${what} must be longer than zero.`);
  return ms;
}

const HAS_ZONE = /(?:z|[+-]\d{2}(?::?\d{2})?)$/i;

/**
 * Epoch milliseconds from a timestamp given as epoch ms, a `Date` or an ISO-8601 string. Strings
 * without a zone are UTC (never the machine's local time).
 */
export function parseTimestamp(value: unknown, what: string): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.getTime();
  if (typeof value === 'string' && value.trim()) {
    let s = value.trim().replace(/^(\d{4}-\d{2}-\d{2})[ ](\d)/, '$1T$2');
    if (/T\d/.test(s) && !HAS_ZONE.test(s)) s += 'Z';
    const ms = Date.parse(s);
    if (!Number.isNaN(ms)) return ms;
  }
  throw invalid(`${what} must be a timestamp (epoch milliseconds, a Date or an ISO-8601 string); got ${JSON.stringify(value)}.`);
}

/**
 * Checks a JS value against a value type and returns it in Cairn's in-memory form (numbers for
 * integers and floats, epoch ms for timestamps). `null`/`undefined` are null. Throws naming `what`.
 */
export function coerceValue(value: unknown, type: ValueType, what: string): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'int32':
    case 'int64': {
      const n = typeof value === 'bigint' && value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
      if (typeof n === 'number' && Number.isSafeInteger(n) && (type === 'int64' || (n >= -(2 ** 31) && n < 2 ** 31))) return n;
      break;
    }
    case 'float32':
    case 'float64':
      if (typeof value === 'number') return value;
      break;
    case 'string':
      if (typeof value === 'string') return value;
      break;
    case 'bool':
      if (typeof value === 'boolean') return value;
      break;
    case 'timestamp':
      return parseTimestamp(value, what);
  }
  throw invalid(`${what} must be ${type === 'bool' ? 'a boolean' : `of type ${type}`}; got ${describe(value)}.`);
}

function describe(v: unknown): string {
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'bigint') return `${v}n`;
  return `${typeof v} ${String(v)}`;
}

/** The DuckDB column type that holds a value type. */
export const DUCKDB_TYPE: Record<ValueType, string> = {
  int32: 'INTEGER', int64: 'BIGINT', float32: 'FLOAT', float64: 'DOUBLE', string: 'VARCHAR', bool: 'BOOLEAN', timestamp: 'TIMESTAMPTZ',
};

/** The PostgreSQL column type that holds a value type. */
export const POSTGRES_TYPE: Record<ValueType, string> = {
  int32: 'integer', int64: 'bigint', float32: 'real', float64: 'double precision', string: 'text', bool: 'boolean', timestamp: 'timestamptz',
};

/** True for the types statistics treat as numbers (mean, quantiles, histogram). */
export const isNumericType = (t: ValueType): boolean => t === 'int32' || t === 'int64' || t === 'float32' || t === 'float64';
