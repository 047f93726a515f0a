import type { Signature } from '@cairn/core';
import { fieldType } from './signature-diff.js';

/** A model signature as a table: each input and output with its type. */
export function SignatureTable({ signature }: { signature: Signature | null }) {
  if (!signature) return <p className="muted">No signature recorded: the registry cannot check what this version takes and returns.</p>;
  const rows = [...signature.inputs.map((f, i) => ['input', f.name ?? `#${i}`, fieldType(f)] as const), ...signature.outputs.map((f, i) => ['output', f.name ?? `#${i}`, fieldType(f)] as const)];
  return (
    <table className="grid signature-table">
      <thead><tr><th>Side</th><th>Name</th><th>Type</th></tr></thead>
      <tbody>{rows.map(([side, name, type], i) => <tr key={i}><td className="muted">{side}</td><td><code>{name}</code></td><td>{type}</td></tr>)}</tbody>
    </table>
  );
}
