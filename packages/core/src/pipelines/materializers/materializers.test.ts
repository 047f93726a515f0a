import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalArtifactStore } from '../../artifacts/index.js';
import { file, folder, model, table, type FileArtifact, type FolderArtifact, type ModelArtifact, type Table } from '../artifact-values.js';
import { ArtifactObjects } from './artifact-objects.js';
import { jsonProblem } from './json-check.js';
import { materializerForKind, materializerForValue } from './registry.js';

const dir = mkdtempSync(join(tmpdir(), 'cairn-mat-'));
const store = new LocalArtifactStore(join(dir, 'store'));
const objects = new ArtifactObjects(store, join(dir, 'cache'));
// A second cache folder: reads go through the artifact store, not the writer's local copy.
const reader = new ArtifactObjects(store, join(dir, 'cache2'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function roundTrip(value: unknown) {
  const m = materializerForValue(value);
  const saved = await objects.save(m, (d) => m.write(value, d));
  return { saved, back: await m.read(await reader.fetch(saved)) };
}

describe('materializers', () => {
  it('stores JSON canonically: equal values, equal digests', async () => {
    const a = await roundTrip({ b: [1, 'x', null, true], a: { z: 1, y: 2 } });
    const b = await roundTrip({ a: { y: 2, z: 1 }, b: [1, 'x', null, true] });
    expect(a.saved).toMatchObject({ materializer: 'json@1', kind: 'json', fileCount: 1 });
    expect(a.saved.digest).toBe(b.saved.digest);
    expect(a.back).toEqual({ a: { y: 2, z: 1 }, b: [1, 'x', null, true] });
    expect((await roundTrip(0.1)).saved.kind).toBe('number');
  });

  it('stores tables as Parquet and reads back the same values and types', async () => {
    const rows = [
      { id: 1, score: 0.5, name: 'a', day: '2024-01-01', ok: true, tags: ['x'], big: 2 ** 40 },
      { id: 2, score: 2, name: null, day: 'x', ok: false, tags: [], big: 3 },
    ];
    const { saved, back } = await roundTrip(table(rows));
    expect(saved).toMatchObject({ materializer: 'table-parquet@1', kind: 'table' });
    const t = back as Table;
    expect(t.rows).toEqual(rows);
    expect(readFileSync(t.path!).subarray(0, 4).toString('latin1')).toBe('PAR1');
    expect(((await roundTrip(table([]))).back as Table).rows).toEqual([]);
  });

  it('stores files, folders and model folders with their metadata', async () => {
    const src = join(dir, 'src');
    mkdirSync(join(src, 'm', 'sub'), { recursive: true });
    writeFileSync(join(src, 'report.html'), '<h1>hi</h1>');
    writeFileSync(join(src, 'm', 'weights.bin'), Buffer.from([1, 2, 3]));
    writeFileSync(join(src, 'm', 'sub', 'vocab.txt'), 'a\nb\n');
    const f = (await roundTrip(file(join(src, 'report.html')))).back as FileArtifact;
    expect(f.path.endsWith('report.html')).toBe(true);
    expect(readFileSync(f.path, 'utf8')).toBe('<h1>hi</h1>');
    const d = await roundTrip(folder(join(src, 'm')));
    expect(d.saved.fileCount).toBe(2);
    expect(readFileSync(join((d.back as FolderArtifact).path, 'sub', 'vocab.txt'), 'utf8')).toBe('a\nb\n');
    const m = (await roundTrip(model(join(src, 'm'), { framework: 'xgboost', auc: 0.9 }))).back as ModelArtifact;
    expect(m.metadata).toEqual({ framework: 'xgboost', auc: 0.9 });
    expect(readFileSync(join(m.path, 'weights.bin'))).toEqual(Buffer.from([1, 2, 3]));
  });

  it('refuses values JSON would silently change, naming the path', () => {
    const cyc: Record<string, unknown> = {};
    cyc.self = cyc;
    expect(jsonProblem({ a: [1, Number.NaN] })).toBe('value.a[1] is NaN (JSON has no NaN or Infinity)');
    expect(jsonProblem({ when: new Date(0) })).toBe('value.when is a Date instance (convert it to plain data, e.g. date.toISOString())');
    expect(jsonProblem({ m: new Map() })).toBe('value.m is a Map instance (convert it to plain data)');
    expect(jsonProblem({ n: 1n })).toBe('value.n is a bigint (convert it to a number or string)');
    expect(jsonProblem([undefined])).toBe('value[0] is undefined');
    expect(jsonProblem(cyc)).toBe('value.self refers back to an enclosing object (a cycle)');
    expect(jsonProblem({ 'odd key': { ok: [1, 'x', null] } })).toBeNull();
  });

  it('adopts command outputs by declared kind and rejects what does not match', async () => {
    const out = join(dir, 'out');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'auc.txt'), '0.93\n');
    const num = materializerForKind('number');
    const saved = await objects.save(num, (d) => num.adopt(join(out, 'auc.txt'), d));
    expect(await num.read(await reader.fetch(saved))).toBe(0.93);
    writeFileSync(join(out, 'fake.parquet'), 'not parquet');
    const tbl = materializerForKind('table');
    await expect(objects.save(tbl, (d) => tbl.adopt(join(out, 'fake.parquet'), d))).rejects.toThrow(/is not a Parquet file/);
  });

  it('detects missing and corrupted artifacts', async () => {
    const { saved } = await roundTrip({ precious: true });
    const fresh = new ArtifactObjects(store, join(dir, 'cache3'));
    writeFileSync(join(store.root, saved.uri, 'value.json'), '{"precious":false}');
    await expect(fresh.fetch(saved)).rejects.toThrow(/does not match its recorded sha256/);
    await store.delete(saved.uri);
    expect(await fresh.exists(saved)).toBe(false);
    await expect(new ArtifactObjects(store, join(dir, 'cache4')).fetch(saved)).rejects.toThrow(/is missing from the artifact store/);
  });

  it('fetches of the same artifact racing into one cache folder never remove a copy another caller is reading', async () => {
    const m = materializerForValue({ big: 'x'.repeat(200_000) });
    const saved = await objects.save(m, (d) => m.write({ big: 'x'.repeat(200_000) }, d));
    // Two processes' worth of callers sharing one project's cache folder.
    const shared = [new ArtifactObjects(store, join(dir, 'shared')), new ArtifactObjects(store, join(dir, 'shared'))];
    const problems: string[] = [];
    for (let round = 0; round < 40; round++) {
      rmSync(join(dir, 'shared', 'objects'), { recursive: true, force: true });
      await Promise.all(Array.from({ length: 8 }, async (_, k) => {
        const local = await shared[k % 2]!.fetch(saved);
        try {
          readFileSync(join(local, 'value.json'));
        } catch (e) {
          problems.push((e as Error).message);
        }
      }));
    }
    expect(problems).toEqual([]);
  });
});
