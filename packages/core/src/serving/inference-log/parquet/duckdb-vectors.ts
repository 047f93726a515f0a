// A DOUBLE vector's values copied in bulk. @duckdb/node-api's per-item getItem (with a BigInt
// validity test per value) costs ~0.15 µs, 7 s for 1M rows x 50 features; the vector keeps its
// values as a Float64Array and its validity as a bitmask, which are copied here directly. Should a
// release of the library hold them otherwise, this falls back to getItem.
export function copyDoubles(vector: { getItem(i: number): unknown }, col: Float64Array, at: number, n: number): void {
  const inner = vector as unknown as { items?: unknown; validity?: { data?: unknown; offset?: unknown } };
  const items = inner.items;
  const validity = inner.validity;
  if (!(items instanceof Float64Array) || items.length < n || !validity || typeof validity.offset !== 'number' || !(validity.data === null || validity.data instanceof BigUint64Array)) {
    for (let i = 0; i < n; i++) {
      const v = vector.getItem(i) as number | null;
      col[at + i] = v === null ? Number.NaN : v;
    }
    return;
  }
  col.set(items.subarray(0, n), at);
  if (validity.data === null) return;
  const bits = new Uint8Array(validity.data.buffer, validity.data.byteOffset, validity.data.byteLength);
  const offset = validity.offset;
  for (let i = 0; i < n; i++) {
    const b = offset + i;
    if ((bits[b >> 3]! & (1 << (b & 7))) === 0) col[at + i] = Number.NaN;
  }
}
