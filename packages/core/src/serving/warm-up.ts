import type { ColumnType, Signature } from '../registry/entities.js';
import type { Frame } from './frame.js';

const SAMPLE: Record<ColumnType, unknown> = { boolean: false, integer: 0, long: 0, float: 0, double: 0, string: '', binary: '', datetime: 0 };

/** One made-up row that fits the signature: scored once before a version starts answering. */
export function warmUpFrame(signature: Signature | null): Frame {
  if (!signature?.inputs.length) return { columns: null, rows: [[0]] };
  const only = signature.inputs[0]!;
  if (signature.inputs.length === 1 && only.type === 'tensor') {
    const width = only.shape.length >= 2 ? Math.max(1, only.shape[only.shape.length - 1]!) : 1;
    return { columns: null, rows: [new Array<number>(width).fill(0)] };
  }
  return {
    columns: signature.inputs.map((f, i) => f.name ?? `${i}`),
    rows: [signature.inputs.map((f) => (f.type === 'tensor' ? 0 : SAMPLE[f.type]))],
  };
}
