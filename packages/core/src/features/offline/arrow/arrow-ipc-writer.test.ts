import { describe, expect, it } from 'vitest';
import { encodeArrowStream } from './arrow-ipc-writer.js';

// An independent reader written from the FlatBuffers and Arrow IPC specifications: tables through
// their vtables, vectors of offsets and structs, then the record batch buffers.
class Fb {
  constructor(readonly v: DataView, readonly base: number) {}
  root(): number { return this.base + this.v.getUint32(this.base, true); }
  field(table: number, id: number): number | null {
    const vt = table - this.v.getInt32(table, true);
    const vtLen = this.v.getUint16(vt, true);
    if (4 + id * 2 >= vtLen) return null;
    const off = this.v.getUint16(vt + 4 + id * 2, true);
    return off ? table + off : null;
  }
  deref(at: number): number { return at + this.v.getUint32(at, true); }
  str(at: number): string { const p = this.deref(at); return new TextDecoder().decode(new Uint8Array(this.v.buffer, this.v.byteOffset + p + 4, this.v.getUint32(p, true))); }
  vec(at: number): { len: number; start: number } { const p = this.deref(at); return { len: this.v.getUint32(p, true), start: p + 4 }; }
}

function read(bytes: Uint8Array) {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  const messages: Array<{ fb: Fb; header: number; type: number; bodyStart: number; bodyLength: number }> = [];
  for (;;) {
    expect(v.getUint32(pos, true)).toBe(0xffffffff);
    const len = v.getInt32(pos + 4, true);
    if (len === 0) break;
    expect(len % 8).toBe(0);
    const fb = new Fb(v, pos + 8);
    const msg = fb.root();
    expect(v.getInt16(fb.field(msg, 0)!, true)).toBe(4);
    const type = v.getUint8(fb.field(msg, 1)!);
    const header = fb.deref(fb.field(msg, 2)!);
    const bodyLength = Number(fb.field(msg, 3) === null ? 0n : v.getBigInt64(fb.field(msg, 3)!, true));
    messages.push({ fb, header, type, bodyStart: pos + 8 + len, bodyLength });
    pos += 8 + len + bodyLength;
  }
  expect(pos + 8).toBe(bytes.length);
  const [schema, batch] = messages;
  expect([schema!.type, batch!.type]).toEqual([1, 3]);
  const sfb = schema!.fb;
  const fields = sfb.vec(sfb.field(schema!.header, 1)!);
  const cols = Array.from({ length: fields.len }, (_, i) => {
    const f = sfb.deref(fields.start + i * 4);
    const typeType = v.getUint8(sfb.field(f, 2)!);
    const t = sfb.deref(sfb.field(f, 3)!);
    const detail = typeType === 2 ? `int${v.getInt32(sfb.field(t, 0)!, true)}` : typeType === 3 ? `float${v.getInt16(sfb.field(t, 0)!, true)}` : typeType === 10 ? `ts${v.getInt16(sfb.field(t, 0)!, true)}:${sfb.str(sfb.field(t, 1)!)}` : String(typeType);
    return { name: sfb.str(sfb.field(f, 0)!), nullable: v.getUint8(sfb.field(f, 1)!) === 1, detail };
  });
  const bfb = batch!.fb;
  const length = Number(v.getBigInt64(bfb.field(batch!.header, 0)!, true));
  const nodes = bfb.vec(bfb.field(batch!.header, 1)!);
  const bufs = bfb.vec(bfb.field(batch!.header, 2)!);
  expect(nodes.start % 8).toBe(0);
  const buffer = (i: number) => ({ offset: Number(v.getBigInt64(bufs.start + i * 16, true)) + batch!.bodyStart, length: Number(v.getBigInt64(bufs.start + i * 16 + 8, true)) });
  let b = 0;
  const values = cols.map((c, ci) => {
    const nulls = Number(v.getBigInt64(nodes.start + ci * 16 + 8, true));
    const valid = buffer(b++);
    const isValid = (i: number) => (v.getUint8(valid.offset + (i >> 3)) >> (i & 7)) & 1;
    const out: unknown[] = [];
    if (c.detail === '5') {
      const offs = buffer(b++);
      const data = buffer(b++);
      for (let i = 0; i < length; i++) {
        const s = v.getInt32(offs.offset + i * 4, true);
        const e = v.getInt32(offs.offset + i * 4 + 4, true);
        out.push(isValid(i) ? new TextDecoder().decode(bytes.subarray(data.offset + s, data.offset + e)) : null);
      }
    } else {
      const data = buffer(b++);
      for (let i = 0; i < length; i++) {
        if (!isValid(i)) { out.push(null); continue; }
        if (c.detail === '6') out.push(((v.getUint8(data.offset + (i >> 3)) >> (i & 7)) & 1) === 1);
        else if (c.detail === 'int32') out.push(v.getInt32(data.offset + i * 4, true));
        else if (c.detail === 'int64') out.push(Number(v.getBigInt64(data.offset + i * 8, true)));
        else if (c.detail === 'float2') out.push(v.getFloat64(data.offset + i * 8, true));
        else out.push(Number(v.getBigInt64(data.offset + i * 8, true)) / 1000);
      }
    }
    expect(out.filter((x) => x === null).length).toBe(nulls);
    return out;
  });
  return { cols, length, values };
}

describe('Arrow IPC stream writer', () => {
  it('writes a schema and a record batch that a spec reader decodes back', () => {
    const fields = [
      { name: 'id', type: 'BIGINT' }, { name: 'n', type: 'INTEGER' }, { name: 'rate', type: 'DOUBLE' }, { name: 'name', type: 'VARCHAR' },
      { name: 'ok', type: 'BOOLEAN' }, { name: 'at', type: 'TIMESTAMP WITH TIME ZONE' },
    ];
    const t = Date.UTC(2024, 0, 1);
    const columns = [[1, 2, null, 4], [7, null, -3, 0], [0.5, null, 1e300, -2], ['a', 'été', null, ''], [true, false, null, true], [new Date(t), null, new Date(t + 1), new Date(0)]];
    const out = read(encodeArrowStream(fields, columns));
    expect(out.cols.map((c) => `${c.name}:${c.detail}`)).toEqual(['id:int64', 'n:int32', 'rate:float2', 'name:5', 'ok:6', 'at:ts2:UTC']);
    expect(out.length).toBe(4);
    expect(out.values.slice(0, 5)).toEqual(columns.slice(0, 5));
    expect(out.values[5]).toEqual([t, null, t + 1, 0]);
  });

  it('writes an empty result', () => {
    const out = read(encodeArrowStream([{ name: 'x', type: 'DOUBLE' }], [[]]));
    expect(out.length).toBe(0);
  });
});
