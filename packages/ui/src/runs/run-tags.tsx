import { useState, type FormEvent } from 'react';
import type { Run } from '@cairn/core';
import { useCanEdit } from '../app/session.js';
import { ErrorPanel } from '../components/error-panel.js';
import { useRunTagMutation } from './run-queries.js';

/** A run's tags; editors may add, change and delete them. System tags (mlflow.*, cairn.*) fold away. */
export function RunTags({ run }: { run: Run }) {
  const canEdit = useCanEdit();
  const mutation = useRunTagMutation(run.info.runId);
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const [showSystem, setShowSystem] = useState(false);
  const all = Object.entries(run.data.tags).sort(([a], [b]) => a.localeCompare(b));
  const system = (k: string) => /^(mlflow|cairn)\./.test(k);
  const shown = all.filter(([k]) => showSystem || !system(k));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    mutation.mutate({ key: key.trim(), value }, { onSuccess: () => { setKey(''); setValue(''); } });
  };
  return (
    <section className="card">
      <h2>Tags <span className="muted small">({all.length})</span></h2>
      {all.some(([k]) => system(k)) && (
        <label className="check small"><input type="checkbox" checked={showSystem} onChange={(e) => setShowSystem(e.target.checked)} /> Show system tags</label>
      )}
      {shown.length === 0 ? <p className="muted">No tags.</p> : (
        <table className="grid kv">
          <tbody>
            {shown.map(([k, v]) => (
              <tr key={k}>
                <th scope="row">{k}</th>
                <td className="wrap">{v}</td>
                {canEdit && (
                  <td className="actions">
                    <button type="button" className="link" onClick={() => { setKey(k); setValue(v); }}>Edit</button>
                    <button type="button" className="link danger" onClick={() => mutation.mutate({ key: k, value: null })}>Delete</button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {canEdit && (
        <form className="inline-form" onSubmit={submit} aria-label="Set a tag">
          <input aria-label="Tag key" placeholder="key" value={key} onChange={(e) => setKey(e.target.value)} />
          <input aria-label="Tag value" placeholder="value" value={value} onChange={(e) => setValue(e.target.value)} />
          <button type="submit" className="primary" disabled={!key.trim() || mutation.isPending}>Set tag</button>
        </form>
      )}
      {mutation.error && <ErrorPanel compact error={mutation.error} />}
    </section>
  );
}
