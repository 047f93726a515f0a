import type { Run } from '@cairn/core';
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

/** A run as sent over JSON: its latest metric values encoded; everything else is already JSON-safe. */
export type WireRun = Omit<Run, 'data'> & { data: Omit<Run['data'], 'metrics'> & { metrics: WireMetric[] } };

export function encodeRun(run: Run): WireRun {
  return { ...run, data: { ...run.data, metrics: run.data.metrics.map(encodeMetric) } };
}
