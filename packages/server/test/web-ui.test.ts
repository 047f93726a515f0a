// `cairn server` serving the built web UI at `/`, with a stand-in build in a temp folder.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPlatform, type TestPlatform } from '@cairn/core/testing';
import { buildApp } from '../src/app.js';
import { call } from './helpers.js';

describe('web UI serving', () => {
  let t: TestPlatform;
  let app: FastifyInstance;
  let dist: string;
  const script = `console.log(${JSON.stringify('x'.repeat(4000))});`;
  beforeAll(async () => {
    dist = mkdtempSync(join(tmpdir(), 'cairn-ui-dist-'));
    mkdirSync(join(dist, 'assets'));
    writeFileSync(join(dist, 'index.html'), '<!doctype html><script type="module" src="/assets/index-abc123.js"></script>');
    writeFileSync(join(dist, 'assets', 'index-abc123.js'), script);
    writeFileSync(join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    t = await makeTestPlatform('sqlite', { auth: 'enabled' });
    app = buildApp(t.platform, { logger: false, uiDir: dist });
  });
  afterAll(async () => {
    await app?.close();
    await t?.cleanup();
    rmSync(dist, { recursive: true, force: true });
  });

  const expectUiHeaders = (headers: Record<string, unknown>) => {
    expect(headers['content-security-policy']).toMatch(/script-src 'self';/);
    expect(headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    expect(headers['content-security-policy']).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['x-frame-options']).toBe('DENY');
  };

  it('serves the index at / without a token, with no-cache and the CSP', async () => {
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['cache-control']).toBe('no-cache');
    expectUiHeaders(res.headers);
    const again = await app.inject({ method: 'GET', url: '/', headers: { 'if-none-match': String(res.headers.etag) } });
    expect(again.statusCode).toBe(304);
  });

  it('serves hashed assets for a year, gzipped when the browser accepts it', async () => {
    const res = await app.inject({ method: 'GET', url: '/assets/index-abc123.js', headers: { 'accept-encoding': 'gzip, br' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers['content-type']).toMatch(/^text\/javascript/);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(res.rawPayload).toString()).toBe(script);
    expectUiHeaders(res.headers);
    const plain = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(plain.body).toBe(script);
    expect((await app.inject({ method: 'GET', url: '/favicon.svg' })).headers['cache-control']).toBe('no-cache');
  });

  it('answers the index for UI paths, 404 for missing assets, and JSON 404 for unknown API paths', async () => {
    for (const path of ['/runs', '/runs/abc?tab=charts', '/compare?run=a&run=b', '/experiments/1']) {
      const res = await app.inject({ method: 'GET', url: path });
      expect(res.statusCode, path).toBe(200);
      expect(res.body, path).toContain('index-abc123.js');
    }
    const asset = await app.inject({ method: 'GET', url: '/assets/gone-999.js' });
    expect(asset.statusCode).toBe(404);
    expect(asset.headers['content-type']).toMatch(/^text\/plain/);
    // Each API family keeps its own 404: MLflow's ENDPOINT_NOT_FOUND under its prefixes.
    for (const [path, code] of [['/api/v1/nope', 'NOT_FOUND'], ['/api/2.0/mlflow/nope', 'ENDPOINT_NOT_FOUND'], ['/ajax-api/2.0/mlflow/nope', 'ENDPOINT_NOT_FOUND'], ['/health/x', 'NOT_FOUND']]) {
      const res = await call(app, 'GET', path!);
      expect(res.status, path).toBe(404);
      expect(res.body.error_code, path).toBe(code);
    }
    expect((await call(app, 'POST', '/anything')).body.error_code).toBe('NOT_FOUND');
    // The API behind it still needs a token.
    expect((await call(app, 'GET', '/api/v1/experiments')).status).toBe(401);
  });

  it('never serves a file outside the build', async () => {
    for (const path of ['/../package.json', '/%2e%2e/%2e%2e/etc/passwd', '/assets/..%2findex.html']) {
      const res = await app.inject({ method: 'GET', url: path });
      expect(res.body, path).not.toMatch(/root:|"name"/);
    }
  });

  it('says how to build the UI when it is not built', async () => {
    const bare = buildApp(t.platform, { logger: false, uiDir: join(dist, 'missing') });
    const res = await bare.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('npm run build -w @cairn/ui');
    await bare.close();
  });
});
