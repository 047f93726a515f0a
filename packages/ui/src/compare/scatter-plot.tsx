import { seriesColor } from '../components/chart-data.js';
import type { PlotRun } from './parallel-coordinates.js';
import { makeScale } from './plot-scales.js';

/** Each run as a point: one param or metric across, one metric up. */
export function ScatterPlot({ runs, xKey, yKey }: { runs: PlotRun[]; xKey: string; yKey: string }) {
  const width = 520;
  const height = 320;
  const pad = { l: 70, r: 20, t: 20, b: 50 };
  const sx = makeScale(runs.map((r) => r.values[xKey]));
  const sy = makeScale(runs.map((r) => r.values[yKey]));
  const px = (v: number) => pad.l + v * (width - pad.l - pad.r);
  const py = (v: number) => height - pad.b - v * (height - pad.t - pad.b);
  return (
    <svg className="scatter" width={width} height={height} role="img" aria-label={`${yKey} against ${xKey}`}>
      <line x1={pad.l} x2={width - pad.r} y1={height - pad.b} y2={height - pad.b} className="axis-line" />
      <line x1={pad.l} x2={pad.l} y1={pad.t} y2={height - pad.b} className="axis-line" />
      <text x={(pad.l + width - pad.r) / 2} y={height - 10} textAnchor="middle" className="axis-label">{xKey}</text>
      <text x={14} y={(pad.t + height - pad.b) / 2} textAnchor="middle" className="axis-label" transform={`rotate(-90 14 ${(pad.t + height - pad.b) / 2})`}>{yKey}</text>
      {sx.ticks.slice(0, 10).map((t) => <text key={`x${t.label}`} x={px(t.at)} y={height - pad.b + 16} textAnchor="middle" className="tick-label">{t.label.slice(0, 12)}</text>)}
      {sy.ticks.slice(0, 10).map((t) => <text key={`y${t.label}`} x={pad.l - 6} y={py(t.at) + 4} textAnchor="end" className="tick-label">{t.label.slice(0, 12)}</text>)}
      {runs.map((r, k) => {
        const a = sx.scale(r.values[xKey]);
        const b = sy.scale(r.values[yKey]);
        if (a === null || b === null) return null;
        return (
          <circle key={r.runId} cx={px(a)} cy={py(b)} r={6} fill={seriesColor(k)}>
            <title>{`${r.name}: ${xKey} = ${String(r.values[xKey])}, ${yKey} = ${String(r.values[yKey])}`}</title>
          </circle>
        );
      })}
    </svg>
  );
}
