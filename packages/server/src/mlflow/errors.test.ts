import { readFileSync, rmSync } from 'node:fs';
import { ERROR_CODES, CairnError } from '@cairn/core';
import { makeTestPlatform } from '@cairn/core/testing';
import { describe, expect, it } from 'vitest';
import { listRoutes } from '../auth/policy.js';
import { API, bareApp, describeMlflow, serverApp, type MlflowError } from './conformance-harness.js';
import { MLFLOW_ERROR_CODES, toMlflowError } from './errors.js';
import { MLFLOW_ROUTE_KEYS, mlflowRelativePath, mlflowSampleRequest } from './route-samples.js';

const DOCS = readFileSync(new URL('../../../../docs/mlflow.md', import.meta.url), 'utf8');
const GARBAGE_BODIES = ['', '0', '-1', 'null', '[]', '{}', '""', '"{\\"a\\":1}"', '[{}]', '{"run_id":{"$gt":""}}', '{"experiment_ids":[{}],"metrics":[[]],"datasets":[null]}', `${'['.repeat(3000)}${']'.repeat(3000)}`];
const GARBAGE_VALUES = ['%00', '%ff%fe', '%ED%A0%80', 'x'.repeat(10_000), "'%20or%201=1--", '%25', '..%2f..%2fetc', 'NaN', '-1'];

describe('MLflow error table', () => {
  it('maps every Cairn error code to an MLflow error_code and status', () => {
    expect(Object.keys(MLFLOW_ERROR_CODES).sort()).toEqual([...ERROR_CODES].sort());
    expect(MLFLOW_ERROR_CODES.NOT_FOUND).toEqual({ errorCode: 'RESOURCE_DOES_NOT_EXIST', status: 404 });
    expect(MLFLOW_ERROR_CODES.ALREADY_EXISTS).toEqual({ errorCode: 'RESOURCE_ALREADY_EXISTS', status: 400 });
    expect(MLFLOW_ERROR_CODES.INVALID_ARGUMENT).toEqual({ errorCode: 'INVALID_PARAMETER_VALUE', status: 400 });
    expect(MLFLOW_ERROR_CODES.FAILED_PRECONDITION).toEqual({ errorCode: 'INVALID_STATE', status: 400 });
    expect(MLFLOW_ERROR_CODES.UNAUTHENTICATED).toEqual({ errorCode: 'UNAUTHENTICATED', status: 401 });
    expect(MLFLOW_ERROR_CODES.PERMISSION_DENIED).toEqual({ errorCode: 'PERMISSION_DENIED', status: 403 });
    expect(MLFLOW_ERROR_CODES.INTERNAL).toEqual({ errorCode: 'INTERNAL_ERROR', status: 500 });
    for (const code of ERROR_CODES) {
      const reply = toMlflowError(new CairnError(code, `boom ${code}`));
      expect(reply).toEqual({ status: MLFLOW_ERROR_CODES[code].status, body: { error_code: MLFLOW_ERROR_CODES[code].errorCode, message: `boom ${code}` } });
    }
  });

  it('hides unexpected errors behind INTERNAL_ERROR', () => {
    const reply = toMlflowError(new TypeError('secret stack detail'));
    expect(reply.status).toBe(500);
    expect(reply.body.error_code).toBe('INTERNAL_ERROR');
    expect(reply.body.message).not.toContain('secret');
  });

  it('is documented in docs/mlflow.md, with every route', () => {
    for (const { errorCode } of Object.values(MLFLOW_ERROR_CODES)) expect(DOCS, errorCode).toContain(`\`${errorCode}\``);
    for (const extra of ['ENDPOINT_NOT_FOUND', 'BAD_REQUEST']) expect(DOCS).toContain(`\`${extra}\``);
    for (const key of MLFLOW_ROUTE_KEYS) expect(DOCS, key).toContain(`\`${key.split(' ')[1]}\``);
  });

  it('answers 500 INTERNAL_ERROR without details when the store fails', async () => {
    const t = await makeTestPlatform('sqlite');
    const app = await bareApp(t.platform);
    await t.platform.close();
    try {
      const res = await app.inject({ method: 'GET', url: `${API}/experiments/get?experiment_id=0` });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({ error_code: 'INTERNAL_ERROR', message: expect.not.stringMatching(/sqlite|database|connection/i) });
    } finally {
      await app.close();
      rmSync(t.dir, { recursive: true, force: true });
    }
  });
});

describeMlflow('MLflow routes: unknown endpoints and request bodies', (test) => {
  test('unknown endpoints and wrong methods under the prefixes are 404 ENDPOINT_NOT_FOUND', async (h) => {
    for (const [method, url] of [
      ['GET', '/api/2.0/mlflow/registered-models/list'],
      ['POST', '/api/2.0/mlflow/model-versions/search'],
      ['POST', '/api/2.0/mlflow/logged-models'],
      // Unsupported on purpose (docs/mlflow.md): MLflow's prompt lab, AI gateway and UI upload.
      ['POST', '/ajax-api/2.0/mlflow/runs/create-promptlab-run'],
      ['POST', '/ajax-api/2.0/mlflow/gateway-proxy'],
      ['POST', '/ajax-api/2.0/mlflow/upload-artifact?run_uuid=x&path=a.txt'],
      ['GET', '/api/2.0/mlflow/runs/create'],
      ['POST', '/api/2.0/mlflow/runs/get'],
      ['POST', '/api/2.0/mlflow-artifacts/mpu/create'],
      ['GET', '/ajax-api/2.0/mlflow/experiments/list'],
      ['GET', '/api/2.0/mlflow'],
    ] as const) {
      const res = await h.app.inject({ method, url, payload: method === 'POST' ? {} : undefined });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.json(), `${method} ${url}`).toEqual({ error_code: 'ENDPOINT_NOT_FOUND', message: expect.stringContaining('docs/mlflow.md') });
    }
  });

  test('request bodies: malformed JSON, non-objects, empty, double-encoded, wrong content type', async (h) => {
    const send = (payload: string, type = 'application/json') =>
      h.app.inject({ method: 'POST', url: `${API}/experiments/create`, payload, headers: { 'content-type': type } });
    for (const raw of ['{bad', '[1,', '{"a":1}}', "{'a':1}", '{"__proto__":{"x":1},"name":"p"}']) {
      const res = await send(raw);
      expect(res.statusCode, raw).toBe(400);
      expect(res.json<MlflowError>().error_code, raw).toBe('BAD_REQUEST');
    }
    for (const raw of ['[]', '0', 'true']) {
      const res = await send(raw);
      expect(res.statusCode, raw).toBe(400);
      expect(res.json<MlflowError>().error_code).toBe('INVALID_PARAMETER_VALUE');
    }
    const empty = await send('');
    expect(empty.json()).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining("'name'") });
    const doubled = await send(JSON.stringify(JSON.stringify({ name: `double-${Date.now()}` })));
    expect(doubled.statusCode).toBe(200);
    expect(doubled.json()).toEqual({ experiment_id: expect.any(String) });
    const text = await send('name=x', 'text/plain');
    expect(text.statusCode).toBe(400);
    expect(text.json<MlflowError>().error_code).toBe('BAD_REQUEST');
  });

});

describeMlflow('MLflow route table', (test) => {
  test('every MLflow route declares its policy: reads reader, writes editor', async (h) => {
    const routes = listRoutes(h.app).filter((r) => mlflowRelativePath(r.url) !== null);
    const keys = new Set(routes.filter((r) => r.method !== 'HEAD').map((r) => `${r.method} ${mlflowRelativePath(r.url)}`));
    expect([...keys].sort()).toEqual([...MLFLOW_ROUTE_KEYS].sort());
    expect(routes.filter((r) => r.method !== 'HEAD')).toHaveLength(MLFLOW_ROUTE_KEYS.length * 2);
    for (const route of routes) {
      // get-latest-versions is a read that MLflow's client sends as a POST (the model registry).
      const read = ['GET', 'HEAD'].includes(route.method) || route.url.endsWith('/search') || route.url.endsWith('/search-datasets') || route.url.endsWith('/get-latest-versions');
      expect(route.policy, `${route.method} ${route.url}`).toBe(read ? 'reader' : 'editor');
    }
  });

  test('never answers 500 to garbage on any MLflow route', async (h) => {
    const run = await h.run();
    const ids = { experimentId: run.info.experiment_id, runId: run.info.run_id };
    const hostile = [ids, { experimentId: '-1', runId: '..' }, { experimentId: '1e99', runId: 'a'.repeat(5000) }];
    for (const route of listRoutes(h.app).filter((r) => mlflowRelativePath(r.url) !== null)) {
      for (const set of hostile) {
        const req = mlflowSampleRequest(route, set);
        const bodies = ['GET', 'HEAD', 'DELETE'].includes(route.method) ? [req.body] : [req.body, ...GARBAGE_BODIES];
        for (const body of bodies) {
          const headers = typeof body === 'string' && !route.url.includes('artifacts/') ? { 'content-type': 'application/json' } : req.headers;
          const res = await h.app.inject({ method: req.method as 'GET', url: req.url, payload: body as string, headers });
          const label = `${req.method} ${req.url.slice(0, 80)} ${String(body).slice(0, 40)} → ${res.body.slice(0, 200)}`;
          expect(res.statusCode, label).toBeLessThan(500);
          if (res.statusCode >= 400 && route.method !== 'HEAD') expect(res.json(), label).toEqual({ error_code: expect.any(String), message: expect.any(String) });
        }
        const [path, query] = req.url.split('?');
        for (const value of query ? GARBAGE_VALUES : []) {
          const url = `${path}?${query!.replace(/=[^&]*/g, `=${value}`)}`;
          const res = await h.app.inject({ method: req.method as 'GET', url, payload: req.body as string, headers: req.headers });
          expect(res.statusCode, `${req.method} ${url.slice(0, 120)} → ${res.body.slice(0, 200)}`).toBeLessThan(500);
        }
      }
    }
  }, 180_000);
}, { apps: { server: serverApp } });
