import { invalid } from '../errors.js';
import { RUN_STATUSES, type Metric, type RunStatus } from './entities.js';

// Limits shared by every surface. MLflow's REST layer applies its own (smaller) batch limits on top.
export const LIMITS = {
  keyLength: 250,
  paramValueLength: 6000,
  tagValueLength: 5000,
  nameLength: 500,
  batchMetrics: 100_000,
  batchParams: 1000,
  batchTags: 1000,
} as const;

/** Strings must survive a round trip through both databases byte for byte. */
export function checkText(value: unknown, field: string, maxLength: number, allowEmpty = true): string {
  if (typeof value !== 'string') throw invalid(`'${field}' must be a string, got ${describe(value)}.`, { field });
  if (!allowEmpty && value.length === 0) throw invalid(`'${field}' must not be empty.`, { field });
  if (value.length > maxLength) {
    throw invalid(`'${field}' is ${value.length} characters long; the limit is ${maxLength}.`, { field });
  }
  if (value.includes('\u0000')) throw invalid(`'${field}' contains a NUL character, which cannot be stored.`, { field });
  if (!value.isWellFormed()) throw invalid(`'${field}' contains an unpaired UTF-16 surrogate; send valid Unicode.`, { field });
  return value;
}

export function checkKey(key: unknown, field: string): string {
  const k = checkText(key, field, LIMITS.keyLength, false);
  if (/[\u0000-\u001f\u007f]/.test(k)) throw invalid(`'${field}' must not contain control characters.`, { field });
  return k;
}

export function checkSafeInteger(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw invalid(`'${field}' must be an integer between ${Number.MIN_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER}, got ${describe(value)}.`, { field });
  }
  return value;
}

/**
 * A metric as stored. `validKeys` holds keys this batch already accepted: a batch repeats a few
 * keys thousands of times, so each is checked once. Field names are built only for a refusal.
 */
export function checkMetric(m: Metric, index?: number, validKeys?: Set<string>): Metric {
  const key = m.key;
  if (!validKeys?.has(key)) {
    checkKey(key, `${metricAt(index)}.key`);
    validKeys?.add(key);
  }
  if (typeof m.value !== 'number') throw invalid(`'${metricAt(index)}.value' must be a number (NaN and ±Infinity allowed), got ${describe(m.value)}.`);
  const step = m.step ?? 0;
  if (!Number.isSafeInteger(m.timestamp)) checkSafeInteger(m.timestamp, `${metricAt(index)}.timestamp`);
  if (!Number.isSafeInteger(step)) checkSafeInteger(step, `${metricAt(index)}.step`);
  return { key, value: m.value, timestamp: m.timestamp, step };
}

const metricAt = (index?: number) => (index === undefined ? 'metric' : `metrics[${index}]`);

export function checkStatus(status: unknown): RunStatus {
  if (typeof status !== 'string' || !(RUN_STATUSES as readonly string[]).includes(status)) {
    throw invalid(`Run status must be one of ${RUN_STATUSES.join(', ')}, got ${describe(status)}.`);
  }
  return status as RunStatus;
}

export function checkCount(n: number, max: number, what: string): void {
  if (n > max) throw invalid(`A batch may hold at most ${max} ${what}; got ${n}. Split it into several batches.`);
}

function describe(v: unknown): string {
  if (typeof v === 'string') return `'${v.length > 40 ? `${v.slice(0, 40)}…` : v}'`;
  if (v === null) return 'null';
  if (typeof v === 'number') return String(v);
  return typeof v;
}
