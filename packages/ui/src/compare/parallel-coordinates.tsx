import { seriesColor } from '../components/chart-data.js';
import { makeScale } from './plot-scales.js';

export interface PlotRun {
  runId: string;
  name: string;
  values: Record<string, string | number | undefined>;
}

/** One vertical axis per chosen param or metric, one line per run across them. */
export function ParallelCoordinates({ runs, dimensions }: { runs: PlotRun[]; dimensions: string[] }) {
  const width = Math.max(480, dimensions.length * 140);
  const height = 300;
  const top = 30;
  const bottom = 40;
  const inner = height - top - bottom;
  const x = (i: number) => 60 + (i * (width - 120)) / Math.max(1, dimensions.length - 1);
  const scales = dimensions.map((d) => makeScale(runs.map((r) => r.values[d])));
  if (dimensions.length < 2) return <p className="muted">Choose at least two params or metrics.</p>;
  return (
    <div className="table-scroll">
      <svg className="parcoords" width={width} height={height} role="img" aria-label="Parallel coordinates of the compared runs">
        {dimensions.map((d, i) => (
          <g key={d} transform={`translate(${x(i)},0)`}>
            <line y1={top} y2={top + inner} className="axis-line" />
            <text y={height - 12} textAnchor="middle" className="axis-label">{d.length > 22 ? `${d.slice(0, 21)}…` : d}<title>{d}</title></text>
            {scales[i]!.ticks.slice(0, 8).map((t) => (
              <text key={t.label} x={-6} y={top + inner - t.at * inner + 4} textAnchor="end" className="tick-label">{t.label.length > 12 ? `${t.label.slice(0, 11)}…` : t.label}</text>
            ))}
          </g>
        ))}
        {runs.map((r, k) => {
          const pts = dimensions.map((d, i) => {
            const v = scales[i]!.scale(r.values[d]);
            return v === null ? null : `${x(i)},${top + inner - v * inner}`;
          });
          return (
            <polyline key={r.runId} points={pts.filter(Boolean).join(' ')} fill="none" stroke={seriesColor(k)} strokeWidth={2} opacity={0.85}>
              <title>{r.name}</title>
            </polyline>
          );
        })}
      </svg>
    </div>
  );
}
