import { Link, useParams, useSearchParams } from 'react-router';
import { diffRuns } from '../compare/diff.js';
import { ErrorPanel } from '../components/error-panel.js';
import { formatMetric } from '../components/format.js';
import { Skeleton } from '../components/skeleton.js';
import { useRuns } from '../runs/run-queries.js';
import { useModelVersion } from './model-queries.js';
import { signatureDiff } from './signature-diff.js';

const show = (v: string | number | undefined) => (v === undefined ? '—' : typeof v === 'number' ? formatMetric(v) : v);

/** Two versions of a model side by side: their runs' metrics and params, and how the signature changed. */
export function VersionComparePage() {
  const { name = '' } = useParams();
  const [params] = useSearchParams();
  const a = useModelVersion(name, params.get('a'));
  const b = useModelVersion(name, params.get('b'));
  const runIds = [a.data?.runId, b.data?.runId].filter((x): x is string => !!x);
  const runs = useRuns(runIds);
  const error = a.error ?? b.error ?? runs.error;
  if (error) return <div className="page"><ErrorPanel error={error} /></div>;
  if (!a.data || !b.data) return <div className="page"><Skeleton rows={8} label="Loading versions" /></div>;
  const byId = new Map((runs.data ?? []).map((r) => [r.info.runId, r]));
  const compared = [a.data, b.data].map((v) => {
    const r = v.runId ? byId.get(v.runId) : undefined;
    return { runId: v.runId ?? '', params: r?.data.params ?? {}, metrics: Object.fromEntries((r?.data.metrics ?? []).map((m) => [m.key, m.value])), tags: {} };
  });
  const rows = diffRuns(compared).filter((r) => r.group !== 'tags');
  const sig = signatureDiff(a.data.signature, b.data.signature);
  const base = `/models/${encodeURIComponent(name)}`;
  return (
    <div className="page">
      <div className="crumbs"><Link to="/models">Models</Link> / <Link to={base}>{name}</Link> /</div>
      <h1>Comparing version {a.data.version} and version {b.data.version}</h1>
      <div className="sections">
        <section className="card">
          <h2>Metrics and params of their runs</h2>
          {runIds.length && runs.isPending ? <Skeleton rows={5} /> : (
            <table className="grid diff-table">
              <thead><tr><th>Key</th><th className="num"><Link to={`${base}/versions/${a.data.version}`}>v{a.data.version}</Link></th><th className="num"><Link to={`${base}/versions/${b.data.version}`}>v{b.data.version}</Link></th></tr></thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={`${r.group}:${r.key}`} className={r.differs ? 'differs' : ''}>
                    <th scope="row"><span className="muted small">{r.group}</span> {r.key}</th>
                    {r.values.map((v, i) => <td key={i} className="num">{show(v)}</td>)}
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section className="card">
          <h2>Signature</h2>
          <table className="grid signature-diff">
            <thead><tr><th>Side</th><th>Name</th><th>v{a.data.version}</th><th>v{b.data.version}</th><th>Change</th></tr></thead>
            <tbody>{sig.map((r) => <tr key={`${r.side}:${r.name}`} className={r.change === 'same' ? '' : 'differs'}><td className="muted">{r.side}</td><td><code>{r.name}</code></td><td>{r.a ?? '—'}</td><td>{r.b ?? '—'}</td><td>{r.change}</td></tr>)}</tbody>
          </table>
          {sig.length === 0 && <p className="muted">Neither version has a signature.</p>}
        </section>
      </div>
    </div>
  );
}
