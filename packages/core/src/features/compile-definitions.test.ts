import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.js';
import { compileDefinitions } from './compile-definitions.js';
import { entity, featureService, featureView, fileSource, onDemandFeatureView, postgresSource } from './define.js';
import type { FeatureViewSpec } from './entities.js';

const driver = entity({ name: 'driver', joinKeys: { driver_id: 'int64' } });
const src = fileSource({ name: 'trips', path: 'trips.parquet', timestampField: 'ts' });
const view = featureView({ name: 'stats', entities: [driver], source: src, schema: { rate: 'float64' }, ttl: '1d2h' });

describe('compiling definitions', () => {
  it('resolves entities and sources into self-contained view specs', () => {
    const { specs } = compileDefinitions([view]);
    const v = specs.find((s) => s.kind === 'featureView') as FeatureViewSpec;
    expect(v).toMatchObject({ joinKeys: [{ name: 'driver_id', type: 'int64' }], ttlMs: 26 * 3_600_000, online: true, source: { type: 'file', format: 'parquet' } });
    expect(specs.map((s) => s.kind).sort()).toEqual(['entity', 'featureView', 'source']);
  });

  it('refuses bad names, types, references and duplicates, naming them', () => {
    const bad = (defs: unknown[], msg: RegExp) => expect(() => compileDefinitions(defs as never)).toThrow(msg);
    bad([featureView({ name: 'bad-name', entities: [driver], source: src, schema: { rate: 'float64' } })], /'bad-name' is not a valid name/);
    bad([featureView({ name: 'v', entities: [driver], source: src, schema: { rate: 'decimal' as never } })], /unknown type 'decimal'/);
    bad([featureView({ name: 'v', entities: [driver], source: src, schema: { driver_id: 'int64' } })], /'driver_id' is a join key/);
    bad([featureView({ name: 'v', entities: [driver], source: src, schema: { r: 'float64' }, ttl: '2 parsecs' })], /not a duration/);
    bad([view, featureService({ name: 's', features: ['stats:nope'] })], /'stats:nope'/);
    bad([view, featureService({ name: 's', features: ['other:rate'] })], /view 'other'/);
    bad([view, featureView({ name: 'stats', entities: [driver], source: src, schema: { other: 'int64' } })], /Two different featureView definitions are named 'stats'/);
    bad([featureView({ name: 'p', entities: [driver], source: postgresSource({ name: 'pg', timestampField: 'ts' }), schema: { r: 'float64' } })], /exactly one of 'table' or 'query'/);
    bad([view, onDemandFeatureView({ name: 'o', sources: { request: { rate: 'float64' }, features: ['stats:rate'] }, schema: { x: 'float64' }, compute: () => ({}) })], /input name 'rate' appears twice/);
  });
});

describe('feature config', () => {
  it('reads nested keys from the environment and refuses unknown ones', () => {
    const c = loadConfig({ cwd: '/', env: { CAIRN_FEATURES_ONLINE_STORE_URI: 'redis://127.0.0.1:6379/2', CAIRN_FEATURES_OFFLINE_STORE_THREADS: '2' } });
    expect(c.features.online_store.uri).toBe('redis://127.0.0.1:6379/2');
    expect(c.features.offline_store).toMatchObject({ uri: 'duckdb', threads: 2 });
    expect(() => loadConfig({ cwd: '/', env: {}, overrides: { features: { online_store: { url: 'x' } } } })).toThrow(/'features.online_store.url'/);
  });
});
