import type { Run } from '@cairn/core';
import type { DataColumn } from './runs-view-state.js';

const metricMaps = new WeakMap<Run, Map<string, number>>();

/** A run's latest value of a metric, or its param or tag value; undefined when it has none. */
export function cellValue(run: Run, column: DataColumn): string | number | undefined {
  if (column.group === 'params') return run.data.params[column.key];
  if (column.group === 'tags') return run.data.tags[column.key];
  let metrics = metricMaps.get(run);
  if (!metrics) {
    metrics = new Map(run.data.metrics.map((m) => [m.key, m.value]));
    metricMaps.set(run, metrics);
  }
  return metrics.get(column.key);
}

/** Where the run's code came from, in a few words: the entry point's file name. */
export function sourceLabel(run: Run): string {
  const entry = run.info.source.entryPoint ?? run.data.tags['mlflow.source.name'] ?? '';
  return entry.slice(entry.lastIndexOf('/') + 1);
}
