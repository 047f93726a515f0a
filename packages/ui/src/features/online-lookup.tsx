import { useMemo, useState, type FormEvent } from 'react';
import { ErrorPanel } from '../components/error-panel.js';
import { formatTime } from '../components/format.js';
import { useParam } from '../components/tabs.js';
import { useFeatureObjects, useOnlineLookup } from './feature-queries.js';
import { lookupFields, typedValue } from './lookup-fields.js';

/** Entity keys in, the online values out, each with its status (present, not found, too old) and event time. */
export function OnlineLookup() {
  const objects = useFeatureObjects();
  const [target, setTarget] = useParam('target');
  const all = objects.data ?? [];
  const targets = all.filter((o) => o.kind === 'featureService' || o.kind === 'featureView' || o.kind === 'onDemandFeatureView');
  const chosen = targets.find((o) => `${o.kind}:${o.name}` === target) ?? targets.find((o) => o.kind === 'featureService') ?? targets[0];
  const fields = useMemo(() => (chosen ? lookupFields({ kind: chosen.kind as 'featureService', name: chosen.name }, all) : []), [chosen, all]);
  const [values, setValues] = useState<Record<string, string>>({});
  const [at, setAt] = useState('');
  const lookup = useOnlineLookup();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!chosen) return;
    const entity = Object.fromEntries(fields.map((f) => [f.name, typedValue(values[f.name] ?? '', f.type)]));
    const features = chosen.kind === 'featureService' ? undefined
      : ((chosen.spec as { features: Array<{ name: string }> }).features.map((f) => `${chosen.name}:${f.name}`));
    lookup.mutate({ entities: [entity], featureService: chosen.kind === 'featureService' ? chosen.name : undefined, features, at: at ? new Date(at).getTime() : undefined });
  };
  if (objects.error) return <ErrorPanel error={objects.error} />;
  return (
    <section className="card online-lookup">
      <h2>Online lookup</h2>
      <form onSubmit={submit} className="lookup-form">
        <label>Features of
          <select aria-label="Feature service or view" value={chosen ? `${chosen.kind}:${chosen.name}` : ''} onChange={(e) => { setTarget(e.target.value); lookup.reset(); }}>
            {targets.map((o) => <option key={`${o.kind}:${o.name}`} value={`${o.kind}:${o.name}`}>{o.kind === 'featureService' ? 'service' : 'view'} {o.name}</option>)}
          </select>
        </label>
        {fields.map((f) => (
          <label key={f.name}>{f.name} <span className="muted small">{f.type}</span>
            <input aria-label={f.name} value={values[f.name] ?? ''} onChange={(e) => setValues({ ...values, [f.name]: e.target.value })} />
          </label>
        ))}
        <label>As of <span className="muted small">(optional; TTLs count from it)</span><input type="datetime-local" step="1" aria-label="As of" value={at} onChange={(e) => setAt(e.target.value)} /></label>
        <button type="submit" className="primary" disabled={!chosen || lookup.isPending}>Look up</button>
      </form>
      {lookup.error && <ErrorPanel compact error={lookup.error} />}
      {lookup.data && (
        <table className="grid lookup-result">
          <thead><tr><th>Feature</th><th>Value</th><th>Status</th><th>Event time</th></tr></thead>
          <tbody>
            {lookup.data.featureNames.map((name, i) => {
              const r = lookup.data.results[i]!;
              const ts = r.eventTimestamps[0];
              return (
                <tr key={name} data-status={r.statuses[0]}>
                  <th scope="row">{name}</th>
                  <td className="wrap">{r.values[0] === null || r.values[0] === undefined ? <span className="muted">null</span> : typeof r.values[0] === 'object' ? JSON.stringify(r.values[0]) : String(r.values[0])}</td>
                  <td className={r.statuses[0] === 'PRESENT' ? 'ok' : 'warn'}>{r.statuses[0]}</td>
                  <td>{ts === null || ts === undefined ? '' : formatTime(ts)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
