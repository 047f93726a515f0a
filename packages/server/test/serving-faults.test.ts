import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { InferenceLogger, InferenceSpool, ModelServer, loadConfig, openPlatform, type Platform } from '@cairn/core';
import { LocalArtifactStore } from '../../core/src/artifacts/index.js';
import { makeTestPlatform, type TestPlatform } from '@cairn/core/testing';
import { onnxWeights, registerFiles, registerJsonModel, registerOnnxModel, registerPickleModel } from '@cairn/core/testing/serving';
import { ParquetInferenceLogStore } from '../../core/src/serving/inference-log/parquet/parquet-inference-log-store.js';
import { T0, tripRows, writeFeatureProject } from '../../core/src/features/testing/feature-project.js';
import { buildServingApp } from '../src/serving/serving-app.js';
import { call } from './helpers.js';

const RUNTIME = { allowUnsafe: false, python: 'python3', pythonTimeoutMs: 5000, onnxThreads: 1 };
const hasPython = (() => {
  try {
    execFileSync('python3', ['-c', 'import pickle']);
    return true;
  } catch {
    return false;
  }
})();
if (!hasPython && process.env.CI !== 'true') console.log('skipping the Python worker tests: no python3 here');

let t: TestPlatform;
const closers: Array<() => Promise<unknown>> = [];
beforeAll(async () => {
  t = await makeTestPlatform('sqlite');
});
afterAll(async () => {
  for (const c of closers.reverse()) await c();
  await t?.cleanup();
});

async function serve(platform: Platform, uri: string, runtime = RUNTIME, logger: InferenceLogger | null = null): Promise<{ server: ModelServer; app: FastifyInstance }> {
  const server = await ModelServer.open(platform, { uri, runtime, aliasPollMs: 60_000, logger });
  const app = buildServingApp(platform, server, { logger: false });
  await app.ready();
  closers.push(() => server.close(), () => app.close());
  return { server, app };
}
const invoke = (app: FastifyInstance, body: unknown) => call(app, 'POST', '/invocations', JSON.stringify(body), { 'content-type': 'application/json' });

describe('formats', () => {
  it('serves an ONNX logistic regression built in code (MatMul + Add + Sigmoid on 50 features)', async () => {
    await registerOnnxModel(t.platform, 'onnx-lr', 50);
    const { app } = await serve(t.platform, 'onnx-lr/1');
    const rows = [Array.from({ length: 50 }, (_, i) => i / 50), Array.from({ length: 50 }, () => 1)];
    const res = await invoke(app, { dataframe_split: { columns: Array.from({ length: 50 }, (_, i) => `f${i}`), data: rows } });
    expect(res.status, res.raw).toBe(200);
    const w = onnxWeights(50);
    rows.forEach((r, k) => expect(res.body.predictions[k]).toBeCloseTo(1 / (1 + Math.exp(-(0.1 + r.reduce((s, x, i) => s + x * w[i]!, 0)))), 5));
    const wrong = await invoke(app, { dataframe_records: [{ f0: 1 }] });
    expect(wrong.status).toBe(400);
    expect(wrong.body.message).toMatch(/Missing column 'f1'/);
  });

  it('refuses an unsafe format without --allow-unsafe, naming the flag and why', async () => {
    await registerFiles(t.platform, 'pickled', { 'model.pkl': Buffer.from('not really a pickle') }, { format: 'sklearn-pickle' });
    await expect(ModelServer.open(t.platform, { uri: 'pickled/1', runtime: RUNTIME, aliasPollMs: 1000, logger: null })).rejects.toThrow(/runs arbitrary code.*--allow-unsafe/);
  });
});

describe.skipIf(!hasPython)('Python worker (unsafe formats, --allow-unsafe)', () => {
  let app: FastifyInstance;
  let server: ModelServer;
  beforeAll(async () => {
    await registerPickleModel(t.platform, 'crashy');
    ({ app, server } = await serve(t.platform, 'crashy/1', { ...RUNTIME, allowUnsafe: true, pythonTimeoutMs: 1500 }));
  });

  it('scores in the worker', async () => {
    const res = await invoke(app, { dataframe_records: [{ a: 1, b: 2 }, { a: 0.5, b: 0.25 }] });
    expect(res.status, res.raw).toBe(200);
    expect(res.body.predictions).toEqual([3, 0.75]);
  });

  it('a crash answers 503, restarts the worker, and the next request is served', async () => {
    const crash = await invoke(app, { dataframe_records: [{ a: -1, b: 0 }] });
    expect(crash.status).toBe(503);
    expect(crash.body).toMatchObject({ error_code: 'UNAVAILABLE' });
    expect(crash.body.message).toMatch(/crashed \(exit 3\).*restarted/);
    expect((await invoke(app, { dataframe_records: [{ a: 1, b: 1 }] })).body.predictions).toEqual([2]);
  });

  it('a hang answers 503 after the timeout; a request waiting behind it is answered by the new worker', async () => {
    const [hang, behind] = await Promise.all([invoke(app, { dataframe_records: [{ a: -2, b: 0 }] }), invoke(app, { dataframe_records: [{ a: 2, b: 2 }] })]);
    expect(hang.status).toBe(503);
    expect(hang.body.message).toMatch(/did not answer within 1.5 s.*restarted/);
    expect(behind.status, behind.raw).toBe(200);
    expect(behind.body.predictions).toEqual([4]);
    expect(server.health().pythonRestarts).toBe(2);
  });

  it('says which module is missing when the model cannot be imported', async () => {
    const dir = join(t.dir, 'nomod');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'ghost_module.py'), 'class M:\n    pass\n');
    execFileSync('python3', ['-c', 'import pickle, sys; sys.path.insert(0, sys.argv[1]); import ghost_module; pickle.dump(ghost_module.M(), open(sys.argv[1] + "/m.pkl", "wb"))', dir]);
    const { readFileSync } = await import('node:fs');
    await registerFiles(t.platform, 'ghostly', { 'model.pkl': readFileSync(join(dir, 'm.pkl')) }, { format: 'sklearn-pickle' });
    await expect(ModelServer.open(t.platform, { uri: 'ghostly/1', runtime: { ...RUNTIME, allowUnsafe: true }, aliasPollMs: 1000, logger: null })).rejects.toThrow(/cannot import 'ghost_module'/);
  });
});

describe('feature lookup through the feature service the model was trained from', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    const p = t.platform;
    await writeFeatureProject(t.dir, tripRows(5, 6), { ttl: '100000d' });
    await p.features.apply();
    await p.features.materialize(T0, T0 + 6 * 3_600_000);
    const exp = await p.experiments.create({ name: 'ranking-training' });
    const run = await p.runs.create({ experimentId: exp.experimentId });
    const set = await p.features.getHistoricalFeatures({ entities: [1, 2, 3, 4, 5].map((d) => ({ driver_id: d, event_timestamp: T0 + 5 * 3_600_000, bonus: 0.1 })), featureService: 'ranking', runId: run.info.runId });
    await set.job.close();
    await registerFiles(p, 'ranker', { 'model.json': JSON.stringify({ format: 'cairn-linear@1', encoder: { numeric: [{ name: 'conv_rate', mean: 0, std: 1 }, { name: 'trips', mean: 0, std: 1 }], categorical: [] }, weights: [0, 1, 0.001] }) }, {
      format: 'cairn-json', runId: run.info.runId,
      signature: { inputs: [{ name: 'conv_rate', type: 'double', required: false }, { name: 'trips', type: 'long', required: false }, { name: 'conv_plus_bonus', type: 'double', required: false }], outputs: [{ type: 'double' }] },
    });
    ({ app } = await serve(p, 'ranker/1'));
  });

  it('looks features up by entity key (on-demand ones included), answers per-row statuses, and explains', async () => {
    const res = await call(app, 'POST', '/invocations?explain=true', JSON.stringify({ dataframe_records: [{ driver_id: 2, bonus: 0.5 }, { driver_id: 999, bonus: 0 }] }), { 'content-type': 'application/json' });
    expect(res.status, res.raw).toBe(200);
    // driver 2 at the last hour: conv_rate 0.0205, trips 2005.
    expect(res.body.predictions[0]).toBeCloseTo(0.0205 + 2.005, 9);
    expect(res.body.predictions[1]).toBeNull();
    expect(res.body.statuses).toEqual(['PRESENT', 'NOT_FOUND']);
    expect(res.body.features[0]).toMatchObject({ conv_rate: 0.0205, trips: 2005, conv_plus_bonus: 0.5205 });
    expect((await call(app, 'GET', '/version')).body.featureService).toBe('ranking');
  });

  it("refuses a malformed 'explain' flag or lookup time with 400 naming it", async () => {
    const body = JSON.stringify({ dataframe_records: [{ driver_id: 2, bonus: 0 }] });
    const bad = await call(app, 'POST', '/invocations?explain=maybe', body, { 'content-type': 'application/json' });
    expect(bad.status, bad.raw).toBe(400);
    expect(bad.body.message).toMatch(/'explain' must be true or false/);
    const off = await call(app, 'POST', '/invocations?explain=false', body, { 'content-type': 'application/json' });
    expect(off.status, off.raw).toBe(200);
    expect(off.body.features).toBeUndefined();
    const at = await call(app, 'POST', '/invocations?at=yesterday-ish', body, { 'content-type': 'application/json' });
    expect(at.status, at.raw).toBe(400);
    expect(at.body.error_code).toBe('INVALID_ARGUMENT');
  });

  it('skips the lookup when the request carries every input itself', async () => {
    const res = await invoke(app, { dataframe_records: [{ driver_id: 2, bonus: 0, conv_rate: 1, trips: 0, conv_plus_bonus: 1 }] });
    expect(res.status, res.raw).toBe(200);
    expect(res.body.predictions).toEqual([1]);
    expect(res.body.statuses).toBeUndefined();
  });

  it('the same values as `get-online` (one code path)', async () => {
    const online = await t.platform.features.getOnlineFeatures({ entities: [{ driver_id: 3, bonus: 1 }], featureService: 'ranking' });
    const res = await call(app, 'POST', '/invocations?explain=true', JSON.stringify({ dataframe_records: [{ driver_id: 3, bonus: 1 }] }), { 'content-type': 'application/json' });
    expect(res.body.features[0]).toEqual(Object.fromEntries(online.featureNames.map((n, i) => [n, online.results[i]!.values[0]])));
  });

  it('answers 503 naming the online store when it is down', async () => {
    const config = loadConfig({ cwd: t.dir, env: {}, overrides: { store: { uri: t.storeUri }, artifact: { uri: join(t.dir, 'artifacts') }, features: { online_store: { uri: 'redis://127.0.0.1:9/0' } } } });
    const down = await openPlatform(config);
    closers.push(() => down.close());
    const { app: app2 } = await serve(down, 'ranker/1');
    const res = await invoke(app2, { dataframe_records: [{ driver_id: 2, bonus: 0 }] });
    expect(res.status, res.raw).toBe(503);
    expect(res.body.error_code).toBe('UNAVAILABLE');
    expect(res.body.message).toMatch(/online store \(redis:\/\/127\.0\.0\.1:9\/0\) is unavailable/);
  });
});

describe('inference log faults', () => {
  it('a failing log write (a full disk) loses rows visibly: requests still answered, the loss counted and reported', async () => {
    await registerJsonModel(t.platform, 'logged');
    // The log's artifact root lies under a regular file, so every write fails as on a full disk.
    writeFileSync(join(t.dir, 'not-a-folder'), 'x');
    const store = new ParquetInferenceLogStore(new LocalArtifactStore(join(t.dir, 'not-a-folder', 'artifacts')));
    const losses: string[] = [];
    const logger = new InferenceLogger(store, { sampleRate: 1, batchRows: 10, flushMs: 10, maxBufferRows: 1000, onLoss: (rows, reason) => losses.push(`${rows}: ${reason}`) });
    const { app } = await serve(t.platform, 'logged/1', RUNTIME, logger);
    for (let i = 0; i < 25; i++) expect((await invoke(app, { dataframe_records: [{ x: i }] })).status).toBe(200);
    await logger.flush();
    expect(logger.stats()).toMatchObject({ lost: 25, written: 0, backlog: 0 });
    expect(losses.length).toBeGreaterThan(0);
    expect(losses[0]).toMatch(/writing the inference log failed/);
    const metrics = (await call(app, 'GET', '/metrics')).raw;
    expect(metrics).toMatch(/cairn_inference_log_rows_lost_total\{[^}]*\} 25/);
  });

  it('with the spool, a full disk loses nothing: rows wait in the spool and are written once there is room', async () => {
    await registerJsonModel(t.platform, 'spooled');
    const full = join(t.dir, 'full-disk');
    writeFileSync(full, 'x');
    const store = new ParquetInferenceLogStore(new LocalArtifactStore(join(full, 'artifacts')));
    const spoolDir = join(t.dir, 'disk-full-spool');
    const losses: string[] = [];
    const logger = new InferenceLogger(store, { sampleRate: 1, batchRows: 10, flushMs: 10, maxBufferRows: 1000, spool: new InferenceSpool(spoolDir), onLoss: (rows, reason) => losses.push(`${rows}: ${reason}`) });
    const { app } = await serve(t.platform, 'spooled/1', RUNTIME, logger);
    for (let i = 0; i < 25; i++) expect((await invoke(app, { dataframe_records: [{ x: i }] })).status).toBe(200);
    await logger.flush();
    expect(logger.stats()).toMatchObject({ lost: 0, written: 0, retrying: 25, backlog: 25 });
    const health = (await call(app, 'GET', '/health')).body;
    expect(health.inferenceLog).toMatchObject({ retrying: 25, lost: 0 });
    expect(health.inferenceLog.lastError).toMatch(/Cannot write artifact .* in the way/);
    expect((await call(app, 'GET', '/metrics')).raw).toMatch(/cairn_inference_log_backlog_rows\{[^}]*\} 25/);
    // Room again: the retry timer writes every row, once.
    rmSync(full);
    await vi.waitFor(() => expect(logger.stats().retrying).toBe(0), { timeout: 15_000, interval: 50 });
    expect(logger.stats()).toMatchObject({ lost: 0, written: 25, lastError: null });
    const rows = await store.read({ model: 'spooled', from: 0, to: Date.now() + 1000 });
    expect(rows.count).toBe(25);
    expect(new Set(rows.requestIds).size).toBe(25);
    expect(losses).toEqual([]);
    expect(readdirSync(spoolDir)).toEqual([]);
  });

  it('writes Parquet partitioned by model, version and day, and reads it back', async () => {
    const logger = new InferenceLogger(t.platform.inferenceLog, { sampleRate: 1, batchRows: 100, flushMs: 10, maxBufferRows: 1000 });
    const { app } = await serve(t.platform, 'logged/1', RUNTIME, logger);
    for (let i = 0; i < 5; i++) await invoke(app, { dataframe_records: [{ x: i, region: 'north' }, { x: i + 10 }] });
    await logger.flush();
    const files: string[] = [];
    for await (const f of t.platform.artifacts.listRecursive('monitoring/inference-log')) files.push(f.path);
    expect(files.length).toBeGreaterThan(0);
    expect(files[0]).toMatch(/^monitoring\/inference-log\/model=logged\/version=1\/day=\d{4}-\d{2}-\d{2}\/.+\.parquet$/);
    const rows = await t.platform.inferenceLog.read({ model: 'logged', version: 1, from: 0, to: Date.now() + 1000 });
    expect(rows.count).toBe(10);
    // Rows come back unordered; each keeps its columns together.
    const byX = new Map(Array.from(rows.inputs.get('x')!, (x, i) => [x as number, rows.inputs.get('region')![i]]));
    expect([...byX.keys()].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 10, 11, 12, 13, 14]);
    expect(byX.get(3)).toBe('north');
    expect(byX.get(13)).toBeNull();
  });
});
