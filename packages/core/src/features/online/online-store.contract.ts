import { expect, it } from 'vitest';
import { encodeEntityKey, encodeValues, type OnlineRecord, type OnlineStore } from './online-store.js';

const k = (...v: unknown[]) => encodeEntityKey(v);
const values = (r: OnlineRecord | null | undefined) => (r ? (JSON.parse(r.valuesJson) as Record<string, unknown>) : null);

/** The behaviour every online store shares; call once per backend with a fresh-store factory. */
export function onlineStoreContract(make: () => Promise<OnlineStore>): void {
  it('reads back what was written, null for unknown entities, in request order with duplicates', async () => {
    const s = await make();
    await s.write('stats', 'driver_id', [{ key: k(1), eventTs: 10, createdTs: null, valuesJson: encodeValues({ rate: 0.5, name: 'a', ok: true, n: null }) }, { key: k(2), eventTs: 11, createdTs: 3, valuesJson: encodeValues({ rate: 2 }) }]);
    const [got] = await s.read([{ view: 'stats', keyspace: 'driver_id', keys: [k(2), k(3), k(1), k(2)] }]);
    expect(got!.map((r) => r && { eventTs: r.eventTs, createdTs: r.createdTs, values: values(r) })).toEqual([
      { eventTs: 11, createdTs: 3, values: { rate: 2 } }, null, { eventTs: 10, createdTs: null, values: { rate: 0.5, name: 'a', ok: true, n: null } }, { eventTs: 11, createdTs: 3, values: { rate: 2 } },
    ]);
  });

  it('never replaces a newer row with an older one (event time, then created time)', async () => {
    const s = await make();
    const w = (eventTs: number, createdTs: number | null, v: number) => s.write('v', 'id', [{ key: k(1), eventTs, createdTs, valuesJson: encodeValues({ v }) }]);
    const read = async () => values((await s.read([{ view: 'v', keyspace: 'id', keys: [k(1)] }]))[0]![0])!.v;
    await w(100, 5, 1);
    await w(99, 50, 2);
    expect(await read()).toBe(1);
    await w(100, 4, 3);
    expect(await read()).toBe(1);
    await w(100, null, 4);
    expect(await read()).toBe(1);
    await w(100, 5, 5);
    expect(await read()).toBe(5);
    await w(100, 6, 6);
    expect(await read()).toBe(6);
    await w(101, null, 7);
    expect(await read()).toBe(7);
  });

  it('keeps the newest row when one batch holds several rows of an entity', async () => {
    const s = await make();
    await s.write('v', 'id', [{ key: k(1), eventTs: 5, createdTs: null, valuesJson: encodeValues({ v: 5 }) }, { key: k(1), eventTs: 3, createdTs: null, valuesJson: encodeValues({ v: 3 }) }]);
    expect(values((await s.read([{ view: 'v', keyspace: 'id', keys: [k(1)] }]))[0]![0])!.v).toBe(5);
  });

  it('keeps views and typed keys apart: (1, 23) vs (12, 3), 1 vs "1"', async () => {
    const s = await make();
    await s.write('a', 'x,y', [{ key: k(1, 23), eventTs: 1, createdTs: null, valuesJson: encodeValues({ f: 'one-23' }) }, { key: k(12, 3), eventTs: 1, createdTs: null, valuesJson: encodeValues({ f: 'twelve-3' }) }]);
    await s.write('b', 'x,y', [{ key: k(1, 23), eventTs: 1, createdTs: null, valuesJson: encodeValues({ g: 'b' }) }]);
    await s.write('c', 'x', [{ key: k(1), eventTs: 1, createdTs: null, valuesJson: encodeValues({ h: 'num' }) }, { key: k('1'), eventTs: 1, createdTs: null, valuesJson: encodeValues({ h: 'str' }) }]);
    const got = await s.read([
      { view: 'a', keyspace: 'x,y', keys: [k(12, 3), k(1, 23)] }, { view: 'b', keyspace: 'x,y', keys: [k(1, 23), k(12, 3)] }, { view: 'c', keyspace: 'x', keys: [k('1'), k(1)] },
    ]);
    expect(got.map((r) => r.map((x) => x && Object.values(values(x)!)[0]))).toEqual([['twelve-3', 'one-23'], ['b', null], ['str', 'num']]);
  });

  it('keeps int64 values and keys beyond 2^53 exact, as JSON number text', async () => {
    const s = await make();
    const big = 9007199254740993n;
    await s.write('big', 'id', [
      { key: k(big), eventTs: 1, createdTs: null, valuesJson: encodeValues({ n: big, m: -9223372036854775808n, small: 7 }) },
      { key: k(9007199254740992), eventTs: 1, createdTs: null, valuesJson: encodeValues({ n: 1 }) },
    ]);
    const [got] = await s.read([{ view: 'big', keyspace: 'id', keys: [k(big), k(9007199254740992)] }]);
    expect(got!.map((r) => r?.valuesJson)).toEqual(['{"n":9007199254740993,"m":-9223372036854775808,"small":7}', '{"n":1}']);
  });

  it('keeps event and created times to the microsecond, and orders rows by them', async () => {
    const s = await make();
    // Epoch ms with microseconds as the fraction: 2024-01-01T10:00:00.000001Z is 1704103200000.001.
    const w = (eventTs: number, createdTs: number | null, v: number) => s.write('us', 'id', [{ key: k(1), eventTs, createdTs, valuesJson: encodeValues({ v }) }]);
    const read = async () => (await s.read([{ view: 'us', keyspace: 'id', keys: [k(1)] }]))[0]![0]!;
    await w(1704103200000.002, null, 1);
    await w(1704103200000.001, null, 2);
    expect(await read()).toEqual({ eventTs: 1704103200000.002, createdTs: null, valuesJson: '{"v":1}' });
    await w(1704103200000.002, 1704103200000.001, 3);
    await w(1704103200000.002, 1704103200000, 4);
    expect(await read()).toEqual({ eventTs: 1704103200000.002, createdTs: 1704103200000.001, valuesJson: '{"v":3}' });
    await w(1704103200000.003, null, 5);
    expect(await read()).toEqual({ eventTs: 1704103200000.003, createdTs: null, valuesJson: '{"v":5}' });
  });

  it('writes large batches and deletes a view without touching others', async () => {
    const s = await make();
    const rows = Array.from({ length: 5000 }, (_, i) => ({ key: k(i), eventTs: i, createdTs: null, valuesJson: encodeValues({ i }) }));
    await s.write('big', 'id', rows);
    await s.write('other', 'id', rows.slice(0, 10));
    const [got] = await s.read([{ view: 'big', keyspace: 'id', keys: [k(0), k(4999), k(5000)] }]);
    expect(got!.map((r) => values(r)?.i ?? null)).toEqual([0, 4999, null]);
    await s.deleteView('big', 'id');
    const after = await s.read([{ view: 'big', keyspace: 'id', keys: [k(0)] }, { view: 'other', keyspace: 'id', keys: [k(0)] }]);
    expect(after.map((r) => values(r[0])?.i ?? null)).toEqual([null, 0]);
  });
}
