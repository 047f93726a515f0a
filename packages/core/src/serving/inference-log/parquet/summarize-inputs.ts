import type { DuckDBConnection } from '@duckdb/node-api';
import { DEFAULT_SAMPLE_SIZE, type CategoricalInputSummary, type InputSummary, type InputSummarySpec, type NumericInputSummary, type NumericSummarySpec } from '../input-summary.js';
import { copyDoubles } from './duckdb-vectors.js';

const ident = (s: string): string => `"${s.replaceAll('"', '""')}"`;
const text = (s: string): string => `'${s.replaceAll("'", "''")}'`;
// Doubles written as text and parsed by DuckDB: exact (a bare 0.1 would be a DECIMAL).
const double = (x: number): string => `${text(String(x))}::DOUBLE`;
const finite = (x: number | null): x is number => x !== null && Number.isFinite(x);
const FLOATING = new Set(['DOUBLE', 'FLOAT', 'REAL', 'DECIMAL']);
const INTEGRAL = /^(U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?|INTEGER|BIGINT|HUGEINT)$/;

/**
 * The summary `summarizeRows` computes, computed by DuckDB over the log's Parquet files: one
 * aggregate pass (present, out-of-range, the live CDF at each training percentile as a histogram
 * over those percentiles, counts of the known categories) and one evenly spread sample of rows for
 * the KS statistic between percentiles. Values are read the way the in-memory summary reads them:
 * text that spells a finite number counts for a numeric feature, a number's category is its
 * shortest decimal text.
 */
export async function summarizeInDuckDb(conn: DuckDBConnection, source: string, where: string, prefix: string, spec: InputSummarySpec): Promise<InputSummary> {
  const types = new Map<string, string>();
  for (const [name, type] of (await conn.runAndReadAll(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM ${source})`)).getRows()) types.set(String(name), String(type));
  const select: string[] = ['count(*) AS n'];
  const numeric: Array<{ spec: NumericSummarySpec; x: string; at: number }> = [];
  const categorical: Array<{ name: string; at: number; known: string[]; numbers: boolean }> = [];
  for (const f of spec.numeric) {
    const type = types.get(prefix + f.name);
    if (!type) continue;
    const x = asNumber(ident(prefix + f.name), type);
    // One histogram over the percentiles and the range's ends: each value is counted at the
    // smallest boundary >= it, so the count at or below any boundary gives the live CDF at each
    // percentile, the values below `lo` (at or below the double before it) and those above `hi`.
    const boundaries = [...new Set([...(f.percentiles ?? []), ...(finite(f.lo) ? [nextDown(f.lo)] : []), ...(finite(f.hi) ? [f.hi] : [])])].sort((a, b) => a - b);
    const at = select.length;
    select.push(`count(${x})`, boundaries.length ? `histogram(${x}, [${boundaries.map(double).join(', ')}])` : 'NULL');
    numeric.push({ spec: f, x, at });
  }
  for (const f of spec.categorical) {
    const type = types.get(prefix + f.name);
    if (!type) continue;
    const col = ident(prefix + f.name);
    const numbers = FLOATING.has(type.replace(/\(.*/, '')) || INTEGRAL.test(type);
    // A number column holds the categories that are numbers' shortest text; other columns compare as text.
    const v = numbers ? `CASE WHEN isfinite(${col}::DOUBLE) THEN ${col}::DOUBLE END` : type === 'VARCHAR' ? col : `${col}::VARCHAR`;
    const literal = (name: string): string | null => (!numbers ? text(name) : Number.isFinite(Number(name)) && String(Number(name)) === name ? double(Number(name)) : null);
    const list = (names: string[]) => names.map(literal).filter((l): l is string => l !== null);
    const known = list(f.known);
    const at = select.length;
    select.push(`count(${v})`, known.length ? `histogram(${v}) FILTER (WHERE ${v} IN (${known.join(', ')}))` : 'NULL');
    if (f.allowed) {
      const allowed = list(f.allowed);
      select.push(allowed.length ? `count(*) FILTER (WHERE ${v} IS NOT NULL AND ${v} NOT IN (${allowed.join(', ')}))` : `count(${v})`);
    } else select.push('0');
    categorical.push({ name: f.name, at, known: f.known, numbers });
  }
  const row = (await conn.runAndReadAll(`SELECT ${select.join(', ')} FROM ${source} WHERE ${where}`)).getRows()[0]!;
  const rows = Number(row[0]);
  const out: InputSummary = { rows, features: new Map() };
  const withPercentiles = numeric.filter((f) => f.spec.percentiles);
  const samples = withPercentiles.length && rows ? await sampleRows(conn, source, where, withPercentiles.map((f) => f.x), rows, spec.sampleSize ?? DEFAULT_SAMPLE_SIZE) : [];
  numeric.forEach((f) => {
    const present = Number(row[f.at]);
    const f0 = f.spec;
    const atOrBelow = cumulative(mapEntries(row[f.at + 1]));
    const below = finite(f0.lo) ? atOrBelow(nextDown(f0.lo)) : 0;
    const above = finite(f0.hi) ? present - atOrBelow(f0.hi) : 0;
    const summary: NumericInputSummary = { kind: 'numeric', present, outside: below + above, live: null };
    if (f0.percentiles && present) {
      const cdfAtReference = Float64Array.from(f0.percentiles, (p) => atOrBelow(p) / present);
      summary.live = { n: present, cdfAtReference, sample: samples[withPercentiles.indexOf(f)]! };
    }
    out.features.set(f0.name, summary);
  });
  for (const f of categorical) {
    const present = Number(row[f.at]);
    const byValue = new Map<string, number>();
    for (const [value, count] of mapEntries(row[f.at + 1])) byValue.set(String(value), count);
    const counts = f.known.map((name) => byValue.get(name) ?? 0);
    const seen = counts.reduce((a, b) => a + b, 0);
    const summary: CategoricalInputSummary = { kind: 'categorical', present, counts, unseen: present - seen, disallowed: Number(row[f.at + 2]) };
    out.features.set(f.name, summary);
  }
  return out;
}

// The count of values at or below a boundary, from the histogram's [boundary, count] pairs.
function cumulative(entries: Array<[unknown, number]>): (boundary: number) => number {
  const sorted = entries.map(([k, n]) => [Number(k), n] as const).sort((a, b) => a[0] - b[0]);
  return (boundary) => {
    let total = 0;
    for (const [k, n] of sorted) {
      if (k > boundary) break;
      total += n;
    }
    return total;
  };
}

// The largest double below x (x finite).
function nextDown(x: number): number {
  if (x === 0) return -Number.MIN_VALUE;
  const bits = new BigInt64Array(Float64Array.of(x).buffer);
  bits[0]! += x > 0 ? -1n : 1n;
  return new Float64Array(bits.buffer)[0]!;
}

// A column read as the number it holds or spells (null for anything else).
function asNumber(col: string, type: string): string {
  if (type === 'DOUBLE') return `CASE WHEN isfinite(${col}) THEN ${col} END`;
  if (FLOATING.has(type.replace(/\(.*/, '')) || INTEGRAL.test(type)) return `CASE WHEN isfinite(${col}::DOUBLE) THEN ${col}::DOUBLE END`;
  if (type === 'VARCHAR') return `CASE WHEN isfinite(TRY_CAST(trim(${col}) AS DOUBLE)) THEN TRY_CAST(trim(${col}) AS DOUBLE) END`;
  return 'NULL::DOUBLE';
}

// A DuckDB MAP as [key, count] pairs (the node API hands it over as entries or as a plain object).
function mapEntries(value: unknown): Array<[unknown, number]> {
  if (value === null || value === undefined) return [];
  const entries = (value as { entries?: unknown }).entries;
  const list = Array.isArray(entries) ? entries : Array.isArray(value) ? value : [];
  return (list as Array<{ key: unknown; value: unknown }>).map((e) => [e.key, Number(e.value)]);
}

// About `size` rows spread evenly over the window (picked by a hash of request id and row, so the
// same rows whatever the files' order), each expression's present values sorted.
async function sampleRows(conn: DuckDBConnection, source: string, where: string, xs: string[], rows: number, size: number): Promise<Float64Array[]> {
  const stride = Math.max(1, Math.ceil(rows / size));
  const pick = stride > 1 ? ` AND hash(request_id, row_index) % ${stride} = 0` : '';
  const result = await conn.run(`SELECT ${xs.join(', ')} FROM ${source} WHERE ${where}${pick}`);
  const cols = xs.map(() => [] as Float64Array[]);
  for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    for (let j = 0; j < xs.length; j++) {
      const part = new Float64Array(chunk.rowCount);
      copyDoubles(chunk.getColumnVector(j) as unknown as { getItem(i: number): unknown }, part, 0, chunk.rowCount);
      cols[j]!.push(part);
    }
  }
  return cols.map((parts) => {
    const present: number[] = [];
    for (const p of parts) for (const v of p) if (v === v) present.push(v);
    return Float64Array.from(present).sort();
  });
}
