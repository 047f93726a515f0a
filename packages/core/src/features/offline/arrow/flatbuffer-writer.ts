// A minimal FlatBuffers writer for the Arrow IPC metadata (Schema and RecordBatch messages). Objects
// are laid out front to back: every child is placed after its parent, so all uoffsets point forward.

export type FbValue =
  | { t: 'u8' | 'bool'; v: number }
  | { t: 'i16'; v: number }
  | { t: 'i32'; v: number }
  | { t: 'i64'; v: bigint }
  | { t: 'ref'; v: FbNode };

export type FbNode =
  | { kind: 'table'; fields: Array<FbValue | undefined> }
  | { kind: 'string'; value: string }
  | { kind: 'tables'; items: FbNode[] }
  /** A vector of structs made of int64 members (Arrow's FieldNode and Buffer). */
  | { kind: 'structs'; items: bigint[][] };

const SIZE = { u8: 1, bool: 1, i16: 2, i32: 4, i64: 8, ref: 4 } as const;

export const table = (...fields: Array<FbValue | undefined>): FbNode => ({ kind: 'table', fields });
export const str = (value: string): FbNode => ({ kind: 'string', value });
export const ref = (v: FbNode): FbValue => ({ t: 'ref', v });

class Buf {
  bytes = new Uint8Array(1024);
  view = new DataView(this.bytes.buffer);
  len = 0;
  ensure(n: number) {
    if (this.len + n <= this.bytes.length) return;
    const next = new Uint8Array(Math.max(this.bytes.length * 2, this.len + n));
    next.set(this.bytes);
    this.bytes = next;
    this.view = new DataView(next.buffer);
  }
  align(n: number, offset = 0) {
    while ((this.len + offset) % n !== 0) this.put8(0);
  }
  put8(v: number) { this.ensure(1); this.view.setUint8(this.len, v); this.len += 1; }
  put16(v: number) { this.ensure(2); this.view.setInt16(this.len, v, true); this.len += 2; }
  put32(v: number) { this.ensure(4); this.view.setInt32(this.len, v, true); this.len += 4; }
  put64(v: bigint) { this.ensure(8); this.view.setBigInt64(this.len, v, true); this.len += 8; }
}

/** Serialises a root table into FlatBuffers bytes. */
export function finish(root: FbNode): Uint8Array {
  const b = new Buf();
  const pending: Array<{ at: number; node: FbNode }> = [];
  b.put32(0);
  pending.push({ at: 0, node: root });
  while (pending.length) {
    const { at, node } = pending.shift()!;
    const pos = place(b, node, pending);
    b.view.setUint32(at, pos - at, true);
  }
  b.align(8);
  return b.bytes.slice(0, b.len);
}

function place(b: Buf, node: FbNode, pending: Array<{ at: number; node: FbNode }>): number {
  switch (node.kind) {
    case 'string': {
      const bytes = new TextEncoder().encode(node.value);
      b.align(4);
      const pos = b.len;
      b.put32(bytes.length);
      for (const x of bytes) b.put8(x);
      b.put8(0);
      return pos;
    }
    case 'tables': {
      b.align(4);
      const pos = b.len;
      b.put32(node.items.length);
      for (const item of node.items) {
        pending.push({ at: b.len, node: item });
        b.put32(0);
      }
      return pos;
    }
    case 'structs': {
      b.align(8, 4);
      const pos = b.len;
      b.put32(node.items.length);
      for (const s of node.items) for (const m of s) b.put64(m);
      return pos;
    }
    case 'table': {
      // Inline layout first: soffset, then fields largest-first so each stays aligned.
      const present = node.fields.map((f, i) => ({ f, i })).filter((x): x is { f: FbValue; i: number } => x.f !== undefined);
      present.sort((a, c) => SIZE[c.f.t] - SIZE[a.f.t]);
      const offsets = new Array<number>(node.fields.length).fill(0);
      let size = 4;
      for (const { f, i } of present) {
        size = Math.ceil(size / SIZE[f.t]) * SIZE[f.t];
        offsets[i] = size;
        size += SIZE[f.t];
      }
      size = Math.ceil(size / 8) * 8;
      const vtableLen = 4 + 2 * node.fields.length;
      b.align(8, vtableLen);
      const vpos = b.len;
      b.put16(vtableLen);
      b.put16(size);
      for (const o of offsets) b.put16(o);
      const tpos = b.len;
      b.ensure(size);
      b.bytes.fill(0, tpos, tpos + size);
      b.view.setInt32(tpos, tpos - vpos, true);
      b.len = tpos + size;
      for (const { f, i } of present) {
        const at = tpos + offsets[i]!;
        if (f.t === 'ref') pending.push({ at, node: f.v });
        else if (f.t === 'u8' || f.t === 'bool') b.view.setUint8(at, f.v);
        else if (f.t === 'i16') b.view.setInt16(at, f.v, true);
        else if (f.t === 'i32') b.view.setInt32(at, f.v, true);
        else if (f.t === 'i64') b.view.setBigInt64(at, f.v, true);
      }
      return tpos;
    }
  }
}
