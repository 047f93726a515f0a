import type { MetricSeries, Run } from '@cairn/core';
import { z } from 'zod';

/**
 * How metric values cross JSON, which has no NaN or infinities: finite values are numbers, the
 * others the strings protobuf's JSON mapping uses. Requests and responses use the same encoding.
 */
export type WireMetricValue = number | 'NaN' | 'Infinity' | '-Infinity';

export const NON_FINITE = ['NaN', 'Infinity', '-Infinity'] as const;

export function encodeMetricValue(value: number): WireMetricValue {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  return value;
}

export function decodeMetricValue(value: WireMetricValue): number {
  return typeof value === 'number' ? value : Number(value);
}

/** Accepts a finite JSON number or one of the three strings; parses to a JavaScript number. */
export const metricValueSchema = z
  .union([z.number(), z.enum(NON_FINITE)], { error: `must be a finite number or one of the strings "NaN", "Infinity", "-Infinity"` })
  .transform(decodeMetricValue);

/** A metric as sent over JSON. */
export interface WireMetric {
  key: string;
  value: WireMetricValue;
  timestamp: number;
  step: number;
}

export function encodeMetric(m: { key: string; value: number; timestamp: number; step: number }): WireMetric {
  return { key: m.key, value: encodeMetricValue(m.value), timestamp: m.timestamp, step: m.step };
}

const TIMESTAMP = Buffer.from(',"timestamp":');
const STEP = Buffer.from(',"step":');
// The longest a point can be besides its key: value (24 characters at most, e.g.
// -1.2345678901234567e-308), timestamp and step (17 each), punctuation and field names (23).
const POINT_MAX_BYTES = 96;

// Values are formatted this many at a time.
const VALUE_CHUNK = 4096;

/**
 * `prefix + JSON.stringify(metrics.map(encodeMetric)) + suffix` for the metrics of a series, as
 * UTF-8 written straight into a Buffer: a history page can hold a million points, and this skips an
 * object per point, JSON's generic walk and the string-to-bytes pass. Values are formatted by
 * JSON.stringify over a chunk of them at once (what it writes for a finite number is what it would
 * write inside the object, with no string per value); timestamps and steps digit by digit.
 */
export function metricSeriesJson(series: MetricSeries, prefix = '', suffix = ''): Buffer {
  const { steps, timestamps, values } = series;
  const head = Buffer.from(`{"key":${JSON.stringify(series.key)},"value":`);
  const tail = `]${suffix}`;
  const n = steps.length;
  const buf = Buffer.allocUnsafe(Buffer.byteLength(prefix) + Buffer.byteLength(tail) + 1 + n * (head.length + POINT_MAX_BYTES));
  let pos = buf.write(prefix, 0);
  buf[pos++] = 0x5b; // [
  for (let start = 0; start < n; start += VALUE_CHUNK) {
    const end = Math.min(n, start + VALUE_CHUNK);
    // `[v,v,…]`, with `null` for NaN and ±Infinity.
    const text = JSON.stringify(Array.from(values.subarray(start, end)));
    let t = 1;
    for (let i = start; i < end; i++) {
      if (i) buf[pos++] = 0x2c; // ,
      buf.set(head, pos);
      pos += head.length;
      const v = values[i]!;
      if (Number.isFinite(v)) {
        for (let c = text.charCodeAt(t++); c !== 0x2c && c !== 0x5d; c = text.charCodeAt(t++)) buf[pos++] = c;
      } else {
        t += 5; // null,
        pos += buf.write(v > 0 ? '"Infinity"' : v < 0 ? '"-Infinity"' : '"NaN"', pos, 'latin1');
      }
      buf.set(TIMESTAMP, pos);
      pos += TIMESTAMP.length;
      pos = writeInteger(buf, pos, timestamps[i]!);
      buf.set(STEP, pos);
      pos += STEP.length;
      pos = writeInteger(buf, pos, steps[i]!);
      buf[pos++] = 0x7d; // }
    }
  }
  pos += buf.write(tail, pos);
  return buf.subarray(0, pos);
}

/** Writes a safe integer's decimal digits as String() would (-0 as 0); returns the new position. */
function writeInteger(buf: Buffer, pos: number, v: number): number {
  if (v < 0) {
    buf[pos++] = 0x2d; // -
    v = -v;
  }
  if (v < 2_147_483_648) return writeDigits(buf, pos, v | 0, 0);
  // Above int32, a high part and nine low digits keep the arithmetic on small integers.
  let high = Math.floor(v / 1e9);
  let low = v - high * 1e9;
  if (low < 0) {
    high -= 1;
    low += 1e9;
  } else if (low >= 1e9) {
    high += 1;
    low -= 1e9;
  }
  pos = writeDigits(buf, pos, high, 0);
  return writeDigits(buf, pos, low, 9);
}

/** `x`'s digits, left-padded with zeros to `width`. */
function writeDigits(buf: Buffer, pos: number, x: number, width: number): number {
  let len = 1;
  for (let p = 10; p <= x; p *= 10) len++;
  if (len < width) len = width;
  for (let i = pos + len - 1; i >= pos; i--) {
    const q = (x / 10) | 0;
    buf[i] = 0x30 + x - q * 10;
    x = q;
  }
  return pos + len;
}

/** A run as sent over JSON: its latest metric values encoded; everything else is already JSON-safe. */
export type WireRun = Omit<Run, 'data'> & { data: Omit<Run['data'], 'metrics'> & { metrics: WireMetric[] } };

export function encodeRun(run: Run): WireRun {
  return { ...run, data: { ...run.data, metrics: run.data.metrics.map(encodeMetric) } };
}
