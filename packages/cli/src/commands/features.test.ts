import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTestPlatform, type TestPlatform } from '@cairn/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { DEFINE, definitionsSource, H, T0, writeFeatureProject } from '../../../core/src/features/testing/feature-project.js';
import { runCli } from '../testing/cli-process.js';

describe('cairn features', () => {
  let t: TestPlatform;
  const cli = (...args: string[]) => runCli(args, { cwd: t.dir });

  beforeAll(async () => {
    t = await makeTestPlatform('sqlite');
    writeFileSync(join(t.dir, 'cairn.yaml'), `store:\n  uri: ${JSON.stringify(t.storeUri)}\n`);
    await writeFeatureProject(t.dir);
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it('plans, applies, lists and shows definitions', async () => {
    const plan = await cli('features', 'plan');
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/^\+ featureView driver_stats$/m);
    const apply = await cli('features', 'apply');
    expect(apply.stdout).toContain('Applied registry version 1.');
    expect((await cli('features', 'plan')).stdout).toContain('No changes');
    expect((await cli('features', 'list')).stdout).toMatch(/featureView\s+driver_stats\s+v1/);
    const show = await cli('features', 'show', 'driver_stats', '--json');
    expect(JSON.parse(show.stdout).objects[0].spec.ttlMs).toBe(2 * H);
    expect((await cli('features', 'show', 'nope')).code).toBe(1);
  });

  it('materializes with progress, reads online, and writes a training set', async () => {
    await cli('features', 'apply');
    const mat = await cli('features', 'materialize', new Date(T0).toISOString(), new Date(T0 + 5 * H).toISOString());
    expect(mat.code).toBe(0);
    expect(mat.stdout).toMatch(/driver_stats\s+SUCCEEDED\s+5/);
    expect(mat.stderr).toMatch(/2\/2 views/);
    const online = await cli('features', 'get-online', '--entity', 'driver_id=2', '--features', 'driver_stats:conv_rate,driver_stats:trips', '--at', String(T0 + 5 * H), '--json');
    expect(JSON.parse(online.stdout).results.map((r: { values: unknown[] }) => r.values[0])).toEqual([0.0205, 2005]);
    const inc = await cli('features', 'materialize-incremental', String(T0 + 6 * H), '--views', 'driver_stats');
    expect(inc.stdout).toMatch(/driver_stats\s+SUCCEEDED/);

    writeFileSync(join(t.dir, 'labels.csv'), `driver_id,event_timestamp,label\n2,${new Date(T0 + H).toISOString()},1\n7,${new Date(T0).toISOString()},0\n`);
    const hist = await cli('features', 'get-historical', '--entities', 'labels.csv', '--features', 'driver_stats:trips', '--out', 'train.csv');
    expect(hist.code).toBe(0);
    expect(hist.stdout).toMatch(/Wrote 2 rows to train.csv \(training dataset [0-9a-f]{32}/);
    const csv = readFileSync(join(t.dir, 'train.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('driver_id,event_timestamp,label,trips');
    expect(csv.slice(1).map((l) => l.split(',').at(-1))).toEqual(['2001', '']);
  });

  it('reports bad entity files and unknown features (exit 1), bad options (exit 2)', async () => {
    await cli('features', 'apply');
    writeFileSync(join(t.dir, 'nokey.csv'), `id,event_timestamp\n1,${new Date(T0).toISOString()}\n`);
    const nokey = await cli('features', 'get-historical', '--entities', 'nokey.csv', '--features', 'driver_stats:trips', '--out', 'x.parquet');
    expect(nokey.code).toBe(1);
    expect(nokey.stderr).toContain("join key column 'driver_id'");
    const unknown = await cli('features', 'get-online', '--entity', 'driver_id=1', '--features', 'driver_stats:nope');
    expect([unknown.code, unknown.stderr.includes("'driver_stats:nope'")]).toEqual([1, true]);
    expect((await cli('features', 'get-online', '--entity', 'oops', '--features', 'driver_stats:trips')).code).toBe(2);
  });

  it('writes a feature service\'s training set as Parquet', async () => {
    await cli('features', 'apply');
    writeFileSync(join(t.dir, 'labels2.csv'), `driver_id,event_timestamp,bonus\n2,${new Date(T0 + H).toISOString()},1\n7,${new Date(T0).toISOString()},0\n`);
    const hist = await cli('features', 'get-historical', '--entities', 'labels2.csv', '--service', 'ranking', '--out', 'out/train.parquet');
    expect([hist.code, hist.stderr]).toEqual([0, '']);
    expect(hist.stdout).toMatch(/Wrote 2 rows to out\/train.parquet/);
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const rows = (await conn.runAndReadAll(`SELECT driver_id, bonus, conv_rate, trips, conv_plus_bonus FROM read_parquet('${join(t.dir, 'out', 'train.parquet')}')`)).getRowObjectsJS();
    conn.closeSync();
    expect(rows.map((r) => [Number(r.driver_id), Number(r.bonus), r.conv_rate, r.trips === null ? null : Number(r.trips), r.conv_plus_bonus])).toEqual([[2, 1, 0.0201, 2001, 1.0201], [7, 0, null, null, null]]);
  });

  // Last: it leaves a forced, retyped definition applied.
  it('fails plan --fail-on-breaking and apply on a breaking change; apply --force applies it', async () => {
    await cli('features', 'apply');
    writeFileSync(join(t.dir, 'features', 'drivers.ts'), definitionsSource({ convType: 'string' }));
    const plan = await cli('features', 'plan', '--fail-on-breaking');
    expect(plan.code).toBe(1);
    expect(plan.stdout).toContain('Breaking changes');
    expect(plan.stderr).toMatch(/would break feature service ranking/);
    expect((await cli('features', 'plan')).code).toBe(0);
    const refused = await cli('features', 'apply');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('driver_stats:conv_rate');
    const forced = await cli('features', 'apply', '--force');
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(/Applied registry version \d+\./);
    expect(JSON.parse((await cli('features', 'show', 'driver_stats', '--json')).stdout).objects[0].spec.features[0]).toEqual({ name: 'conv_rate', type: 'string' });
  });
});

describe('cairn features: every view, several entities, typed keys, checked definitions', () => {
  let t: TestPlatform;
  const cli = (...args: string[]) => runCli(args, { cwd: t.dir });
  const DEFS = (zoneEntities: string) => `import { entity, featureView, fileSource } from ${JSON.stringify(DEFINE)};
export const zone = entity({ name: 'zone', joinKeys: { zone_code: 'string' } });
export const zones = featureView({ name: 'zone_stats', entities: ${zoneEntities}, schema: { n: 'int64' },
  source: fileSource({ name: 'zones', path: 'data/zones.csv', timestampField: 'ts' }) });
export const bad = featureView({ name: 'aaa_bad', entities: [zone], schema: { x: 'int64' },
  source: fileSource({ name: 'bad', path: 'data/bad.csv', timestampField: 'ts' }) });
`;

  beforeAll(async () => {
    t = await makeTestPlatform('sqlite');
    writeFileSync(join(t.dir, 'cairn.yaml'), `store:\n  uri: ${JSON.stringify(t.storeUri)}\n`);
    mkdirSync(join(t.dir, 'features'), { recursive: true });
    mkdirSync(join(t.dir, 'data'), { recursive: true });
    writeFileSync(join(t.dir, 'features', 'zones.ts'), DEFS('[zone]'));
    writeFileSync(join(t.dir, 'data', 'zones.csv'), 'zone_code,ts,n\n7,2024-01-01T10:00:00Z,70\n8,2024-01-01T10:00:00Z,80\n');
    writeFileSync(join(t.dir, 'data', 'bad.csv'), 'zone_code,ts,x\n7,2024-01-01T10:00:00Z,notanumber\n');
    expect((await cli('features', 'apply')).code).toBe(0);
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it('materializes every view when one fails, prints each outcome (--json too) and exits 1', async () => {
    const res = await cli('features', 'materialize', '2024-01-01T00:00:00Z', '2024-01-01T12:00:00Z', '--json');
    expect(res.code).toBe(1);
    const summary = JSON.parse(res.stdout) as { failed: number; views: Array<{ view: string; status: string; rows: number; watermark: number | null; error: { code: string } | null }> };
    expect(summary.failed).toBe(1);
    expect(summary.views.map((v) => [v.view, v.status, v.rows, v.watermark, v.error?.code ?? null])).toEqual([
      ['aaa_bad', 'FAILED', 0, null, 'INVALID_ARGUMENT'], ['zone_stats', 'SUCCEEDED', 2, Date.parse('2024-01-01T12:00:00Z'), null],
    ]);
    expect(res.stderr).toMatch(/error: 1 of 2 views failed to materialize[^]*Materializing 'aaa_bad' failed/);
    const table = await cli('features', 'materialize-incremental', '2024-01-01T12:00:00Z');
    expect(table.code).toBe(1);
    expect(table.stdout).toMatch(/aaa_bad\s+FAILED\s+0/);
    expect(table.stdout).toMatch(/zone_stats\s+SUCCEEDED\s+0/);
  });

  it('reads several entities (a repeated key starts the next) and takes number-like text as a string key', async () => {
    await cli('features', 'materialize', '2024-01-01T00:00:00Z', '2024-01-01T12:00:00Z', '--views', 'zone_stats');
    const json = await cli('features', 'get-online', '--entity', 'zone_code=7', '--entity', 'zone_code=8', '--entity', 'zone_code=9', '--features', 'zone_stats:n', '--at', '2024-01-02T00:00:00Z', '--json');
    expect([json.code, json.stderr]).toEqual([0, '']);
    expect(JSON.parse(json.stdout).results[0]).toEqual({ values: [70, 80, null], statuses: ['PRESENT', 'PRESENT', 'NOT_FOUND'], eventTimestamps: [Date.parse('2024-01-01T10:00:00Z'), Date.parse('2024-01-01T10:00:00Z'), null] });
    const table = await cli('features', 'get-online', '--entity', 'zone_code=7', '--entity', 'zone_code=8', '--features', 'zone_stats:n', '--at', '2024-01-02T00:00:00Z');
    expect(table.stdout).toMatch(/^ENTITY\s+FEATURE\s+VALUE\s+STATUS/);
    expect(table.stdout).toMatch(/zone_code=7\s+n\s+70\s+PRESENT/);
    expect(table.stdout).toMatch(/zone_code=8\s+n\s+80\s+PRESENT/);
    const uneven = await cli('features', 'get-online', '--entity', 'zone_code=7', '--entity', 'bonus=1', '--entity', 'zone_code=8', '--features', 'zone_stats:n');
    expect(uneven.code).toBe(2);
    expect(uneven.stderr).toContain('entity 2 has zone_code but entity 1 has bonus, zone_code');
  });

  it('refuses a definition of the wrong shape, naming the object and field (not a bug in Cairn)', async () => {
    writeFileSync(join(t.dir, 'features', 'zones.ts'), DEFS('zone'));
    try {
      const plan = await cli('features', 'plan');
      expect(plan.code).toBe(1);
      expect(plan.stderr).toMatch(/^error: Feature view 'zone_stats' \(features\/zones\.ts, export zones\): 'entities' must be an array of entities, e\.g\. entities: \[customer\]; got the entity 'zone'\.\n$/);
    } finally {
      writeFileSync(join(t.dir, 'features', 'zones.ts'), DEFS('[zone]'));
    }
  });
});
