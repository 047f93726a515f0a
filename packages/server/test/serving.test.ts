import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { InferenceLogger, ModelServer } from '@cairn/core';
import { makeTestPlatform, type TestPlatform } from '@cairn/core/testing';
import { registerJsonModel } from '@cairn/core/testing/serving';
import { buildServingApp } from '../src/serving/serving-app.js';
import { call } from './helpers.js';

const RUNTIME = { allowUnsafe: false, python: 'python3', pythonTimeoutMs: 5000, onnxThreads: 1 };
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
// The fixture model: σ(x + 0.5·[north] − 0.5·[south]).
const expected = (x: number, region: string | null) => sigmoid(x + (region === 'north' ? 0.5 : region === 'south' ? -0.5 : 0));

describe('model server: MLflow scoring protocol, errors, health and the inference log', () => {
  let t: TestPlatform;
  let server: ModelServer;
  let logger: InferenceLogger;
  let app: FastifyInstance;

  beforeAll(async () => {
    t = await makeTestPlatform('sqlite', { serving: { max_rows: 100, inference_log: { store: 'database' } } });
    await registerJsonModel(t.platform, 'scorer');
    await t.platform.registry.aliases.set('scorer', 'champion', 1);
    logger = new InferenceLogger(t.platform.inferenceLog, { sampleRate: 1, batchRows: 1000, flushMs: 50, maxBufferRows: 10_000 });
    server = await ModelServer.open(t.platform, { uri: 'models:/scorer@champion', runtime: RUNTIME, aliasPollMs: 60_000, logger });
    app = buildServingApp(t.platform, server, { logger: false });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await server?.close();
    await t?.cleanup();
  });

  const invoke = (payload: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }, url = '/invocations') =>
    call(app, 'POST', url, typeof payload === 'string' ? payload : JSON.stringify(payload), headers);

  it('answers every input shape of the scoring protocol with the same predictions', async () => {
    const want = [expected(1, 'north'), expected(-2, 'south')];
    const shapes: unknown[] = [
      { dataframe_split: { columns: ['x', 'region'], data: [[1, 'north'], [-2, 'south']] } },
      { dataframe_records: [{ x: 1, region: 'north' }, { x: -2, region: 'south' }] },
      { instances: [{ x: 1, region: 'north' }, { x: -2, region: 'south' }] },
      { inputs: { x: [1, -2], region: ['north', 'south'] } },
      { inputs: [{ x: 1, region: 'north' }, { x: -2, region: 'south' }] },
      { instances: [[1, 'north'], [-2, 'south']] },
      { dataframe_records: [{ x: 1, region: 'north' }, { x: -2, region: 'south' }], params: { ignored: true } },
    ];
    for (const body of shapes) {
      const res = await invoke(body);
      expect(res.status, `${JSON.stringify(body)}: ${res.raw}`).toBe(200);
      res.body.predictions.forEach((p: number, i: number) => expect(p).toBeCloseTo(want[i]!, 12));
      expect(res.headers['x-cairn-model-version']).toBe('1');
    }
    const csv = await invoke('x,region\n1,north\n-2,"south"\n', { 'content-type': 'text/csv' });
    expect(csv.status, csv.raw).toBe(200);
    csv.body.predictions.forEach((p: number, i: number) => expect(p).toBeCloseTo(want[i]!, 12));
    // An optional column may be missing (null); it encodes as no category.
    expect((await invoke({ dataframe_records: [{ x: 0 }] })).body.predictions[0]).toBeCloseTo(0.5, 12);
  });

  it('returns the request id (the caller\'s when well formed) and logs each scored row under it', async () => {
    const res = await invoke({ dataframe_records: [{ x: 3, region: 'south' }] }, { 'content-type': 'application/json', 'x-request-id': 'req-abc-1' });
    expect(res.headers['x-request-id']).toBe('req-abc-1');
    const other = await invoke({ dataframe_records: [{ x: 3 }] }, { 'content-type': 'application/json', 'x-request-id': 'bad id with spaces' });
    expect(other.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    await logger.flush();
    const rows = await t.platform.inferenceLog.read({ model: 'scorer', version: 1, from: 0, to: Date.now() + 1000 });
    const i = rows.requestIds.indexOf('req-abc-1');
    expect(i).toBeGreaterThanOrEqual(0);
    expect(rows.inputs.get('x')![i]).toBe(3);
    expect(rows.inputs.get('region')![i]).toBe('south');
    expect(rows.outputs[i]).toBeCloseTo(expected(3, 'south'), 12);
  });

  it('refuses bad input with 400 naming what is wrong, never 500', async () => {
    const cases: Array<[unknown, Record<string, string> | undefined, RegExp]> = [
      ['{"dataframe_records": [', undefined, /not valid JSON/],
      ['{"dataframe_records": [{"__proto__": {"x": 1}, "x": 1}]}', undefined, /'__proto__' key/],
      [`{"inputs": ${'['.repeat(101)}${']'.repeat(101)}}`, undefined, /nests arrays and objects more than 100 levels/],
      [{ dataframe_records: [{ region: 'north' }] }, undefined, /Missing column 'x'.*double/],
      [{ dataframe_records: [{ x: 'ten' }] }, undefined, /Column 'x', row 0: expected a number \(double\), got "ten"/],
      [{ dataframe_records: [{ x: null }] }, undefined, /Column 'x', row 0: null/],
      [{ dataframe_split: { columns: ['x'], data: [[1, 2]] } }, undefined, /has 2 values; 'columns' names 1/],
      [{ records: [] }, undefined, /Unknown key 'records'/],
      [{ instances: [{ x: 1 }], inputs: { x: [1] } }, undefined, /send exactly one/],
      [{ dataframe_records: [] }, undefined, /holds no rows/],
      [{ instances: [[1, 'north', 3]] }, undefined, /plain lists of 3 values/],
      [{ dataframe_records: Array.from({ length: 101 }, () => ({ x: 1 })) }, undefined, /more than 100 rows \(serving.max_rows\)/],
      ['x,region\n1,north,extra\n', { 'content-type': 'text/csv' }, /CSV line 2 has 3 cells/],
      ['x,region\n"1,north\n', { 'content-type': 'text/csv' }, /quoted cell is never closed/],
    ];
    for (const [body, headers, message] of cases) {
      const res = await invoke(body, headers);
      expect(res.status, `${JSON.stringify(body)}: ${res.raw}`).toBe(400);
      expect(res.body.error_code, res.raw).toBe('INVALID_ARGUMENT');
      expect(res.body.message).toMatch(message);
    }
  });

  it('refuses a media type as mlflow models serve does (415): another type, another charset, MLflow 1.x\'s format=', async () => {
    const split = JSON.stringify({ columns: ['x'], data: [[1]] });
    const cases: Array<[string, Record<string, string>, RegExp]> = [
      ['x\n1\n', { 'content-type': 'application/xml' }, /Content-Type 'application\/xml' is not accepted: send application\/json .* or text\/csv/],
      ['x\n1\n', {}, /Content-Type '\(none\)' is not accepted/],
      [split, { 'content-type': 'application/json; format=pandas-split' }, /MLflow 1.x.*\{"dataframe_split"/],
      ['{"inputs": {"x": [1]}}', { 'content-type': 'application/json; charset=latin-1' }, /Charset 'latin-1' .* UTF-8/],
      ['x\n1\n', { 'content-type': 'text/csv; header=present' }, /parameter 'header' is not recognized/],
      // Judged before the body: a malformed body with a refused type is still 415, as is a header Fastify cannot parse.
      ['{"inputs": [', { 'content-type': 'application/json; format=pandas-records' }, /MLflow 1.x/],
      ['x\n1\n', { 'content-type': '' }, /Content-Type '\(none\)'/],
      ['x\n1\n', { 'content-type': 'text/csv, application/json' }, /Content-Type 'text\/csv, application\/json' is not accepted/],
    ];
    for (const [body, headers, message] of cases) {
      const res = await invoke(body, headers);
      expect(res.status, `${JSON.stringify(headers)}: ${res.raw}`).toBe(415);
      expect(res.body.error_code, res.raw).toBe('UNSUPPORTED_MEDIA_TYPE');
      expect(res.body.message).toMatch(message);
    }
    for (const type of ['application/json; charset=utf-8', 'Application/JSON; charset="UTF-8"', 'text/csv; charset=utf-8']) {
      const res = await invoke(type.startsWith('text') ? 'x\n1\n' : '{"inputs": {"x": [1]}}', { 'content-type': type });
      expect(res.status, `${type}: ${res.raw}`).toBe(200);
    }
  });

  it('answers /ping, /health, /version and /metrics', async () => {
    expect((await call(app, 'GET', '/ping')).status).toBe(200);
    const health = await call(app, 'GET', '/health');
    expect(health.body).toMatchObject({ status: 'ok', model: { name: 'scorer', version: 1, alias: 'champion', format: 'cairn-json' }, follower: { mode: 'poll' }, lastError: null });
    expect((await call(app, 'GET', '/version')).body).toMatchObject({ model: 'scorer', version: 1, alias: 'champion' });
    const metrics = await call(app, 'GET', '/metrics');
    expect(metrics.raw).toMatch(/cairn_http_requests_total\{[^}]*route="\/invocations",status="200"/);
    expect(metrics.raw).toMatch(/cairn_http_request_duration_seconds_bucket\{[^}]*route="\/invocations"/);
    expect(metrics.raw).toMatch(/cairn_model_version_served\{[^}]*model="scorer"[^}]*\} 1/);
    expect(metrics.raw).toMatch(/cairn_inference_log_backlog_rows/);
  });

  it('takes labels on /feedback by request id and by entity, and refuses malformed ones', async () => {
    const ok = await call(app, 'POST', '/feedback', { labels: [{ request_id: 'req-abc-1', label: 1 }, { entity: { customer_id: 7 }, label: 0 }] });
    expect(ok.status, ok.raw).toBe(200);
    expect(ok.body).toEqual({ labels: 2 });
    const bad = await call(app, 'POST', '/feedback', { request_id: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/no 'label'/);
    const none = await call(app, 'POST', '/feedback', { label: 1 });
    expect(none.body.message).toMatch(/neither a 'request_id' nor an 'entity'/);
  });
});
