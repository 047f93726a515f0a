import { keepPreviousData, useQueries } from '@tanstack/react-query';
import { useMemo } from 'react';
import type { SampledHistory } from '@cairn/client/browser';
import { useApi } from '../app/api-context.js';
import { seriesColor, xValues } from '../components/chart-data.js';
import { ErrorPanel } from '../components/error-panel.js';
import { MetricChart, type ChartSeries } from '../components/metric-chart.js';
import { Skeleton } from '../components/skeleton.js';
import { serverRange, type ChartSettings } from './chart-settings.js';
import { LIVE_INTERVAL_MS } from './run-queries.js';

export interface ChartRun {
  runId: string;
  name: string;
  startTime: number;
  running: boolean;
}

/** Points per series when the whole history is shown: about one per pixel of a wide chart. */
const OVERVIEW_POINTS = 1200;

/**
 * One chart per metric key, one line per run, all fetched downsampled from the server in one
 * request (per run when zoomed on relative time, whose range differs by run). A zoom refetches
 * just the visible range; running runs poll, so their charts grow.
 */
export function MetricCharts({ runs, keys, settings, onSettings }: { runs: ChartRun[]; keys: string[]; settings: ChartSettings; onSettings(s: ChartSettings): void }) {
  const api = useApi();
  const live = runs.some((r) => r.running);
  const perRun = settings.axis === 'relative' && settings.range !== null;
  const groups = perRun ? runs.map((r) => [r]) : [runs];
  const queries = useQueries({
    queries: groups.map((group) => {
      const range = serverRange(settings, group[0]?.startTime ?? 0);
      const q = { runIds: group.map((r) => r.runId), keys, maxPoints: OVERVIEW_POINTS, ...range };
      return {
        queryKey: ['sampled', q],
        queryFn: ({ signal }: { signal: AbortSignal }) => api.sampledHistories(q, { signal }),
        enabled: keys.length > 0 && group.length > 0,
        placeholderData: keepPreviousData,
        refetchInterval: live ? LIVE_INTERVAL_MS : (false as const),
      };
    }),
  });
  const error = queries.find((q) => q.error)?.error;
  const pending = queries.some((q) => q.isPending);
  const histories = useMemo(() => queries.flatMap((q) => q.data ?? []), [queries]);
  const byKey = useMemo(() => {
    const map = new Map<string, SampledHistory[]>();
    for (const h of histories) map.set(h.key, [...(map.get(h.key) ?? []), h]);
    return map;
  }, [histories]);

  if (keys.length === 0) return <p className="muted">Choose metrics to chart.</p>;
  if (error) return <ErrorPanel error={error} onRetry={() => queries.forEach((q) => q.refetch())} />;
  if (pending && histories.length === 0) return <Skeleton rows={6} label="Loading charts" />;
  return (
    <div className="chart-grid">
      {keys.map((key) => {
        const list = byKey.get(key) ?? [];
        const series: ChartSeries[] = runs.flatMap((run, i) => {
          const h = list.find((x) => x.runId === run.runId);
          if (!h || h.steps.length === 0) return [];
          return [{ label: runs.length > 1 ? run.name : key, color: seriesColor(i), x: xValues(h, settings.axis, run.startTime), y: h.values }];
        });
        return (
          <MetricChart
            key={key}
            title={key}
            series={series}
            axis={settings.axis}
            smoothing={settings.smoothing}
            log={settings.log}
            range={settings.range}
            sampled={list.some((h) => h.sampled)}
            onZoom={(range) => onSettings({ ...settings, range })}
          />
        );
      })}
    </div>
  );
}

/** The controls over all charts of a page: x axis, smoothing, log scale. */
export function ChartControls({ settings, onSettings }: { settings: ChartSettings; onSettings(s: ChartSettings): void }) {
  return (
    <div className="toolbar chart-controls">
      <label>
        X axis{' '}
        <select value={settings.axis} onChange={(e) => onSettings({ ...settings, axis: e.target.value as ChartSettings['axis'], range: null })}>
          <option value="step">Step</option>
          <option value="time">Wall time</option>
          <option value="relative">Relative time</option>
        </select>
      </label>
      <label>
        Smoothing{' '}
        <input type="range" min={0} max={0.99} step={0.01} value={settings.smoothing} onChange={(e) => onSettings({ ...settings, smoothing: Number(e.target.value) })} />
        <span className="muted small">{settings.smoothing.toFixed(2)}</span>
      </label>
      <label className="check">
        <input type="checkbox" checked={settings.log} onChange={(e) => onSettings({ ...settings, log: e.target.checked })} /> Log scale
      </label>
      {settings.range && <button type="button" className="link" onClick={() => onSettings({ ...settings, range: null })}>Reset zoom</button>}
    </div>
  );
}
