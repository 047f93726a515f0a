import { sql, type Transaction } from 'kysely';
import type { Database, MetricSegmentRow } from '../../db/schema.js';
import type { Metric } from '../entities.js';
import {
  POINT_BYTES,
  SEGMENT_APPEND_BELOW,
  SEGMENT_MAX_POINTS,
  comparePoints,
  concatPoints,
  decodeSegments,
  encodeSegment,
  normalizePoints,
  packMetrics,
  type Points,
} from './metric-segments.js';
import { toMetricRow } from './row-mappers.js';

// Rows per INSERT … VALUES for the latest-value upsert (6 bind parameters each, far below both limits).
const ROWS_PER_UPSERT = 5000;
// Keys per VALUES list when looking up last segments.
const KEYS_PER_LOOKUP = 500;
// Segment rows per upsert statement, and a bound on the bytes one statement carries.
const SEGMENTS_PER_UPSERT = 500;
const BYTES_PER_UPSERT = 16 * 1024 * 1024;

/** MLflow's order for "latest": the greatest (step, timestamp, value). NaN never beats a number. */
export function isNewer(a: Metric, b: Metric): boolean {
  if (a.step !== b.step) return a.step > b.step;
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp;
  if (Number.isNaN(a.value)) return false;
  return Number.isNaN(b.value) || a.value > b.value;
}

export function latestPerKey(metrics: Metric[]): Metric[] {
  const latest = new Map<string, Metric>();
  for (const m of metrics) {
    const cur = latest.get(m.key);
    if (!cur || isNewer(m, cur)) latest.set(m.key, m);
  }
  return [...latest.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * Appends history and moves each key's latest value forward, never backward. Runs inside the
 * batch's transaction. `latest` must hold one metric per key of `metrics`, sorted by key.
 */
export async function writeMetrics(trx: Transaction<Database>, runId: string, metrics: Metric[], latest: Metric[]): Promise<void> {
  // First, because on PostgreSQL the upsert locks each key's latest_metrics row (in key order, so no
  // deadlocks) until commit: concurrent batches on the same (run, key) then read and rewrite its last
  // segment one after another. SQLite writers are serialized by BEGIN IMMEDIATE anyway.
  await upsertLatest(trx, runId, latest);
  await appendHistory(trx, runId, metrics, latest.map((m) => m.key));
}

// The write statements are SQL templates rather than query-builder chains: they run for every batch,
// and building one with the builder costs more than SQLite takes to execute it.
async function upsertLatest(trx: Transaction<Database>, runId: string, latest: Metric[]): Promise<void> {
  for (let i = 0; i < latest.length; i += ROWS_PER_UPSERT) {
    const rows = latest.slice(i, i + ROWS_PER_UPSERT).map((m) => {
      const r = toMetricRow(runId, m);
      return sql`(${r.run_uuid}, ${r.key}, ${r.value}, ${r.timestamp}, ${r.step}, ${r.is_nan})`;
    });
    await sql`insert into latest_metrics (run_uuid, key, value, timestamp, step, is_nan) values ${sql.join(rows)}
      on conflict (run_uuid, key) do update
        set value = excluded.value, timestamp = excluded.timestamp, step = excluded.step, is_nan = excluded.is_nan
        where excluded.step > latest_metrics.step
          or (excluded.step = latest_metrics.step and excluded.timestamp > latest_metrics.timestamp)
          or (excluded.step = latest_metrics.step and excluded.timestamp = latest_metrics.timestamp
              and excluded.is_nan = 0 and (latest_metrics.is_nan = 1 or excluded.value > latest_metrics.value))`.execute(trx);
  }
}

interface Tail {
  seq: number;
  n: number;
  /** The segment's last point: its 24 bytes. */
  last: Buffer;
  /** All of its bytes, when it is small enough to extend. */
  data: Buffer | null;
}

/**
 * Each key's new points go into its last segment while that one is small (read, merged in history
 * order, rewritten), and otherwise into new segments of at most SEGMENT_MAX_POINTS. So single-point
 * writes fill segments of about SEGMENT_APPEND_BELOW points, and large batches write whole segments
 * without reading anything back. Points that do not sort after the last stored one (a retried
 * batch, a late point) are merged into the last segment whatever its size, so a retried batch leaves
 * the history in order and reads keep their no-sort path; a point older than the whole last segment
 * still leaves it out of order, and reads sort. Exact duplicates are dropped within what is
 * rewritten; reads drop any others.
 */
async function appendHistory(trx: Transaction<Database>, runId: string, metrics: Metric[], keys: string[]): Promise<void> {
  const byKey = new Map<string, Metric[]>();
  for (const m of metrics) {
    const list = byKey.get(m.key);
    if (list) list.push(m);
    else byKey.set(m.key, [m]);
  }
  const tails = await lastSegments(trx, runId, keys);
  const rows: MetricSegmentRow[] = [];
  for (const key of keys) {
    let points: Points = normalizePoints(packMetrics(byKey.get(key)!));
    const tail = tails.get(key);
    let seq = tail ? tail.seq + 1 : 0;
    let data = tail?.data ?? null;
    if (tail && !data && comparePoints(points, 0, decodeSegments([{ n: 1, data: tail.last }]), 0) <= 0) {
      data = await segmentData(trx, runId, key, tail.seq);
    }
    if (tail && data) {
      points = normalizePoints(concatPoints(decodeSegments([{ n: tail.n, data }]), points));
      seq = tail.seq;
    }
    const n = points.length / 3;
    for (let from = 0; from < n; from += SEGMENT_MAX_POINTS) {
      const to = Math.min(n, from + SEGMENT_MAX_POINTS);
      rows.push({ run_uuid: runId, key, seq: seq++, n: to - from, min_step: points[from * 3]!, max_step: points[(to - 1) * 3]!, data: encodeSegment(points, from, to) });
    }
  }
  await upsertSegments(trx, rows);
}

/** The last segment of each key: its seq, size and last point, and its bytes when it is small enough to extend. */
async function lastSegments(trx: Transaction<Database>, runId: string, keys: string[]): Promise<Map<string, Tail>> {
  const out = new Map<string, Tail>();
  for (let i = 0; i < keys.length; i += KEYS_PER_LOOKUP) {
    const chunk = keys.slice(i, i + KEYS_PER_LOOKUP);
    // Driven by the keys: one index seek for each key's max(seq), then one for its row, however
    // many segments the history already has (`column1` names a VALUES column on both databases).
    const { rows } = await sql<Tail & { key: string }>`
      select s.key, s.seq, s.n, substr(s.data, (s.n - 1) * ${sql.lit(POINT_BYTES)} + 1, ${sql.lit(POINT_BYTES)}) as last,
        case when s.n < ${sql.lit(SEGMENT_APPEND_BELOW)} then s.data end as data
      from metric_segments s
      where s.run_uuid = ${runId} and (s.key, s.seq) in (
        select k.column1, (select max(t.seq) from metric_segments t where t.run_uuid = ${runId} and t.key = k.column1)
        from (values ${sql.join(chunk.map((k) => sql`(${k})`))}) as k)`.execute(trx);
    for (const r of rows) out.set(r.key, { seq: r.seq, n: r.n, last: r.last, data: r.data });
  }
  return out;
}

async function segmentData(trx: Transaction<Database>, runId: string, key: string, seq: number): Promise<Buffer> {
  const row = await trx.selectFrom('metric_segments').select('data').where('run_uuid', '=', runId).where('key', '=', key).where('seq', '=', seq).executeTakeFirstOrThrow();
  return row.data;
}

async function upsertSegments(trx: Transaction<Database>, rows: MetricSegmentRow[]): Promise<void> {
  let start = 0;
  while (start < rows.length) {
    let end = start;
    let bytes = 0;
    while (end < rows.length && end - start < SEGMENTS_PER_UPSERT && (end === start || bytes + rows[end]!.data.byteLength <= BYTES_PER_UPSERT)) {
      bytes += rows[end]!.data.byteLength;
      end++;
    }
    const values = rows.slice(start, end).map((r) => sql`(${r.run_uuid}, ${r.key}, ${r.seq}, ${r.n}, ${r.min_step}, ${r.max_step}, ${r.data})`);
    await sql`insert into metric_segments (run_uuid, key, seq, n, min_step, max_step, data) values ${sql.join(values)}
      on conflict (run_uuid, key, seq) do update
        set n = excluded.n, min_step = excluded.min_step, max_step = excluded.max_step, data = excluded.data`.execute(trx);
    start = end;
  }
}
