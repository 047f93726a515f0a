import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMetadataDatabase } from '../db/database.js';
import { CairnError } from '../errors.js';
import { createArtifactStore, openPlatform } from '../platform.js';
import { configKeys, configSchema, loadConfig, type CairnConfig } from './config.js';

const DOCS = readFileSync(resolve(import.meta.dirname, '../../../../docs/configuration.md'), 'utf8');

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'cairn-config-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
/** A fresh project folder, with `yaml` as its cairn.yaml when given. */
function project(yaml?: string): string {
  const dir = join(root, `p${n++}`);
  mkdirSync(dir);
  if (yaml !== undefined) writeFileSync(join(dir, 'cairn.yaml'), yaml);
  return dir;
}

function failure(run: () => unknown): CairnError {
  try {
    run();
  } catch (e) {
    if (e instanceof CairnError) return e;
    throw e;
  }
  throw new Error('expected the config to be refused');
}

async function asyncFailure(run: () => Promise<unknown>): Promise<CairnError> {
  try {
    await run();
  } catch (e) {
    if (e instanceof CairnError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

const at = (config: CairnConfig, key: string): unknown => key.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], config);

describe('loadConfig defaults', () => {
  it('is the embedded setup when there is no file and no environment', () => {
    const dir = project();
    const c = loadConfig({ cwd: dir, env: {} });
    expect(c.configFile).toBeNull();
    expect(c.projectDir).toBe(dir);
    expect(c.store.uri).toBe('sqlite:.cairn/cairn.db');
    expect(c.artifact.uri).toBe('.cairn/artifacts');
    expect(c.server).toEqual({ host: '127.0.0.1', port: 5050, allowed_hosts: [], body_limit_bytes: 16 * 1024 * 1024, request_log: true, log_format: 'auto' });
    expect(c.auth).toBe('disabled');
    expect(c.tracking.heartbeat_timeout_seconds).toBe(600);
    expect(c.features.online_store.uri).toBe('sqlite:.cairn/online.db');
    expect(c.features.offline_store.uri).toBe('duckdb');
    expect(c.pipelines.executor).toBe('local');
  });

  it('finds cairn.yaml in a parent folder, which becomes the project folder', () => {
    const dir = project('store:\n  uri: sqlite:meta.db\n');
    const sub = join(dir, 'a', 'b');
    mkdirSync(sub, { recursive: true });
    const c = loadConfig({ cwd: sub, env: {} });
    expect(c.configFile).toBe(join(dir, 'cairn.yaml'));
    expect(c.projectDir).toBe(dir);
    expect(c.store.uri).toBe('sqlite:meta.db');
    expect(c.artifact.uri).toBe('.cairn/artifacts');
  });

  it('takes an empty file as all defaults', () => {
    expect(loadConfig({ cwd: project(''), env: {} }).server.port).toBe(5050);
  });
});

describe('environment overrides', () => {
  const defaults = configSchema.parse({}) as unknown as Record<string, unknown>;

  /** A valid value for `key` that differs from its default, as an environment string, and the value it parses to. */
  function sample(key: string): [string, unknown] {
    const fallback = key.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], defaults);
    if (typeof fallback === 'boolean') return [String(!fallback), !fallback];
    // Fractions (thresholds, rates) stay within their bounds at half the default.
    if (typeof fallback === 'number' && (!Number.isInteger(fallback) || key.endsWith('sample_rate'))) return [String(fallback / 2), fallback / 2];
    if (typeof fallback === 'number') return [String(fallback + 1), fallback + 1];
    if (Array.isArray(fallback)) return ['a.example, b.example', ['a.example', 'b.example']];
    const enums: Record<string, [string, string]> = { auth: ['enabled', 'enabled'], 'pipelines.executor': ['queue', 'queue'], 'server.log_format': ['json', 'json'], 'serving.inference_log.store': ['database', 'database'] };
    if (enums[key]) return enums[key];
    return [`from-env-${key}`, `from-env-${key}`];
  }

  it('has one CAIRN_* variable per key, named after it, and docs/configuration.md lists each', () => {
    const keys = configKeys();
    expect(keys.length).toBeGreaterThan(25);
    expect(keys).toContainEqual({ key: 'store.uri', env: 'CAIRN_STORE_URI' });
    expect(keys).toContainEqual({ key: 'artifact.uri', env: 'CAIRN_ARTIFACT_URI' });
    expect(keys).toContainEqual({ key: 'auth', env: 'CAIRN_AUTH' });
    expect(keys).toContainEqual({ key: 'features.online_store.uri', env: 'CAIRN_FEATURES_ONLINE_STORE_URI' });
    for (const { key, env } of keys) {
      expect(env).toBe(`CAIRN_${key.replaceAll('.', '_').toUpperCase()}`);
      expect(DOCS, key).toContain(`| \`${key}\` | \`${env}\``);
    }
  });

  it.each(configKeys().map((k) => [k.env, k.key] as const))('%s overrides %s, over the file', (env, key) => {
    const [text, parsed] = sample(key);
    const c = loadConfig({ cwd: project(''), env: { [env]: text } });
    expect(at(c, key)).toEqual(parsed);
  });

  it('beats the file, loses to command-line overrides, and counts an empty variable as unset', () => {
    const dir = project('server:\n  port: 6000\n  host: 0.0.0.0\nstore:\n  uri: sqlite:file.db\n');
    const c = loadConfig({ cwd: dir, env: { CAIRN_SERVER_PORT: '7000', CAIRN_STORE_URI: '' } });
    expect(c.server.port).toBe(7000);
    expect(c.server.host).toBe('0.0.0.0');
    expect(c.store.uri).toBe('sqlite:file.db');
    const flagged = loadConfig({ cwd: dir, env: { CAIRN_SERVER_PORT: '7000' }, overrides: { server: { port: 8000 } } });
    expect(flagged.server.port).toBe(8000);
  });

  it('ignores variables that name no key', () => {
    expect(loadConfig({ cwd: project(), env: { CAIRN_SERVER_PROT: '1', CAIRN_NOPE: 'x' } }).server.port).toBe(5050);
  });
});

describe('config errors name the key, where it came from and the fix', () => {
  it.each([
    ['a top-level key', 'serverr:\n  port: 1\n', "Unknown key 'serverr'", 'valid keys are store, artifact, server'],
    ['a nested key', 'server:\n  prot: 1\n', "Unknown key 'server.prot'", "valid keys under 'server' are host, port"],
    ['a key two levels down', 'features:\n  online_store:\n    url: redis://x\n', "Unknown key 'features.online_store.url'", "under 'features.online_store' are uri, key_prefix"],
    ['several keys', 'store:\n  url: x\n  path: y\n', "Unknown keys 'store.url', 'store.path'", 'Remove them'],
  ])('refuses %s', (_, yaml, message, fix) => {
    const dir = project(yaml);
    const e = failure(() => loadConfig({ cwd: dir, env: {} }));
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.message).toContain(message);
    expect(e.message).toContain(join(dir, 'cairn.yaml'));
    expect(e.message).toContain(fix);
    expect(e.message).not.toContain('its CAIRN_ environment variable');
  });

  it.each([
    ['server:\n  port: high\n', 'server.port', 'CAIRN_SERVER_PORT'],
    ['server:\n  port: 70000\n', 'server.port', 'CAIRN_SERVER_PORT'],
    ['auth: maybe\n', 'auth', 'CAIRN_AUTH'],
    ['server:\n  request_log: yes-please\n', 'server.request_log', 'CAIRN_SERVER_REQUEST_LOG'],
    ['server:\n  log_format: pretty\n', 'server.log_format', 'CAIRN_SERVER_LOG_FORMAT'],
    ['tracking:\n  heartbeat_timeout_seconds: 0\n', 'tracking.heartbeat_timeout_seconds', 'CAIRN_TRACKING_HEARTBEAT_TIMEOUT_SECONDS'],
    ['pipelines:\n  executor: k8s\n', 'pipelines.executor', 'CAIRN_PIPELINES_EXECUTOR'],
    ['store:\n  uri: ""\n', 'store.uri', 'CAIRN_STORE_URI'],
    ['features:\n  offline_store:\n    threads: -1\n', 'features.offline_store.threads', 'CAIRN_FEATURES_OFFLINE_STORE_THREADS'],
  ])('refuses a bad value in the file: %s', (yaml, key, env) => {
    const dir = project(yaml);
    const e = failure(() => loadConfig({ cwd: dir, env: {} }));
    expect(e.message).toContain(`Bad value for '${key}' in ${join(dir, 'cairn.yaml')}: `);
    expect(e.message).toContain(`. Fix it there (or override it with ${env}); see docs/configuration.md.`);
    expect(e.message).toContain('docs/configuration.md');
  });

  it('names the environment variable when the bad value came from it', () => {
    const dir = project('server:\n  port: 6000\n');
    const e = failure(() => loadConfig({ cwd: dir, env: { CAIRN_SERVER_PORT: 'abc' } }));
    expect(e.message).toContain("Bad value for 'server.port' (from the environment variable CAIRN_SERVER_PORT): ");
    expect(e.message).toContain(`. Fix CAIRN_SERVER_PORT, or unset it to use ${join(dir, 'cairn.yaml')}; see docs/configuration.md.`);
    const nested = failure(() => loadConfig({ cwd: project(), env: { CAIRN_FEATURES_OFFLINE_STORE_THREADS: 'many' } }));
    expect(nested.message).toContain('Fix CAIRN_FEATURES_OFFLINE_STORE_THREADS, or unset it to use the default');
    expect(failure(() => loadConfig({ cwd: project(), env: { CAIRN_AUTH: 'on' } })).message).toContain('Fix CAIRN_AUTH');
  });

  it('says when a command-line flag gave the bad value', () => {
    const e = failure(() => loadConfig({ cwd: project(), env: {}, overrides: { server: { port: -5 } } }));
    expect(e.message).toContain("Bad value for 'server.port' (given on the command line): ");
    expect(e.message).toContain('Fix the flag');
  });

  it('refuses a section that is not a mapping, a file that is not YAML or not a mapping, and a missing --config file', () => {
    const section = failure(() => loadConfig({ cwd: project('server: 5050\n'), env: {} }));
    expect(section.message).toContain("Bad value for 'server'");
    expect(section.message).not.toContain('override it with');
    expect(failure(() => loadConfig({ cwd: project('store: [\n'), env: {} })).message).toContain('is not valid YAML');
    expect(failure(() => loadConfig({ cwd: project('- a\n- b\n'), env: {} })).message).toContain('must hold a mapping of settings');
    expect(failure(() => loadConfig({ cwd: project(), file: 'missing.yaml', env: {} })).message).toMatch(/Config file .*missing\.yaml does not exist/);
  });

  it('names store.uri / CAIRN_STORE_URI and the fix for a store URI Cairn cannot use', async () => {
    for (const uri of ['mysql://db/cairn', 'sqlite:', 'postgres:/missing-slashes']) {
      const e = await asyncFailure(() => openMetadataDatabase(uri, project()));
      expect(e.code, uri).toBe('INVALID_ARGUMENT');
      expect(e.message, uri).toContain('Set store.uri in cairn.yaml (or the environment variable CAIRN_STORE_URI) to sqlite:<path>');
      expect(e.message).toContain('postgres://');
    }
    const viaEnv = await asyncFailure(() => openPlatform(loadConfig({ cwd: project(), env: { CAIRN_STORE_URI: 'mongodb://u:secret@h/db' } })));
    expect(viaEnv.message).toContain("Unsupported store URI 'mongodb://u:***@h/db'");
    expect(viaEnv.message).toContain('CAIRN_STORE_URI');
  });

  it('names artifact.uri / CAIRN_ARTIFACT_URI and the fix for an artifact URI Cairn cannot use', async () => {
    for (const uri of ['gs://bucket/prefix', 'https://example.com/x']) {
      const e = await asyncFailure(() => createArtifactStore(loadConfig({ cwd: project(), env: { CAIRN_ARTIFACT_URI: uri } })));
      expect(e.code).toBe('INVALID_ARGUMENT');
      expect(e.message).toContain(`Unsupported artifact URI '${uri}'`);
      expect(e.message).toContain('Set artifact.uri in cairn.yaml (or the environment variable CAIRN_ARTIFACT_URI) to a local folder');
      expect(e.message).toContain('s3://bucket/prefix');
    }
    for (const uri of ['s3://Bad_Bucket/x', 's3://', 's3://ab', 's3://bucket/../x', 's3://bucket/a%2f..%2f..%2fx', 's3://bucket/a\\b']) {
      const e = await asyncFailure(() => createArtifactStore(loadConfig({ cwd: project(), env: { CAIRN_ARTIFACT_URI: uri } })));
      expect([uri, e.code]).toEqual([uri, 'INVALID_ARGUMENT']);
      expect(e.message).toContain('artifact.uri');
      expect(e.message).toContain('s3://<bucket>[/<prefix>]');
    }
  });

  it('reads the S3 settings from the file and the environment, strictly', async () => {
    const dir = project('artifact:\n  uri: s3://ml-artifacts/team/cairn/\n  s3:\n    endpoint: http://127.0.0.1:9000\n    force_path_style: true\n');
    const c = loadConfig({ cwd: dir, env: { CAIRN_ARTIFACT_S3_MAX_ATTEMPTS: '7', CAIRN_ARTIFACT_S3_REGION: 'eu-west-3' } });
    expect(c.artifact.s3).toEqual({ endpoint: 'http://127.0.0.1:9000', region: 'eu-west-3', force_path_style: true, part_size_mb: 8, upload_concurrency: 4, max_attempts: 7 });
    const store = await createArtifactStore(c);
    expect((store as unknown as { uri: string }).uri).toBe('s3://ml-artifacts/team/cairn');
    expect(failure(() => loadConfig({ cwd: project('artifact:\n  s3:\n    path_style: true\n'), env: {} })).message).toContain("Unknown key 'artifact.s3.path_style'");
    expect(failure(() => loadConfig({ cwd: project(), env: { CAIRN_ARTIFACT_S3_PART_SIZE_MB: '1' } })).message).toContain('CAIRN_ARTIFACT_S3_PART_SIZE_MB');
  });
});
