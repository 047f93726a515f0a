import type { GateEvaluation } from '@cairn/core';
import { formatMetric } from '../components/format.js';
import { gateHolders, gateValueRows } from './gate-values.js';

const show = (v: number | string | null | undefined) => (v === undefined ? '' : v === null ? 'missing' : typeof v === 'number' ? formatMetric(v) : v);

/** Each condition of a gate evaluation: the candidate's and the alias holder's values, and why it passed or failed. */
export function GateResult({ evaluation }: { evaluation: GateEvaluation }) {
  const holders = gateHolders(evaluation.conditions);
  return (
    <div className={`gate-result ${evaluation.passed ? 'passed' : 'failed'}`} data-passed={evaluation.passed ? 'true' : 'false'}>
      <p>
        <strong className={evaluation.passed ? 'ok' : 'danger'}>{evaluation.passed ? 'Passed' : 'Failed'}</strong>{' '}
        {evaluation.gated ? <>the gate of @{evaluation.alias}</> : <>@{evaluation.alias} has no gate</>} for version {evaluation.candidate}
        {evaluation.current !== null ? <> (held by version {evaluation.current})</> : <> (no version holds it)</>}.
      </p>
      {evaluation.conditions.length > 0 && (
        <table className="grid gate-table">
          <thead><tr><th>Condition</th><th>Value</th><th className="num">Candidate v{evaluation.candidate}</th>{holders.map((h) => <th key={h} className="num">{h === 'current' ? `@${evaluation.alias} (v${evaluation.current ?? '—'})` : `@${h}`}</th>)}<th>Result</th></tr></thead>
          <tbody>
            {evaluation.conditions.flatMap((c, i) => {
              const rows = gateValueRows(c);
              const span = Math.max(rows.length, 1);
              return (rows.length ? rows : [null]).map((r, j) => (
                <tr key={`${i}:${j}`} className={c.passed ? 'cond-passed' : 'cond-failed'}>
                  {j === 0 && <td rowSpan={span}><code>{c.expression}</code></td>}
                  <td><code>{r?.reference ?? ''}</code></td>
                  <td className="num">{show(r?.candidate)}</td>
                  {holders.map((h) => <td key={h} className="num">{show(r?.others.find((o) => o.holder === h)?.value)}</td>)}
                  {j === 0 && <td rowSpan={span}><span className={c.passed ? 'ok' : 'danger'}>{c.passed ? 'passed' : 'failed'}</span>{c.note && <div className="muted small">{c.note}</div>}</td>}
                </tr>
              ));
            })}
          </tbody>
        </table>
      )}
      {evaluation.signature && (
        <p className={evaluation.signature.compatible ? 'ok' : 'danger'}>
          Signature {evaluation.signature.compatible ? 'compatible with the holder\'s' : `not compatible: ${evaluation.signature.problems.join('; ')}`}
        </p>
      )}
    </div>
  );
}
