import type { FeatureStatus } from './entities.js';
import { isoTime } from './micro-time.js';

// JSON text of online answers, written directly (see `getOnlineFeaturesJson`). Every function here
// produces exactly what `JSON.stringify` would for the same values, except that an int64 beyond
// 2^53 (a BigInt) is written as its exact digits and a timestamp keeps its microseconds.

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;

/** JSON text of one value, as `JSON.stringify` writes it inside an array. */
export function valueJson(v: unknown): string {
  switch (typeof v) {
    case 'number': return Number.isFinite(v) ? String(v) : 'null';
    case 'boolean': return v ? 'true' : 'false';
    case 'string': return JSON.stringify(v);
    case 'undefined': return 'null';
    case 'bigint': return v.toString();
    default: return v === null ? 'null' : (JSON.stringify(v) ?? 'null');
  }
}

/**
 * A stored timestamp (epoch ms text, microseconds as the fraction) as the API returns it: an
 * ISO-8601 string, with six fraction digits when there are microseconds.
 */
export function timestampJson(text: string): string {
  const iso = text === 'null' ? null : isoTime(Number(text));
  return iso === null ? 'null' : `"${iso}"`;
}

/** Stored values parsed; an int64 beyond 2^53 comes back as an exact BigInt read from its digits. */
export function parseValues(json: string, int64Names: readonly string[]): Record<string, unknown> {
  const values = JSON.parse(json) as Record<string, unknown>;
  for (const name of int64Names) {
    const v = values[name];
    if (typeof v === 'number' && !Number.isSafeInteger(v)) values[name] = BigInt(valueTexts(json, [name])[0]!);
  }
  return values;
}

function endOfString(s: string, i: number): number {
  for (i++; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === QUOTE) return i + 1;
    if (c === BACKSLASH) i++;
  }
  throw new SyntaxError('Unterminated string in stored feature values');
}

/**
 * The JSON text of the values of `names` in a flat JSON object as `JSON.stringify` writes it (no
 * whitespace, scalar values), found by scanning rather than parsing; 'null' for a missing name.
 * Anything else is parsed and re-written.
 */
export function valueTexts(json: string, names: readonly string[]): string[] {
  const out = new Array<string>(names.length).fill('null');
  if (json.charCodeAt(0) !== OPEN_BRACE) return reparsed(json, names);
  // Values come in the order they were written, usually the view's: try the next name first.
  let next = 0;
  let i = 1;
  while (i < json.length) {
    let c = json.charCodeAt(i);
    if (c === CLOSE_BRACE) return out;
    if (c === COMMA) c = json.charCodeAt(++i);
    if (c !== QUOTE) return reparsed(json, names);
    const keyEnd = endOfString(json, i);
    let key = json.slice(i + 1, keyEnd - 1);
    if (key.includes('\\')) key = JSON.parse(`"${key}"`) as string;
    i = keyEnd + 1;
    const start = i;
    c = json.charCodeAt(i);
    if (c === QUOTE) i = endOfString(json, i);
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) return reparsed(json, names);
    else while (i < json.length && (c = json.charCodeAt(i)) !== COMMA && c !== CLOSE_BRACE) i++;
    const at = names[next] === key ? next : names.indexOf(key);
    if (at >= 0) {
      out[at] = json.slice(start, i);
      next = at + 1;
    }
  }
  return out;
}

function reparsed(json: string, names: readonly string[]): string[] {
  const values = JSON.parse(json) as Record<string, unknown>;
  return names.map((n) => (Object.hasOwn(values, n) ? (JSON.stringify(values[n]) ?? 'null') : 'null'));
}

function arrayJson(values: readonly unknown[]): string {
  let out = '[';
  for (let i = 0; i < values.length; i++) out += (i ? ',' : '') + valueJson(values[i]);
  return `${out}]`;
}

/** One output column: each entity's value as JSON text, and the view it comes from (null: on-demand). */
export interface OnlineColumnJson { values: string[]; view: number | null }

/**
 * `{featureNames, results}` as UTF-8 JSON. Statuses and event times belong to a view, so each
 * view's are written once and reused by its features (the caller passes on-demand outputs'
 * statuses as views of their own; a column without a view is PRESENT with null times). The answer is assembled from one small string per column: a single string of a large
 * answer (170 kB for 100 entities x 50 features) would land in V8's large-object space and bring
 * on full garbage collections.
 */
export function renderOnlineFeaturesJson(
  featureNames: string[], columns: OnlineColumnJson[], views: Array<{ statuses: FeatureStatus[]; eventTimestamps: Array<number | null> }>, entities: number,
): Buffer {
  const tails = new Map<number | null, string>();
  const tailOf = (view: number | null) => {
    let tail = tails.get(view);
    if (tail === undefined) {
      const v = view === null ? { statuses: new Array<string>(entities).fill('PRESENT'), eventTimestamps: new Array<null>(entities).fill(null) } : views[view]!;
      tails.set(view, (tail = `,"statuses":${arrayJson(v.statuses)},"eventTimestamps":${arrayJson(v.eventTimestamps)}}`));
    }
    return tail;
  };
  const parts = [Buffer.from(`{"featureNames":${JSON.stringify(featureNames)},"results":[`)];
  columns.forEach((c, i) => parts.push(Buffer.from(`${i ? ',' : ''}{"values":[${c.values.join(',')}]${tailOf(c.view)}`)));
  parts.push(Buffer.from(']}'));
  return Buffer.concat(parts);
}
