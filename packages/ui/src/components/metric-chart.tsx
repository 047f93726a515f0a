import { useEffect, useMemo, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { alignSeries, drawable, seriesStats, smooth, type XAxis } from './chart-data.js';
import { formatDuration, formatMetric, formatMetricFull } from './format.js';

export interface ChartSeries {
  label: string;
  color: string;
  x: number[];
  /** Raw values (NaN and ±Infinity allowed); smoothing and log scale are applied here. */
  y: number[];
}

export interface MetricChartProps {
  title: string;
  series: ChartSeries[];
  axis: XAxis;
  smoothing: number;
  log: boolean;
  /** The zoomed x range, or null for everything. */
  range: [number, number] | null;
  onZoom(range: [number, number] | null): void;
  /** The x range shown when not zoomed (e.g. a time window), instead of the data's extent. */
  domain?: [number, number];
  height?: number;
  /** Some series were downsampled on the server (shown under the chart). */
  sampled?: boolean;
}

const AXIS_LABEL: Record<XAxis, string> = { step: 'step', time: 'wall time', relative: 'time since start' };

/**
 * One metric chart (uPlot on a canvas): drag to zoom, double-click to reset, ← → buttons to pan;
 * hover shows every series' value at that x; the table under it gives each series' min, max and
 * last value (of the raw values, before smoothing).
 */
export function MetricChart({ title, series, axis, smoothing, log, range, onZoom, domain, height = 240, sampled }: MetricChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const zoomRef = useRef(onZoom);
  zoomRef.current = onZoom;
  const data = useMemo(
    () => alignSeries(series.map((s) => ({ x: s.x, y: drawable(smooth(s.y, smoothing), log) }))) as uPlot.AlignedData,
    [series, smoothing, log],
  );
  const stats = useMemo(() => series.map((s) => seriesStats(s.y)), [series]);
  // Few points get dots (a single logged value is otherwise invisible).
  const dots = series.some((s) => s.x.length < 60);
  const shape = `${series.map((s) => `${s.label}\u0000${s.color}`).join('\u0001')}|${axis}|${log}|${dots}`;

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    // Canvas text has no currentColor: take the page's text color (light or dark mode).
    const fg = getComputedStyle(el).color || '#444';
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      scales: { x: { time: axis === 'time' }, y: { distr: log ? 3 : 1 } },
      axes: [
        { stroke: fg, grid: { stroke: 'rgba(128,128,128,0.15)' }, ticks: { stroke: 'rgba(128,128,128,0.3)' }, values: axis === 'relative' ? (_u, ticks) => ticks.map((t) => formatDuration(t * 1000)) : undefined },
        { stroke: fg, grid: { stroke: 'rgba(128,128,128,0.15)' }, ticks: { stroke: 'rgba(128,128,128,0.3)' }, size: 60, values: (_u, ticks) => ticks.map((t) => formatMetric(t)) },
      ],
      series: [
        { label: AXIS_LABEL[axis], value: axis === 'time' ? '{YYYY}-{MM}-{DD} {HH}:{mm}:{ss}' : axis === 'relative' ? (_u, v) => (v == null ? '--' : formatDuration(v * 1000)) : undefined },
        ...series.map((s) => ({ label: s.label, stroke: s.color, width: 1.5, spanGaps: true, points: { show: dots, size: 6 }, value: (_u: uPlot, v: number | null) => (v == null ? '--' : formatMetric(v)) })),
      ],
      cursor: { drag: { x: true, y: false }, sync: { key: 'cairn-charts' } },
      legend: { live: true },
      hooks: {
        setSelect: [
          (u) => {
            if (u.select.width < 4) return;
            const min = u.posToVal(u.select.left, 'x');
            const max = u.posToVal(u.select.left + u.select.width, 'x');
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            zoomRef.current([min, max]);
          },
        ],
      },
    };
    // Zooming is ours (it refetches the range at full detail): uPlot only reports the selection.
    opts.cursor!.drag!.setScale = false;
    const u = new uPlot(opts, data, el);
    plot.current = u;
    const dbl = () => zoomRef.current(null);
    u.over.addEventListener('dblclick', dbl);
    const resize = new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.over.removeEventListener('dblclick', dbl);
      u.destroy();
      plot.current = null;
    };
    // Rebuilt only when the series set or axes change; data and range updates go through setData/setScale.
  }, [shape, height]);

  useEffect(() => {
    const u = plot.current;
    if (!u) return;
    const shown = range ?? domain;
    u.setData(data, !shown);
    if (shown) u.setScale('x', { min: shown[0], max: shown[1] });
  }, [data, range, domain?.[0], domain?.[1]]);

  const pan = (dir: -1 | 1) => {
    const u = plot.current;
    if (!u) return;
    const min = range?.[0] ?? domain?.[0] ?? u.scales.x!.min!;
    const max = range?.[1] ?? domain?.[1] ?? u.scales.x!.max!;
    const shift = ((max - min) / 2) * dir;
    onZoom([min + shift, max + shift]);
  };
  const points = series.reduce((n, s) => n + s.x.length, 0);
  return (
    <figure className="chart" aria-label={`Chart of ${title}`} data-points={points}>
      <figcaption>
        <span className="chart-title">{title}</span>
        <span className="chart-tools">
          <button type="button" className="icon" aria-label="Pan left" onClick={() => pan(-1)}>←</button>
          <button type="button" className="icon" aria-label="Pan right" onClick={() => pan(1)}>→</button>
          {range && <button type="button" className="link" onClick={() => onZoom(null)}>Reset zoom</button>}
        </span>
      </figcaption>
      <div ref={box} className="chart-canvas" />
      <table className="chart-stats">
        <thead><tr><th>Series</th><th className="num">min</th><th className="num">max</th><th className="num">last</th></tr></thead>
        <tbody>
          {series.map((s, i) => (
            <tr key={`${s.label}-${i}`}>
              <td><span className="swatch" style={{ background: s.color }} />{s.label}</td>
              <td className="num" title={formatMetricFull(stats[i]!.min)}>{formatMetric(stats[i]!.min)}</td>
              <td className="num" title={formatMetricFull(stats[i]!.max)}>{formatMetric(stats[i]!.max)}</td>
              <td className="num" title={formatMetricFull(stats[i]!.last)}>{formatMetric(stats[i]!.last)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {sampled && <p className="muted small">Downsampled on the server (every spike kept); zoom in for full detail.</p>}
    </figure>
  );
}
