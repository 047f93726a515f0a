import { useState, type FormEvent } from 'react';
import type { GateEvaluation, GatePolicy, ModelVersion, Promotion } from '@cairn/core';
import { useCanEdit, useSession } from '../app/session.js';
import { ErrorPanel } from '../components/error-panel.js';
import { GateResult } from './gate-result.js';
import { useEvaluateGate, useOverrideAlias, usePromote } from './model-queries.js';

/**
 * Moving an alias to this version: check the alias's gate (anyone), promote through it (editors),
 * or, for a protected alias, override it with a recorded reason (admins). Readers see the check only.
 */
export function PromotePanel({ version, gates, aliases }: { version: ModelVersion; gates: GatePolicy[]; aliases: string[] }) {
  const canEdit = useCanEdit();
  const isAdmin = useSession()?.role === 'admin';
  const choices = [...new Set([...gates.map((g) => g.alias), ...aliases, 'champion'])];
  const [alias, setAlias] = useState(choices[0] ?? 'champion');
  const [reason, setReason] = useState('');
  const [result, setResult] = useState<GateEvaluation | Promotion | null>(null);
  const evaluate = useEvaluateGate(version.name);
  const promote = usePromote(version.name);
  const override = useOverrideAlias(version.name);
  const error = evaluate.error ?? promote.error ?? override.error;
  const gate = gates.find((g) => g.alias === alias);
  const ready = version.status === 'READY';
  const submitOverride = (e: FormEvent) => {
    e.preventDefault();
    override.mutate({ version: version.version, alias, reason: reason.trim() }, { onSuccess: () => { setResult(null); setReason(''); } });
  };
  return (
    <section className="card promote-panel">
      <h2>Promote</h2>
      {!ready && <p className="muted">Only READY versions can hold an alias.</p>}
      <div className="inline-form">
        <label>Alias <input list="alias-choices" aria-label="Alias to move" value={alias} onChange={(e) => { setAlias(e.target.value.trim()); setResult(null); }} /></label>
        <datalist id="alias-choices">{choices.map((c) => <option key={c} value={c} />)}</datalist>
        <button type="button" disabled={!alias || !ready || evaluate.isPending} onClick={() => evaluate.mutate({ version: version.version, alias }, { onSuccess: setResult })}>Check gate</button>
        {canEdit && (
          <button type="button" className="primary" disabled={!alias || !ready || promote.isPending} onClick={() => promote.mutate({ version: version.version, alias }, { onSuccess: setResult })}>
            Promote to @{alias || '…'}
          </button>
        )}
      </div>
      <p className="muted small">
        {gate ? <>@{alias} is gated{gate.protected ? ' and protected (it moves only through its gate, or by an admin with a reason)' : ''}: {gate.conditions.length} condition{gate.conditions.length === 1 ? '' : 's'}{gate.requireSignatureCompatible ? ', compatible signature' : ''}.</> : <>@{alias} has no gate: promoting moves it.</>}
      </p>
      {error && <ErrorPanel compact error={error} />}
      {result && (
        <>
          {'moved' in result && <p role="status" className={result.moved ? 'ok' : 'danger'}>{result.moved ? `@${result.alias} now points to version ${result.candidate}.` : `@${result.alias} did not move.`}</p>}
          <GateResult evaluation={result} />
        </>
      )}
      {isAdmin && gate?.protected && (
        <form className="inline-form override" onSubmit={submitOverride}>
          <label>Admin override: reason <input aria-label="Override reason" required value={reason} onChange={(e) => setReason(e.target.value)} placeholder="Why this version bypasses the gate" /></label>
          <button type="submit" className="danger-button" disabled={!reason.trim() || override.isPending || !ready}>Override @{alias}</button>
        </form>
      )}
    </section>
  );
}
