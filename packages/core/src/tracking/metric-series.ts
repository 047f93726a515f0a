import type { Metric, MetricSeries } from './entities.js';

/** A series as one object per point. */
export function seriesToMetrics(series: MetricSeries): Metric[] {
  const { key, steps, timestamps, values } = series;
  const out = new Array<Metric>(steps.length);
  for (let i = 0; i < steps.length; i++) out[i] = { key, value: values[i]!, timestamp: timestamps[i]!, step: steps[i]! };
  return out;
}
