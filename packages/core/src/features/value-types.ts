import { invalid } from '../errors.js';
import { parseIsoTime } from './micro-time.js';

/** The value types a feature, join key or request field can have. */
export const VALUE_TYPES = ['int32', 'int64', 'float32', 'float64', 'string', 'bool', 'timestamp'] as const;
export type ValueType = (typeof VALUE_TYPES)[number];

/**
 * A span of time as a string with units: `'90s'`, `'15m'`, `'2h'`, `'7d'`, `'1d12h'`. A bare
 * number is refused: `ttl: 14` could mean 14 ms or 14 days.
 */
export type Duration = string;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** How durations are written; every duration error says it. */
export const DURATION_SYNTAX = "a duration string: a whole number and a unit (ms, s, m, h, d or w), or several of them added together, e.g. '90s', '15m', '2h', '7d', '2w' or '1d12h'";

export function isValueType(v: unknown): v is ValueType {
  return typeof v === 'string' && (VALUE_TYPES as readonly string[]).includes(v);
}

/** Milliseconds in a {@link Duration}; `what` names it in the error. */
export function parseDuration(d: unknown, what: string): number {
  if (typeof d === 'number') throw invalid(`${what} must be ${DURATION_SYNTAX}; got the bare number ${d}, which has no unit (write e.g. '${d}d' or '${d}h').`);
  const text = typeof d === 'string' ? d.replace(/\s/g, '') : '';
  const parts = [...text.matchAll(/(\d+)(ms|s|m|h|d|w)/g)];
  if (!parts.length || parts.map((p) => p[0]).join('') !== text) throw invalid(`${what} ${typeof d === 'string' ? `'${d}'` : `(${describe(d)})`} is not a duration: use ${DURATION_SYNTAX}.`);
  const ms = parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_MS[p[2]!]!, 0);
  if (!(ms > 0) || !Number.isSafeInteger(ms)) throw invalid(`${what} '${d as string}' must be longer than zero and at most a few hundred thousand years.`);
  return ms;
}

/**
 * Epoch milliseconds from a timestamp given as epoch ms, a `Date` or an ISO-8601 string. Strings
 * without a zone are UTC (never the machine's local time). Microseconds in a string are kept as
 * the fraction of the result (see `micro-time.ts`).
 */
export function parseTimestamp(value: unknown, what: string): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.getTime();
  if (typeof value === 'string' && value.trim()) {
    const iso = parseIsoTime(value);
    if (iso !== null) return iso;
    const ms = Date.parse(value.trim());
    if (!Number.isNaN(ms)) return ms;
  }
  throw invalid(`${what} must be a timestamp (epoch milliseconds, a Date or an ISO-8601 string); got ${JSON.stringify(value)}.`);
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * An int64 as Cairn holds it: a number when it is a safe integer, else a BigInt (exact). Takes
 * numbers, BigInts and strings of digits (the way to send a value above 2^53 through JSON).
 */
function int64(value: unknown): number | bigint | null {
  let big: bigint;
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : null;
  if (typeof value === 'bigint') big = value;
  else if (typeof value === 'string' && /^-?\d{1,19}$/.test(value)) big = BigInt(value);
  else return null;
  if (big < INT64_MIN || big > INT64_MAX) return null;
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

/**
 * Checks a JS value against a value type and returns it in Cairn's in-memory form (numbers for
 * integers and floats, BigInts for int64 values beyond 2^53, epoch ms for timestamps).
 * `null`/`undefined` are null. Throws naming `what`.
 */
export function coerceValue(value: unknown, type: ValueType, what: string): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'int32': {
      const n = typeof value === 'bigint' && value >= -(2n ** 31n) && value < 2n ** 31n ? Number(value) : value;
      if (typeof n === 'number' && Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31) return n;
      break;
    }
    case 'int64': {
      const n = int64(value);
      if (n !== null) return n;
      if (typeof value === 'number' && Number.isInteger(value)) {
        throw invalid(`${what} is an int64 beyond 2^53 (${value}), which a JSON or JavaScript number cannot hold exactly; send it as a string of digits or a BigInt.`);
      }
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

/**
 * A value typed as text (a command-line `key=value`) read as `type`: `7` is the string "7" for a
 * string key and the number 7 for an int64 one; int64 digits beyond 2^53 stay exact; `null` is
 * null for every type but string. Throws naming `what`.
 */
export function valueFromText(text: string, type: ValueType, what: string): unknown {
  if (type === 'string') return text;
  if (text === 'null') return null;
  const bad = (expected: string) => invalid(`${what} is ${type}, so it must be ${expected}; got ${JSON.stringify(text)}.`);
  switch (type) {
    case 'int32':
    case 'int64':
      if (!/^-?\d+$/.test(text)) throw bad('a whole number');
      return coerceValue(type === 'int64' ? text : Number(text), type, what);
    case 'float32':
    case 'float64': {
      const n = text.trim() ? Number(text) : NaN;
      if (Number.isNaN(n) && !/^nan$/i.test(text)) throw bad('a number');
      return n;
    }
    case 'bool':
      if (!/^(true|false)$/i.test(text)) throw bad('true or false');
      return text.toLowerCase() === 'true';
    case 'timestamp':
      return coerceValue(/^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text, type, what);
  }
}

export function describe(v: unknown): string {
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'bigint') return `${v}n`;
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
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
