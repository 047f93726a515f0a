import { expect, it } from 'vitest';
import { listRoutes } from '../src/auth/policy.js';
import { call, describeEachBackend, seedRun, type ApiResponse } from './helpers.js';
import { sampleRequest } from './route-samples.js';

const BODY_LIMIT = 32_768;
// Query values as they appear in a URL: NUL, invalid UTF-8, an encoded lone surrogate, very long, SQL-ish.
const GARBAGE_VALUES = ['%00', '%ff%fe', '%ED%A0%80', 'x'.repeat(10_000), "'%20or%201=1--", '%25', '..%2f..%2fetc'];

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function expectError(res: ApiResponse, status: number, code: string, field?: string): void {
  expect(res.status, res.raw).toBe(status);
  expect(res.body.error_code, res.raw).toBe(code);
  expect(typeof res.body.message).toBe('string');
  if (field) expect(res.body.message).toContain(field);
}

describeEachBackend('bad input', (ctx) => {
  const api = (method: string, url: string, body?: unknown, headers?: Record<string, string>) => call(ctx().app, method, url, body, headers);
  // MLflow's routes answer in MLflow's codes; their own suite covers them (src/mlflow/errors.test.ts).
  const jsonRoutes = () => listRoutes(ctx().app).filter((r) => r.url.startsWith('/api/v1/') && ['POST', 'PUT', 'PATCH'].includes(r.method) && !r.url.includes('/artifacts'));

  it('answers malformed JSON, prototype poisoning and wrong content types with 400 on every JSON route', async () => {
    const { runId, experimentId } = await seedRun(ctx().app);
    const ids = { runId, experimentId, tokenId: 'x', name: 'x' };
    for (const route of jsonRoutes()) {
      const { method, url } = sampleRequest(route, ids);
      for (const raw of ['{bad', '[1,', '{"a":1}}', "{'a':1}", '\u0000']) {
        expectError(await api(method, url, raw, { 'content-type': 'application/json' }), 400, 'INVALID_ARGUMENT');
      }
      expectError(await api(method, url, '{"__proto__":{"admin":true},"name":"p"}', { 'content-type': 'application/json' }), 400, 'INVALID_ARGUMENT');
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml']) {
        expectError(await api(method, url, 'name=x', { 'content-type': type }), 400, 'INVALID_ARGUMENT');
      }
    }
  });

  it('refuses bodies over server.body_limit_bytes with 413 RESOURCE_EXHAUSTED', async () => {
    const { runId } = await seedRun(ctx().app);
    const params = Array.from({ length: 1000 }, (_, i) => ({ key: `k${i}`, value: 'v'.repeat(40) }));
    expectError(await api('POST', `/api/v1/runs/${runId}/batch`, { params }), 413, 'RESOURCE_EXHAUSTED');
    expectError(await api('POST', '/api/v1/experiments', { name: 'x'.repeat(BODY_LIMIT) }), 413, 'RESOURCE_EXHAUSTED');
  });

  it('names the field of a wrong type', async () => {
    const { runId } = await seedRun(ctx().app);
    const cases: Array<[string, string, unknown, string]> = [
      ['POST', '/api/v1/experiments', { name: 42 }, "'name'"],
      ['POST', '/api/v1/experiments', { name: 'x', tags: { a: 1 } }, "'tags.a'"],
      ['POST', '/api/v1/experiments', { name: 'x', tags: ['a'] }, "'tags'"],
      ['POST', '/api/v1/experiments', { name: 'x', colour: 'red' }, "'colour'"],
      ['POST', '/api/v1/experiments', [], 'body'],
      ['POST', '/api/v1/experiments', 'null', 'body'],
      ['POST', '/api/v1/runs', { experimentId: true }, "'experimentId'"],
      ['POST', '/api/v1/runs', { experimentId: '0', startTime: '2024-01-01' }, "'startTime'"],
      ['POST', '/api/v1/runs', { experimentId: '0', heartbeat: 'yes' }, "'heartbeat'"],
      ['PATCH', `/api/v1/runs/${runId}`, { endTime: 1.5 }, "'endTime'"],
      ['POST', `/api/v1/runs/${runId}/batch`, { metrics: {} }, "'metrics'"],
      ['POST', `/api/v1/runs/${runId}/batch`, { metrics: [{ key: 'a', value: 1 }] }, "'metrics[0].timestamp'"],
      ['POST', `/api/v1/runs/${runId}/batch`, { params: [{ key: 'a', value: 1 }] }, "'params[0].value'"],
      ['POST', `/api/v1/runs/${runId}/inputs`, { datasets: [{ dataset: { name: 'd' } }] }, "'datasets[0].dataset.digest'"],
      ['POST', '/api/v1/runs/search', { experimentIds: '0' }, "'experimentIds'"],
      ['POST', '/api/v1/runs/search', { experimentIds: ['0'], maxResults: 'ten' }, "'maxResults'"],
      ['POST', '/api/v1/tokens', { name: 'x', role: 'root' }, "'role'"],
    ];
    for (const [method, url, body, field] of cases) {
      const res = typeof body === 'string' ? await api(method, url, body, { 'content-type': 'application/json' }) : await api(method, url, body);
      expectError(res, 400, 'INVALID_ARGUMENT', field);
    }
    for (const query of ['maxResults=0', 'maxResults=-1', 'maxResults=1e3', 'maxResults=99999999999999999', 'viewType=SOME', 'colour=red']) {
      expectError(await api('GET', `/api/v1/experiments?${query}`), 400, 'INVALID_ARGUMENT');
    }
  });

  it('refuses oversized values, control characters and lone surrogates', async () => {
    const { runId } = await seedRun(ctx().app);
    const batch = (body: unknown) => api('POST', `/api/v1/runs/${runId}/batch`, body);
    expectError(await api('POST', '/api/v1/experiments', { name: 'n'.repeat(501) }), 400, 'INVALID_ARGUMENT', "'name'");
    expectError(await batch({ tags: [{ key: 't', value: 'v'.repeat(5001) }] }), 400, 'INVALID_ARGUMENT');
    expectError(await batch({ params: [{ key: 'p', value: 'v'.repeat(6001) }] }), 400, 'INVALID_ARGUMENT');
    expectError(await batch({ params: [{ key: 'k'.repeat(251), value: 'v' }] }), 400, 'INVALID_ARGUMENT');
    expectError(await batch({ params: [{ key: 'nul\u0000', value: 'v' }] }), 400, 'INVALID_ARGUMENT');
    expectError(await batch({ tags: [{ key: 't', value: 'a\u0000b' }] }), 400, 'INVALID_ARGUMENT');
    expectError(await api('POST', `/api/v1/runs/${runId}/batch`, '{"tags":[{"key":"t","value":"\\ud800"}]}', { 'content-type': 'application/json' }), 400, 'INVALID_ARGUMENT');
  });

  it('refuses non-finite numbers outside the string encoding, and steps beyond 2^53', async () => {
    const { runId } = await seedRun(ctx().app);
    const send = (metric: string) => api('POST', `/api/v1/runs/${runId}/batch`, `{"metrics":[${metric}]}`, { 'content-type': 'application/json' });
    for (const metric of [
      '{"key":"m","value":1,"timestamp":1,"step":1152921504606846976}',
      '{"key":"m","value":1,"timestamp":1,"step":9007199254740992}',
      '{"key":"m","value":1,"timestamp":1,"step":1.5}',
      '{"key":"m","value":1,"timestamp":1,"step":"1"}',
      '{"key":"m","value":1e400,"timestamp":1}',
      '{"key":"m","value":"nan","timestamp":1}',
      '{"key":"m","value":"inf","timestamp":1}',
      '{"key":"m","value":null,"timestamp":1}',
      '{"key":"m","value":NaN,"timestamp":1}',
      '{"key":"m","value":1,"timestamp":1e300}',
    ]) {
      const res = await send(metric);
      expectError(res, 400, 'INVALID_ARGUMENT');
    }
    expect((await send('{"key":"m","value":-1e308,"timestamp":1,"step":9007199254740991}')).status).toBe(200);
  });

  it('round-trips unicode and emoji keys and values byte for byte', async () => {
    const strings = ['naïve', 'e\u0301', '\u00e9', '👩‍👩‍👧‍👦', '🏳️‍🌈', 'עברית', '中文字符', 'a\u200db', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢', '\ufeffbom', 'tab\tand\nnewline', '"quoted" \\ back'];
    const name = `exp ${strings.join(' ')}`.slice(0, 400);
    const exp = await api('POST', '/api/v1/experiments', { name, tags: Object.fromEntries(strings.map((s, i) => [`t${i}${s.replace(/[\t\n]/g, '')}`, s])) });
    expect(exp.status).toBe(201);
    const byName = await api('GET', `/api/v1/experiments-by-name/${encodeURIComponent(name)}`);
    expect(byName.body.experiment.name).toBe(name);
    expect(byName.body.experiment.tags).toEqual(exp.body.experiment.tags);
    const run = (await api('POST', '/api/v1/runs', { experimentId: exp.body.experiment.experimentId })).body.run;
    const keys = strings.map((s, i) => `k${i}${s.replace(/[\t\n]/g, '')}`);
    const res = await api('POST', `/api/v1/runs/${run.info.runId}/batch`, {
      params: keys.map((key, i) => ({ key, value: strings[i] })),
      tags: keys.map((key, i) => ({ key, value: strings[i] })),
      metrics: keys.map((key, i) => ({ key, value: i, timestamp: 1 })),
    });
    expect(res.status, res.raw).toBe(200);
    const got = (await api('GET', `/api/v1/runs/${run.info.runId}`)).body.run;
    for (const [i, key] of keys.entries()) {
      expect(Buffer.from(got.data.params[key] ?? '').equals(Buffer.from(strings[i]!)), key).toBe(true);
      expect(got.data.tags[key]).toBe(strings[i]);
    }
    expect(got.data.metrics.map((m: { key: string }) => m.key).sort()).toEqual([...keys].sort());
    const history = await api('GET', `/api/v1/runs/${run.info.runId}/metrics/history?key=${encodeURIComponent(keys[3]!)}`);
    expect(history.body.metrics).toEqual([{ key: keys[3], value: 3, timestamp: 1, step: 0 }]);
  });

  it('answers 404 NOT_FOUND for unknown ids on every route that takes one', async () => {
    const ids = { experimentId: '987654321', runId: 'deadbeefdeadbeefdeadbeefdeadbeef', tokenId: 'nope', name: 'no such experiment' };
    for (const route of listRoutes(ctx().app).filter((r) => r.url.includes(':'))) {
      const req = sampleRequest(route, ids);
      const res = await api(req.method, req.url, req.body, req.headers);
      expect(res.status, `${req.method} ${req.url}`).toBe(404);
      if (route.method !== 'HEAD') expect(res.body.error_code).toBe('NOT_FOUND');
    }
  });

  it('never answers 500 to garbage on any route', async () => {
    const { runId, experimentId } = await seedRun(ctx().app);
    const garbage = ['', '0', '-1', 'null', '[]', '{}', '""', '[{}]', '{"name":{"$gt":""}}', JSON.stringify({ experimentIds: [{}], metrics: [[]], datasets: [null] }), '['.repeat(5000) + ']'.repeat(5000)];
    const idSets = [
      { experimentId, runId, tokenId: 'x', name: 'x' },
      { experimentId: '-1', runId: '..', tokenId: '%00', name: '%' },
      { experimentId: '1e99', runId: 'a'.repeat(5000), tokenId: "' or 1=1 --", name: '\u0000' },
    ];
    for (const route of listRoutes(ctx().app)) {
      for (const ids of idSets) {
        const req = sampleRequest(route, ids);
        const bodies = ['GET', 'HEAD', 'DELETE'].includes(route.method) ? [undefined] : garbage;
        for (const body of bodies) {
          const headers = body === undefined ? req.headers : { 'content-type': 'application/json' };
          const res = await api(req.method, req.url, body, headers);
          expect(res.status, `${req.method} ${req.url.slice(0, 80)} ${String(body).slice(0, 40)} → ${res.raw.slice(0, 200)}`).toBeLessThan(500);
          if (res.status >= 400 && route.method !== 'HEAD') expect(res.body).toEqual({ error_code: expect.any(String), message: expect.any(String) });
        }
        // Every query value replaced by garbage.
        const [path, query] = req.url.split('?');
        if (!query) continue;
        for (const value of GARBAGE_VALUES) {
          const url = `${path}?${query.replace(/=[^&]*/g, `=${value}`)}`;
          const res = await api(req.method, url, req.body, req.headers);
          expect(res.status, `${req.method} ${url.slice(0, 120)} → ${res.raw.slice(0, 200)}`).toBeLessThan(500);
        }
      }
    }
  });

  it('never answers 500 to garbage filters, orders and page tokens', async () => {
    const { runId, experimentId } = await seedRun(ctx().app);
    for (const value of [...GARBAGE_VALUES, "name = 'x' AND", 'tags.`a` = 1', 'metrics.loss < 1e999', 'params.x LIKE %00', 'eyJvZmZzZXQiOi0xfQ', 'eyJvIjoxZTk5fQ==']) {
      const decoded = safeDecode(value);
      const urls = [
        `/api/v1/experiments?filter=${value}`,
        `/api/v1/experiments?orderBy=${value}`,
        `/api/v1/experiments?pageToken=${value}`,
        `/api/v1/runs/${runId}/metrics/history?key=k&pageToken=${value}`,
      ];
      for (const url of urls) {
        const res = await api('GET', url);
        expect(res.status, `GET ${url.slice(0, 120)} → ${res.raw.slice(0, 200)}`).toBeLessThan(500);
      }
      for (const body of [{ filter: decoded }, { orderBy: [decoded] }, { pageToken: decoded }]) {
        const res = await api('POST', '/api/v1/runs/search', { experimentIds: [experimentId], ...body });
        expect(res.status, `search ${JSON.stringify(body).slice(0, 120)} → ${res.raw.slice(0, 200)}`).toBeLessThan(500);
      }
    }
  });
}, { config: { server: { body_limit_bytes: BODY_LIMIT } } });
