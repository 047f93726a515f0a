import { CairnError } from '../../errors.js';
import type { Metric, MetricSeries } from '../entities.js';

// Metric history is stored in packed segments (table `metric_segments`, docs/architecture.md): one row
// holds up to SEGMENT_MAX_POINTS points of one (run, key) as little-endian Float64 triples
// (step, timestamp, value), so NaN and ±Infinity keep their exact bits and a 100k-point read is a few
// rows and one copy instead of 100k materialized rows.

/** A new batch is merged into a key's last segment while that holds fewer points than this. */
export const SEGMENT_APPEND_BELOW = 256;
/** The most points one segment row holds. */
export const SEGMENT_MAX_POINTS = 8192;
/** Bytes per point: step, timestamp and value as Float64. */
export const POINT_BYTES = 24;

/** Points as consecutive (step, timestamp, value) triples. */
export type Points = Float64Array;

const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;

/** Packs metrics (all of one key) in their given order. */
export function packMetrics(metrics: readonly Metric[]): Points {
  const out = new Float64Array(metrics.length * 3);
  for (let i = 0, o = 0; i < metrics.length; i++, o += 3) {
    const m = metrics[i]!;
    out[o] = m.step;
    out[o + 1] = m.timestamp;
    out[o + 2] = m.value;
  }
  return out;
}

/**
 * History order: (step, timestamp, value) ascending, NaN below every number, so the last point is the
 * one `latest_metrics` holds. Returns 0 only for exact duplicates (NaN equals NaN, as MLflow's
 * primary key treats them).
 */
export function comparePoints(a: Points, i: number, b: Points, j: number): number {
  const x = i * 3;
  const y = j * 3;
  if (a[x] !== b[y]) return a[x]! < b[y]! ? -1 : 1;
  if (a[x + 1] !== b[y + 1]) return a[x + 1]! < b[y + 1]! ? -1 : 1;
  const v = a[x + 2]!;
  const w = b[y + 2]!;
  if (v < w) return -1;
  if (v > w) return 1;
  if (v === w) return 0;
  const vNaN = Number.isNaN(v);
  return vNaN === Number.isNaN(w) ? 0 : vNaN ? -1 : 1;
}

/**
 * The points in history order without exact duplicates. Already-ordered input (the normal case:
 * steps logged in order) is returned as is after one pass; otherwise a stable sort and a dedup pass.
 */
export function normalizePoints(p: Points): Points {
  const n = p.length / 3;
  let i = 1;
  while (i < n && comparePoints(p, i - 1, p, i) < 0) i++;
  if (i >= n) return p;
  const order = new Uint32Array(n);
  for (let k = 0; k < n; k++) order[k] = k;
  order.sort((a, b) => comparePoints(p, a, p, b) || a - b);
  const out = new Float64Array(n * 3);
  let m = 0;
  for (let k = 0; k < n; k++) {
    const src = order[k]!;
    if (m > 0 && comparePoints(out, m - 1, p, src) === 0) continue;
    out.set(p.subarray(src * 3, src * 3 + 3), m * 3);
    m++;
  }
  return out.subarray(0, m * 3);
}

/** Points `from` (inclusive) to `to` (exclusive) as a segment's bytes. */
export function encodeSegment(p: Points, from: number, to: number): Buffer {
  if (LITTLE_ENDIAN) return Buffer.from(p.buffer, p.byteOffset + from * POINT_BYTES, (to - from) * POINT_BYTES);
  const out = Buffer.allocUnsafe((to - from) * POINT_BYTES);
  for (let k = from * 3, o = 0; k < to * 3; k++, o += 8) out.writeDoubleLE(p[k]!, o);
  return out;
}

/**
 * Concatenates segments (in `seq` order) into one array of points. Each blob is copied into a fresh,
 * aligned Float64Array: database drivers hand out Buffers at any byte offset, which a Float64Array
 * view cannot start at.
 */
export function decodeSegments(segments: readonly { n: number; data: Uint8Array }[]): Points {
  let total = 0;
  for (const s of segments) {
    if (s.data.byteLength !== s.n * POINT_BYTES) {
      throw new CairnError('INTERNAL', `A metric history segment holds ${s.data.byteLength} bytes for ${s.n} points; the store is damaged.`);
    }
    total += s.n;
  }
  const out = new Float64Array(total * 3);
  const bytes = new Uint8Array(out.buffer);
  let at = 0;
  for (const s of segments) {
    if (LITTLE_ENDIAN) bytes.set(s.data, at);
    else {
      const view = new DataView(s.data.buffer, s.data.byteOffset, s.data.byteLength);
      for (let o = 0; o < s.data.byteLength; o += 8) out[(at + o) / 8] = view.getFloat64(o, true);
    }
    at += s.data.byteLength;
  }
  return out;
}

/** Appends `b`'s points after `a`'s. */
export function concatPoints(a: Points, b: Points): Points {
  const out = new Float64Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Points `offset` to `offset + limit` as a series of `key`. */
export function toSeries(key: string, p: Points, offset: number, limit: number): MetricSeries {
  const n = Math.max(0, Math.min(p.length / 3, offset + limit) - offset);
  const series = { key, steps: new Float64Array(n), timestamps: new Float64Array(n), values: new Float64Array(n) };
  for (let i = 0, k = offset * 3; i < n; i++, k += 3) {
    series.steps[i] = p[k]!;
    series.timestamps[i] = p[k + 1]!;
    series.values[i] = p[k + 2]!;
  }
  return series;
}
