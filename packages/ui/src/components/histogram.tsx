import { formatCount, formatMetric } from './format.js';

/** A small bar chart of a histogram (bin edges and counts), drawn as SVG; each bar's range and count on hover. */
export function Histogram({ edges, counts, label }: { edges: number[]; counts: number[]; label: string }) {
  const max = Math.max(1, ...counts);
  const w = 180;
  const h = 48;
  const bw = w / Math.max(1, counts.length);
  return (
    <svg className="histogram" width={w} height={h} role="img" aria-label={label} viewBox={`0 0 ${w} ${h}`}>
      {counts.map((c, i) => (
        <rect key={i} x={i * bw + 1} y={h - (c / max) * (h - 2)} width={Math.max(1, bw - 2)} height={(c / max) * (h - 2)}>
          <title>{`${formatMetric(edges[i])} – ${formatMetric(edges[i + 1])}: ${formatCount(c)}`}</title>
        </rect>
      ))}
    </svg>
  );
}
