import type { MonitoringOverview } from '@cairn/core';
import { describe, expect, it } from 'vitest';
import { MAX_SERIES_PER_CHART, reportCharts, trafficCharts } from './monitoring-series.js';

const overview = (over: Partial<MonitoringOverview> = {}): MonitoringOverview => ({
  model: 'm', window: { from: 0, to: 240_000 }, bucketMs: 120_000, served: null, versions: [],
  totals: { requests: 0, rows: 0, perMinute: 0, p50: null, p95: null, p99: null },
  traffic: [{ start: 0, requests: 0, rows: 0, p50: null, p95: null, p99: null }, { start: 120_000, requests: 10, rows: 12, p50: 1, p95: 2, p99: 3 }],
  reports: [], alerts: [], ...over,
});

describe('monitoring charts', () => {
  it('draws request rate per minute for every slice, and latency only where there were requests', () => {
    const [rate, latency] = trafficCharts(overview());
    expect(rate!.series[0]).toMatchObject({ x: [0, 120], y: [0, 5] });
    expect(latency!.series.map((s) => [s.label, s.x, s.y])).toEqual([['p50 ms', [120], [1]], ['p95 ms', [120], [2]], ['p99 ms', [120], [3]]]);
  });

  it("groups the monitor's metrics into charts, most drifted first, capped", () => {
    const metrics: Record<string, number> = { 'prediction.psi': 0.05, 'performance.auc': 0.8, rows: 100, 'quality.a.null_rate': 0 };
    for (let i = 0; i < 12; i++) metrics[`drift.f${i}.psi`] = i / 10;
    const charts = reportCharts(overview({ reports: [{ runId: 'r', version: 1, time: 60_000, rows: 100, labelled: 0, alerts: 0, metrics }] }));
    expect(charts.map((c) => c.title)).toEqual([
      'Drift: PSI per feature and of the predictions', 'Live performance (labelled traffic)', 'Data quality: null rate', 'Rows judged per monitor run',
    ]);
    const psi = charts[0]!;
    expect(psi.total).toBe(13);
    expect(psi.series).toHaveLength(MAX_SERIES_PER_CHART);
    expect(psi.series.map((s) => s.label).slice(0, 3)).toEqual(['f11', 'f10', 'f9']);
    expect(psi.series[0]).toMatchObject({ x: [60], y: [1.1] });
    expect(reportCharts(overview())).toEqual([]);
  });
});
