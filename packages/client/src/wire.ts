import type { Metric, Run } from '@cairn/core';

/** A metric as it travels in JSON: non-finite values are the strings protobuf JSON uses. */
export interface WireMetric {
  key: string;
  value: number | string;
  timestamp: number;
  step: number;
}

export interface WireRun extends Omit<Run, 'data'> {
  data: Omit<Run['data'], 'metrics'> & { metrics: WireMetric[] };
}

/** JSON has no NaN or ±Infinity, so they are sent as "NaN", "Infinity" and "-Infinity". */
export function encodeValue(value: number): number | string {
  return Number.isFinite(value) ? value : String(value);
}

export function decodeValue(value: number | string): number {
  if (typeof value === 'number') return value;
  if (value === 'NaN') return Number.NaN;
  if (value === 'Infinity') return Number.POSITIVE_INFINITY;
  if (value === '-Infinity') return Number.NEGATIVE_INFINITY;
  // A server may quote any double (protobuf JSON allows it); anything else is a protocol error worth seeing.
  const n = Number(value);
  if (value.trim() === '' || Number.isNaN(n)) throw new TypeError(`Server sent metric value ${JSON.stringify(value)}, which is not a number.`);
  return n;
}

export function encodeMetric(m: Metric): WireMetric {
  return { key: m.key, value: encodeValue(m.value), timestamp: m.timestamp, step: m.step };
}

export function decodeMetric(m: WireMetric): Metric {
  return { key: m.key, value: decodeValue(m.value), timestamp: m.timestamp, step: m.step };
}

export function decodeRun(run: WireRun): Run {
  return { ...run, data: { ...run.data, metrics: run.data.metrics.map(decodeMetric) } };
}
