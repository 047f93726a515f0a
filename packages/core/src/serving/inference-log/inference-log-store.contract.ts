import { expect, it } from 'vitest';
import type { InferenceRecord } from './entities.js';
import type { InferenceLogStore } from './inference-log-store.js';
import { summarizeRows, type InputSummarySpec } from './input-summary.js';

const rec = (i: number, over: Partial<InferenceRecord> = {}): InferenceRecord => ({
  requestId: `req-${i}`, row: 0, model: 'contract', version: 1, time: 1_700_000_000_000 + i * 1000, entity: i % 2 ? JSON.stringify({ id: i }) : null,
  inputs: { x: i / 2, n: i, city: i % 3 ? 'lyon' : null }, output: i / 10, latencyMs: 1.5, ...over,
});

/** The contract every inference log store passes (Parquet in the artifact store, the database). */
export function inferenceLogStoreContract(store: () => InferenceLogStore): void {
  it('reads back what was appended, column by column, in the window and version asked', async () => {
    await store().append(Array.from({ length: 10 }, (_, i) => rec(i)));
    await store().append([rec(100, { version: 2 }), rec(101, { model: 'other' })]);
    const rows = await store().read({ model: 'contract', version: 1, from: 1_700_000_000_000 + 2000, to: 1_700_000_000_000 + 8000 });
    expect(rows.count).toBe(6);
    const order = Array.from({ length: rows.count }, (_, i) => i).sort((a, b) => rows.times[a]! - rows.times[b]!);
    expect(order.map((i) => rows.requestIds[i])).toEqual(['req-2', 'req-3', 'req-4', 'req-5', 'req-6', 'req-7']);
    expect(order.map((i) => Number(rows.inputs.get('x')![i]))).toEqual([1, 1.5, 2, 2.5, 3, 3.5]);
    expect(order.map((i) => rows.inputs.get('city')![i])).toEqual(['lyon', null, 'lyon', 'lyon', null, 'lyon']);
    expect(order.map((i) => rows.outputs[i])).toEqual([0.2, 0.3, 0.4, 0.5, 0.6, 0.7]);
    expect(order.map((i) => rows.entities[i])).toEqual([null, '{"id":3}', null, '{"id":5}', null, '{"id":7}']);
    expect(new Set(rows.versions)).toEqual(new Set([1]));
    const all = await store().read({ model: 'contract', from: 0, to: 2_000_000_000_000 });
    expect(all.count).toBe(11);
  });

  it('keeps outputs that are not numbers, and answers an empty window with no rows', async () => {
    await store().append([rec(200, { model: 'labels', output: ['a', 0.3] }), rec(201, { model: 'labels', output: 'b' })]);
    const rows = await store().read({ model: 'labels', from: 0, to: 2_000_000_000_000 });
    expect(new Set(rows.outputs.map((o) => JSON.stringify(o)))).toEqual(new Set(['["a",0.3]', '"b"']));
    expect((await store().read({ model: 'nobody', from: 0, to: 1 })).count).toBe(0);
  });

  it('stores a named batch once however often it is appended (a batch written again from the spool after a crash)', async () => {
    // Two days, so the batch spans two partitions.
    const batch = [rec(400, { model: 'again' }), rec(401, { model: 'again', time: 1_700_000_000_000 + 86_400_000 }), rec(402, { model: 'again', row: 1, requestId: 'req-400' })];
    await store().append(batch, { batch: '4242-1700000000000-7' });
    await store().append(batch, { batch: '4242-1700000000000-7' });
    const rows = await store().read({ model: 'again', from: 0, to: 2_000_000_000_000 });
    expect(rows.count).toBe(3);
    // An unnamed batch is stored each time.
    await store().append([rec(403, { model: 'again' })]);
    expect((await store().read({ model: 'again', from: 0, to: 2_000_000_000_000 })).count).toBe(4);
  });

  it('counts a request id sent twice to one model once (the first), and once in each model it was sent to', async () => {
    await store().append([rec(500, { model: 'retry', requestId: 'again', output: 0.1 }), rec(500, { model: 'retry', requestId: 'again', row: 1, output: 0.2 })]);
    await store().append([rec(501, { model: 'retry', requestId: 'again', output: 0.9 }), rec(502, { model: 'retry', requestId: 'other' })]);
    await store().append([rec(503, { model: 'retry-b', requestId: 'again', output: 0.7 })]);
    const rows = await store().read({ model: 'retry', from: 0, to: 2_000_000_000_000 });
    const byKey = new Map(Array.from({ length: rows.count }, (_, i) => [`${rows.requestIds[i]}/${rows.rows[i]}`, rows.outputs[i]]));
    expect(byKey).toEqual(new Map<string, unknown>([['again/0', 0.1], ['again/1', 0.2], ['other/0', 50.2]]));
    const requests = await store().requests({ model: 'retry', from: 0, to: 2_000_000_000_000 });
    expect([...requests.rows].sort()).toEqual([1, 2]);
    expect((await store().summarizeInputs({ model: 'retry', from: 0, to: 2_000_000_000_000 }, { numeric: [], categorical: [] })).rows).toBe(3);
    expect((await store().read({ model: 'retry-b', from: 0, to: 2_000_000_000_000 })).outputs).toEqual([0.7]);
  });

  it('answers one entry per request with its time, latency, version and row count', async () => {
    const base = { model: 'traffic', latencyMs: 4 };
    await store().append([rec(300, { ...base, requestId: 'r1', row: 0 }), rec(300, { ...base, requestId: 'r1', row: 1 }), rec(300, { ...base, requestId: 'r1', row: 2 })]);
    await store().append([rec(305, { ...base, requestId: 'r2', latencyMs: 12, version: 2 }), rec(900, { ...base, requestId: 'late' })]);
    const got = await store().requests({ model: 'traffic', from: 0, to: 1_700_000_000_000 + 600_000 });
    expect(got.count).toBe(2);
    const order = [0, 1].sort((a, b) => got.times[a]! - got.times[b]!);
    expect(order.map((i) => [got.times[i], got.latencyMs[i], got.versions[i], got.rows[i]])).toEqual([
      [1_700_000_000_000 + 300_000, 4, 1, 3], [1_700_000_000_000 + 305_000, 12, 2, 1],
    ]);
    expect((await store().requests({ model: 'traffic', version: 2, from: 0, to: 2_000_000_000_000 })).count).toBe(1);
    expect((await store().requests({ model: 'nobody', from: 0, to: 1 })).count).toBe(0);
  });

  it('summarizes inputs exactly as the in-memory reference does: numbers, numbers as text, categories, nulls, ranges', async () => {
    const ps = (f: (k: number) => number) => Array.from({ length: 101 }, (_, k) => f(k));
    const spec: InputSummarySpec = {
      numeric: [
        { name: 'x', percentiles: ps((k) => k / 10), lo: 0, hi: 9 },
        // A discrete feature: many percentiles share a value.
        { name: 'level', percentiles: ps((k) => (k < 40 ? 0 : k < 90 ? 1 : 2)), lo: null, hi: 2 },
        { name: 'spelled', percentiles: ps((k) => k), lo: null, hi: null },
        { name: 'no_reference', percentiles: null, lo: 1, hi: null },
        { name: 'never_logged', percentiles: ps((k) => k), lo: null, hi: null },
      ],
      categorical: [
        { name: 'city', known: ['lyon', 'paris', "o'hare"], allowed: ['lyon', 'paris'] },
        { name: 'code', known: ['1', '2', '2.5'], allowed: null },
        { name: 'empty_known', known: [], allowed: [] },
      ],
    };
    const cities = ['lyon', 'paris', "o'hare", 'nice', null];
    const spelled = ['5', ' 7', 'x', '', null, '1e1', 'Infinity'];
    await store().append(Array.from({ length: 240 }, (_, i) => rec(i, {
      model: 'summary', requestId: `s-${i}`,
      inputs: {
        x: i % 17 === 0 ? null : (i % 23) / 2, level: i % 5 === 0 ? 3 : i % 3, spelled: spelled[i % spelled.length], no_reference: i % 4,
        city: cities[i % cities.length], code: i % 6 === 5 ? null : (i % 4) + (i % 8 === 3 ? 0.5 : 0), empty_known: i % 2 ? 'a' : null,
      },
    })));
    const window = { model: 'summary', version: 1, from: 0, to: 2_000_000_000_000 };
    const got = await store().summarizeInputs(window, spec);
    const expected = summarizeRows(await store().read(window), spec);
    expect(got.rows).toBe(240);
    expect([...got.features.keys()].sort()).toEqual(['city', 'code', 'empty_known', 'level', 'no_reference', 'spelled', 'x']);
    for (const [name, summary] of expected.features) expect(got.features.get(name), name).toEqual(summary);
    // A few figures by hand, so the reference itself is pinned.
    const x = got.features.get('x')!;
    expect(x.kind === 'numeric' && [x.present, x.outside]).toEqual([225, 37]);
    const city = got.features.get('city')!;
    expect(city.kind === 'categorical' && [city.present, city.counts, city.unseen, city.disallowed]).toEqual([192, [48, 48, 48], 48, 96]);
    const spelledSummary = got.features.get('spelled')!;
    // '5', ' 7' and '1e1' spell numbers; 'x', '', null and 'Infinity' do not.
    expect(spelledSummary.kind === 'numeric' && spelledSummary.present).toBe(104);
    // An empty window summarizes to nothing, and a small sample stays spread and sorted.
    expect((await store().summarizeInputs({ ...window, to: 1 }, spec)).rows).toBe(0);
    const sampled = (await store().summarizeInputs(window, { ...spec, sampleSize: 40 })).features.get('no_reference');
    expect(sampled?.kind === 'numeric' && sampled.live).toBeNull();
    const xs = (await store().summarizeInputs(window, { ...spec, sampleSize: 40 })).features.get('x');
    const sample = xs?.kind === 'numeric' ? Array.from(xs.live!.sample) : [];
    expect(sample.length).toBeGreaterThan(10);
    expect(sample.length).toBeLessThan(120);
    expect(sample).toEqual([...sample].sort((a, b) => a - b));
  });
}
