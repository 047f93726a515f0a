import type { Signature, SignatureField } from '@cairn/core';

export interface SignatureDiffRow {
  side: 'input' | 'output';
  /** The field's name, or `#i` for an unnamed one. */
  name: string;
  a: string | null;
  b: string | null;
  change: 'same' | 'added' | 'removed' | 'changed';
}

/** A field's type as one short string: `double`, `string (optional)`, `tensor float32 [-1, 28, 28]`. */
export function fieldType(f: SignatureField): string {
  if (f.type === 'tensor') return `tensor ${f.dtype} [${f.shape.join(', ')}]`;
  return f.required === false ? `${f.type} (optional)` : f.type;
}

const named = (fields: SignatureField[]) => new Map(fields.map((f, i) => [f.name ?? `#${i}`, fieldType(f)]));

/** Field by field, how signature `b` differs from `a` (inputs, then outputs; `a`'s order, then what `b` adds). */
export function signatureDiff(a: Signature | null, b: Signature | null): SignatureDiffRow[] {
  const rows: SignatureDiffRow[] = [];
  for (const side of ['input', 'output'] as const) {
    const key = side === 'input' ? 'inputs' : 'outputs';
    const left = named(a?.[key] ?? []);
    const right = named(b?.[key] ?? []);
    for (const [name, type] of left) {
      const other = right.get(name) ?? null;
      rows.push({ side, name, a: type, b: other, change: other === null ? 'removed' : other === type ? 'same' : 'changed' });
    }
    for (const [name, type] of right) if (!left.has(name)) rows.push({ side, name, a: null, b: type, change: 'added' });
  }
  return rows;
}
