// Turning a model's monitoring overview into the series its charts draw (x in seconds, uPlot's time unit).
import type { MonitoringOverview } from '@cairn/core';
import { seriesColor } from '../components/chart-data.js';
import type { ChartSeries } from '../components/metric-chart.js';

/** A chart draws at most this many series; the ones with the highest latest value are kept. */
export const MAX_SERIES_PER_CHART = 8;

export interface ChartSpec {
  title: string;
  series: ChartSeries[];
  /** How many series matched before the cap. */
  total: number;
}

const nan = (v: number | null): number => (v === null ? Number.NaN : v);

/** Requests per minute, and latency p50/p95/p99, per time slice of the window. */
export function trafficCharts(o: MonitoringOverview): ChartSpec[] {
  const x = o.traffic.map((b) => b.start / 1000);
  const perMinute = 60_000 / o.bucketMs;
  const rate: ChartSeries[] = [{ label: 'requests / min', color: seriesColor(0), x, y: o.traffic.map((b) => b.requests * perMinute) }];
  // Latency only where there were requests (so a lone busy slice still draws as a dot).
  const busy = o.traffic.filter((b) => b.requests > 0);
  const latency: ChartSeries[] = (['p50', 'p95', 'p99'] as const).map((p, i) => ({ label: `${p} ms`, color: seriesColor(i), x: busy.map((b) => b.start / 1000), y: busy.map((b) => nan(b[p])) }));
  return [{ title: 'Request rate', series: rate, total: 1 }, { title: 'Latency', series: latency, total: 3 }];
}

interface Group {
  title: string;
  /** The label of a matching metric key, or null when it is not in this chart. */
  match(key: string): string | null;
}

const feature = (suffix: string) => (key: string): string | null => {
  const m = new RegExp(`^drift\\.(.+)\\.${suffix}$`).exec(key) ?? new RegExp(`^quality\\.(.+)\\.${suffix}$`).exec(key);
  return m ? m[1]! : null;
};

const GROUPS: Group[] = [
  { title: 'Drift: PSI per feature and of the predictions', match: (k) => (k === 'prediction.psi' ? 'predictions' : feature('psi')(k)) },
  { title: 'Drift: Jensen-Shannon distance (categorical features)', match: feature('js') },
  { title: 'Live performance (labelled traffic)', match: (k) => (/^performance\.(auc|accuracy|rmse|mae)$/.exec(k)?.[1] ?? null) },
  { title: 'Data quality: null rate', match: feature('null_rate') },
  { title: 'Data quality: out-of-range rate', match: feature('out_of_range_rate') },
  { title: 'Rows judged per monitor run', match: (k) => (k === 'rows' || k === 'labelled' ? k : null) },
];

/** The monitor's recorded runs as charts over time: drift, live performance, data quality. Empty charts are left out. */
export function reportCharts(o: MonitoringOverview): ChartSpec[] {
  const out: ChartSpec[] = [];
  for (const g of GROUPS) {
    const lines = new Map<string, { x: number[]; y: number[] }>();
    for (const r of o.reports) {
      for (const [key, value] of Object.entries(r.metrics)) {
        const label = g.match(key);
        if (label === null) continue;
        let line = lines.get(label);
        if (!line) lines.set(label, (line = { x: [], y: [] }));
        line.x.push(r.time / 1000);
        line.y.push(value);
      }
    }
    if (!lines.size) continue;
    const ranked = [...lines.entries()].sort((a, b) => (b[1].y.at(-1) ?? 0) - (a[1].y.at(-1) ?? 0) || a[0].localeCompare(b[0]));
    const series = ranked.slice(0, MAX_SERIES_PER_CHART).map(([label, line], i) => ({ label, color: seriesColor(i), x: line.x, y: line.y }));
    out.push({ title: g.title, series, total: lines.size });
  }
  return out;
}

export const WINDOWS = [
  { id: '1h', label: 'Last hour', ms: 3_600_000 },
  { id: '24h', label: 'Last 24 hours', ms: 86_400_000 },
  { id: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
  { id: '30d', label: 'Last 30 days', ms: 30 * 86_400_000 },
] as const;

export type WindowId = (typeof WINDOWS)[number]['id'];
