import { connect } from 'node:net';
import { makeTestPlatform, type TestPlatform } from '@cairn/core/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';

// Every response of every route family has the documented error shape, including the ones Fastify
// and Node's HTTP parser produce before any route runs, and every response says nosniff.

// `notFound`: the code of an unknown path below the prefix (the artifact proxy takes any path as a file).
const FAMILIES = [
  { prefix: '/api/v1', mlflow: false, notFound: 'NOT_FOUND' },
  { prefix: '/api/2.0/mlflow', mlflow: true, notFound: 'ENDPOINT_NOT_FOUND' },
  { prefix: '/ajax-api/2.0/mlflow', mlflow: true, notFound: 'ENDPOINT_NOT_FOUND' },
  { prefix: '/api/2.0/mlflow-artifacts/artifacts', mlflow: true, notFound: 'RESOURCE_DOES_NOT_EXIST' },
  { prefix: '/ajax-api/2.0/mlflow-artifacts/artifacts', mlflow: true, notFound: 'RESOURCE_DOES_NOT_EXIST' },
  { prefix: '/api/2.0/mlflow-artifacts', mlflow: true, notFound: 'ENDPOINT_NOT_FOUND' },
  { prefix: '', mlflow: false, notFound: 'NOT_FOUND' },
];

interface Raw { status: number; headers: Record<string, string>; body: string }

/** Sends raw bytes to the server and reads the whole answer (the server closes the connection). */
function rawRequest(port: number, request: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', body = ''] = text.split('\r\n\r\n', 2);
      const [statusLine, ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      resolve({ status: Number(statusLine?.split(' ')[1]), headers, body });
    });
    socket.end(request);
  });
}

describe('error responses', () => {
  let t: TestPlatform;
  let app: FastifyInstance;
  let port = 0;
  beforeAll(async () => {
    t = await makeTestPlatform('sqlite', { server: { body_limit_bytes: 4096 } });
    // Without the web UI, whose index answers unknown GETs outside the API (web-ui.test.ts covers that).
    app = buildApp(t.platform, { logger: false, uiDir: null });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await app.close();
    await t.cleanup();
  });

  const expectShape = (res: { statusCode: number; headers: Record<string, unknown>; body: string }, status: number, code: string, label: string) => {
    expect(res.statusCode, `${label}: ${res.body}`).toBe(status);
    expect(JSON.parse(res.body), label).toEqual({ error_code: code, message: expect.any(String) });
    expect(res.headers['content-type'], label).toMatch(/^application\/json/);
    expect(res.headers['x-content-type-options'], label).toBe('nosniff');
  };

  it('answers malformed percent-encoding with a 400 in the family shape, saying what is wrong', async () => {
    for (const { prefix, mlflow } of FAMILIES) {
      for (const tail of ['/%ff', '/x%zz', '/%', '/runs/%E0%A4%A']) {
        const res = await app.inject({ method: 'GET', url: `${prefix}${tail}` });
        expectShape(res, 400, mlflow ? 'BAD_REQUEST' : 'INVALID_ARGUMENT', `${prefix}${tail}`);
        expect(res.json().message).toContain('malformed percent-encoding');
      }
    }
    for (const url of ['/api/v1/models/%ff', '/api/v1/runs/%zz', '/api/2.0/mlflow/experiments/%ff']) {
      expect((await app.inject({ method: 'GET', url })).json().message).toContain(JSON.stringify(url));
    }
  });

  it('answers unknown paths, over-long segments and body-parser errors in the family shape', async () => {
    for (const { prefix, notFound } of FAMILIES) {
      const label = prefix || '/';
      expectShape(await app.inject({ method: 'GET', url: `${prefix}/no/such/route` }), 404, notFound, `${label} 404`);
      expectShape(await app.inject({ method: 'DELETE', url: `${prefix}/no/such/route` }), 404, notFound, `${label} 404 DELETE`);
      const long = await app.inject({ method: 'GET', url: `${prefix}/${'x'.repeat(9000)}` });
      expectShape(long, long.statusCode === 400 ? 400 : 404, long.statusCode === 400 ? 'INVALID_PARAMETER_VALUE' : notFound, `${label} long path`);
    }
    const longName = await app.inject({ method: 'GET', url: `/api/v1/experiments-by-name/${'x'.repeat(9000)}` });
    expectShape(longName, 400, 'INVALID_ARGUMENT', 'over-long path parameter');
    const bodies: Array<[string, string, Record<string, string>]> = [
      ['{bad', 'malformed JSON', { 'content-type': 'application/json' }],
      ['name=x', 'form body', { 'content-type': 'application/x-www-form-urlencoded' }],
      ['x'.repeat(5000), 'body over the limit', { 'content-type': 'application/json' }],
      ['{}', 'wrong content-length', { 'content-type': 'application/json', 'content-length': '1' }],
    ];
    for (const [url, mlflow] of [['/api/v1/experiments', false], ['/api/2.0/mlflow/experiments/create', true], ['/ajax-api/2.0/mlflow/registered-models/create', true]] as const) {
      for (const [payload, label, headers] of bodies) {
        const res = await app.inject({ method: 'POST', url, payload, headers });
        expect(res.statusCode, `${url} ${label}`).toBeGreaterThanOrEqual(400);
        expect(res.statusCode, `${url} ${label}`).toBeLessThan(500);
        expect(res.json(), `${url} ${label}`).toEqual({ error_code: expect.any(String), message: expect.any(String) });
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        if (!mlflow) expect(res.json().error_code).not.toMatch(/BAD_REQUEST|ENDPOINT/);
      }
    }
  });

  it('sends nosniff on successful answers and on refusals by hooks', async () => {
    for (const url of ['/health', '/api/v1/experiments', '/api/2.0/mlflow/experiments/search', '/api/v1/openapi.json']) {
      expect((await app.inject({ method: 'GET', url })).headers['x-content-type-options'], url).toBe('nosniff');
    }
    const badHost = await app.inject({ method: 'GET', url: '/api/v1/experiments', headers: { host: 'evil.example' } });
    expectShape(badHost, 403, 'PERMISSION_DENIED', 'host check');
  });

  it('answers requests the HTTP parser refuses with the shape too, over a real connection', async () => {
    const cases: Array<[string, string, number, string]> = [
      ['malformed header', 'GET /api/v1/experiments HTTP/1.1\r\nHost: 127.0.0.1\r\nno colon here\r\n\r\n', 400, 'INVALID_ARGUMENT'],
      ['malformed header, MLflow path', 'GET /api/2.0/mlflow/experiments/search HTTP/1.1\r\nHost: 127.0.0.1\r\nno colon here\r\n\r\n', 400, 'BAD_REQUEST'],
      ['headers over 16 KiB', `GET /api/v1/experiments HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'x'.repeat(20_000)}\r\n\r\n`, 431, 'INVALID_ARGUMENT'],
      ['not HTTP', 'HELLO\r\n\r\n', 400, 'INVALID_ARGUMENT'],
    ];
    for (const [label, request, status, code] of cases) {
      const res = await rawRequest(port, request);
      expect(res.status, `${label}: ${res.body}`).toBe(status);
      expect(JSON.parse(res.body), label).toEqual({ error_code: code, message: expect.any(String) });
      expect(res.headers['x-content-type-options'], label).toBe('nosniff');
    }
    const res = await rawRequest(port, 'GET /api/v1/models/%ff HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error_code).toBe('INVALID_ARGUMENT');
  });
});
