import { finish, ref, str, table, type FbNode, type FbValue } from './flatbuffer-writer.js';

// Arrow IPC streaming format (https://arrow.apache.org/docs/format/Columnar.html#ipc-streaming-format):
// a Schema message, one RecordBatch message, then the end-of-stream marker. Types: Int32/Int64,
// Float32/Float64, Utf8, Bool and Timestamp(µs, UTC); anything else is written as Utf8.

type ArrowKind = 'int32' | 'int64' | 'float32' | 'float64' | 'utf8' | 'bool' | 'timestamp';

const KIND_BY_TYPE: Record<string, ArrowKind> = {
  INTEGER: 'int32', BIGINT: 'int64', FLOAT: 'float32', DOUBLE: 'float64', VARCHAR: 'utf8', BOOLEAN: 'bool',
  'TIMESTAMP WITH TIME ZONE': 'timestamp', TIMESTAMPTZ: 'timestamp', TIMESTAMP: 'timestamp',
  int32: 'int32', int64: 'int64', float32: 'float32', float64: 'float64', string: 'utf8', bool: 'bool', timestamp: 'timestamp',
};

const u8 = (v: number): FbValue => ({ t: 'u8', v });
const i16 = (v: number): FbValue => ({ t: 'i16', v });
const i32 = (v: number): FbValue => ({ t: 'i32', v });
const bool = (v: boolean): FbValue => ({ t: 'bool', v: v ? 1 : 0 });

// Type union members: 2 Int, 3 FloatingPoint, 5 Utf8, 6 Bool, 10 Timestamp.
function typeOf(kind: ArrowKind): [number, FbNode] {
  switch (kind) {
    case 'int32': return [2, table(i32(32), bool(true))];
    case 'int64': return [2, table(i32(64), bool(true))];
    case 'float32': return [3, table(i16(1))];
    case 'float64': return [3, table(i16(2))];
    case 'utf8': return [5, table()];
    case 'bool': return [6, table()];
    case 'timestamp': return [10, table(i16(2), ref(str('UTC')))];
  }
}

const pad8 = (n: number) => (n + 7) & ~7;

function encodeColumn(kind: ArrowKind, values: unknown[]): { buffers: Uint8Array[]; nulls: number } {
  const n = values.length;
  const validity = new Uint8Array(pad8(Math.ceil(n / 8)));
  let nulls = 0;
  values.forEach((v, i) => {
    if (v === null || v === undefined) nulls++;
    else validity[i >> 3]! |= 1 << (i & 7);
  });
  if (kind === 'utf8') {
    const enc = new TextEncoder();
    const parts = values.map((v) => (v === null || v === undefined ? new Uint8Array(0) : enc.encode(v instanceof Date ? v.toISOString() : String(v))));
    const offsets = new Int32Array(n + 1);
    parts.forEach((p, i) => (offsets[i + 1] = offsets[i]! + p.length));
    const data = new Uint8Array(pad8(offsets[n]!));
    parts.forEach((p, i) => data.set(p, offsets[i]!));
    return { buffers: [validity, padded(new Uint8Array(offsets.buffer)), data], nulls };
  }
  if (kind === 'bool') {
    const bits = new Uint8Array(pad8(Math.ceil(n / 8)));
    values.forEach((v, i) => { if (v === true) bits[i >> 3]! |= 1 << (i & 7); });
    return { buffers: [validity, bits], nulls };
  }
  const width = kind === 'int32' || kind === 'float32' ? 4 : 8;
  const data = new Uint8Array(pad8(n * width));
  const view = new DataView(data.buffer);
  values.forEach((v, i) => {
    if (v === null || v === undefined) return;
    if (kind === 'int32') view.setInt32(i * 4, Number(v), true);
    else if (kind === 'float32') view.setFloat32(i * 4, Number(v), true);
    else if (kind === 'float64') view.setFloat64(i * 8, Number(v), true);
    else if (kind === 'int64') view.setBigInt64(i * 8, BigInt(v as number | bigint), true);
    else view.setBigInt64(i * 8, BigInt(Math.round((v instanceof Date ? v.getTime() : Number(v)) * 1000)), true);
  });
  return { buffers: [validity, data], nulls };
}

const padded = (b: Uint8Array) => {
  const out = new Uint8Array(pad8(b.length));
  out.set(b);
  return out;
};

function message(headerType: number, header: FbNode, bodyLength: number): Uint8Array {
  // Message: version (V5 = 4), header_type, header, bodyLength.
  const fb = finish(table(i16(4), u8(headerType), ref(header), { t: 'i64', v: BigInt(bodyLength) }));
  const out = new Uint8Array(8 + fb.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0xffffffff, true);
  view.setInt32(4, fb.length, true);
  out.set(fb, 8);
  return out;
}

/**
 * Encodes columns (name, DuckDB or Cairn type) and their values as an Arrow IPC stream.
 *
 * @example
 * ```ts
 * const bytes = encodeArrowStream([{ name: 'x', type: 'BIGINT' }], [[1, 2, null]]);
 * ```
 */
export function encodeArrowStream(fields: Array<{ name: string; type: string }>, columns: unknown[][]): Uint8Array {
  const kinds = fields.map((f) => KIND_BY_TYPE[f.type] ?? 'utf8');
  const schemaFields = fields.map((f, i) => {
    const [typeType, type] = typeOf(kinds[i]!);
    return table(ref(str(f.name)), bool(true), u8(typeType), ref(type), undefined, ref({ kind: 'tables', items: [] }));
  });
  const schema = message(1, table(i16(0), ref({ kind: 'tables', items: schemaFields })), 0);
  const length = columns[0]?.length ?? 0;
  const nodes: bigint[][] = [];
  const buffers: bigint[][] = [];
  const body: Uint8Array[] = [];
  let offset = 0;
  kinds.forEach((kind, i) => {
    const col = encodeColumn(kind, columns[i] ?? []);
    nodes.push([BigInt(length), BigInt(col.nulls)]);
    for (const b of col.buffers) {
      buffers.push([BigInt(offset), BigInt(b.length)]);
      body.push(b);
      offset += b.length;
    }
  });
  const batch = table({ t: 'i64', v: BigInt(length) }, ref({ kind: 'structs', items: nodes }), ref({ kind: 'structs', items: buffers }));
  const batchMsg = message(3, batch, offset);
  const eos = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);
  const out = new Uint8Array(schema.length + batchMsg.length + offset + eos.length);
  let at = 0;
  for (const part of [schema, batchMsg, ...body, eos]) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
