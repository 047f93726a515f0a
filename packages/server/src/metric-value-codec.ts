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

/**
 * `JSON.stringify(metrics.map(encodeMetric))`, written directly: a history page can hold a million
 * points, and building the text skips an object per point and JSON.stringify's generic walk.
 */
export function metricListJson(metrics: readonly { key: string; value: number; timestamp: number; step: number }[]): string {
  let out = '[';
  // Pages of history share one key: encode it once.
  let key: string | undefined;
  let keyJson = '';
  for (let i = 0; i < metrics.length; i++) {
    const m = metrics[i]!;
    if (m.key !== key) {
      key = m.key;
      keyJson = JSON.stringify(key);
    }
    const v = m.value;
    // For finite numbers, JSON.stringify writes exactly what String() writes (-0 as 0).
    const value = Number.isFinite(v) ? String(v) : v > 0 ? '"Infinity"' : v < 0 ? '"-Infinity"' : '"NaN"';
    out += `${i ? ',' : ''}{"key":${keyJson},"value":${value},"timestamp":${m.timestamp},"step":${m.step}}`;
  }
  return `${out}]`;
}

/** A run as sent over JSON: its latest metric values encoded; everything else is already JSON-safe. */
export type WireRun = Omit<Run, 'data'> & { data: Omit<Run['data'], 'metrics'> & { metrics: WireMetric[] } };

export function encodeRun(run: Run): WireRun {
  return { ...run, data: { ...run.data, metrics: run.data.metrics.map(encodeMetric) } };
}
