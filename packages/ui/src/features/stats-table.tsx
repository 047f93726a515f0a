import type { FeatureStatistics } from '@cairn/core';
import { formatCount, formatMetric } from '../components/format.js';
import { Histogram } from '../components/histogram.js';

const val = (v: number | string | boolean | null) => (v === null ? '' : typeof v === 'number' ? formatMetric(v) : String(v));

/** The share of values that are null, as a percentage with one decimal. */
export function nullRate(s: Pick<FeatureStatistics, 'count' | 'nulls'>): string {
  const total = s.count + s.nulls;
  return total === 0 ? '' : `${(Math.round((s.nulls / total) * 1000) / 10).toFixed(1)}%`;
}

/** Per-feature statistics of a materialization: histogram, null rate, min/max/mean, distinct values. */
export function StatsTable({ statistics }: { statistics: FeatureStatistics[] }) {
  if (!statistics.length) return <p className="muted">No statistics yet: they are computed when the view is materialized (<code>cairn features materialize</code>).</p>;
  return (
    <table className="grid stats-table">
      <thead><tr><th>Feature</th><th>Type</th><th>Histogram</th><th className="num">Values</th><th className="num">Null rate</th><th className="num">Min</th><th className="num">Max</th><th className="num">Mean</th><th className="num">Distinct</th></tr></thead>
      <tbody>
        {statistics.map((s) => (
          <tr key={s.feature}>
            <th scope="row">{s.feature}</th>
            <td className="muted">{s.type}</td>
            <td>{s.histogram ? <Histogram edges={s.histogram.edges} counts={s.histogram.counts} label={`Histogram of ${s.feature}`} /> : <span className="muted small">—</span>}</td>
            <td className="num">{formatCount(s.count)}</td>
            <td className="num">{nullRate(s)}</td>
            <td className="num">{val(s.min)}</td>
            <td className="num">{val(s.max)}</td>
            <td className="num">{s.mean === null ? '' : formatMetric(s.mean)}</td>
            <td className="num" title={s.distinctExact === false ? 'estimated' : undefined}>{s.distinct === undefined ? '' : `${s.distinctExact === false ? '≈' : ''}${formatCount(s.distinct)}`}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
