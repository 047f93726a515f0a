import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { makeTestPlatform, type TestPlatform } from '@cairn/core/testing';
import { buildApp } from '../src/app.js';
import { listRoutes } from '../src/auth/policy.js';
import { OPENAPI_PATH } from '../src/openapi.js';

interface Operation { security?: unknown; responses: Record<string, unknown>; requestBody?: { content: Record<string, unknown> }; parameters?: Array<{ name: string; in: string }> }
type OpenApi = { openapi: string; paths: Record<string, Record<string, Operation>> };

describe('OpenAPI document', () => {
  let t: TestPlatform;
  let app: FastifyInstance;
  let doc: OpenApi;
  beforeAll(async () => {
    t = await makeTestPlatform('sqlite');
    app = buildApp(t.platform, { logger: false });
    const res = await app.inject({ method: 'GET', url: OPENAPI_PATH });
    expect(res.statusCode).toBe(200);
    doc = res.json();
  });
  afterAll(async () => {
    await app.close();
    await t.cleanup();
  });

  it('describes every /api/v1 route and /health, and nothing else', () => {
    expect(doc.openapi).toBe('3.0.3');
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    const expected = listRoutes(app)
      .filter((r) => r.method !== 'HEAD' && r.url !== OPENAPI_PATH && (r.url.startsWith('/api/v1/') || r.url === '/health'))
      .map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`);
    expect(documented.sort()).toEqual(expected.sort());
  });

  it('gives each operation its responses, parameters and the bearer scheme where a token is needed', () => {
    // MLflow's routes are described by MLflow's own protos (docs/mlflow.md), not in Cairn's document.
    for (const route of listRoutes(app).filter((r) => r.method !== 'HEAD' && r.url !== OPENAPI_PATH && (r.url.startsWith('/api/v1/') || r.url === '/health'))) {
      const op = doc.paths[route.url.replace(/:(\w+)/g, '{$1}')]?.[route.method.toLowerCase()];
      const where = `${route.method} ${route.url}`;
      expect(op, where).toBeDefined();
      expect(Object.keys(op!.responses).length, where).toBeGreaterThan(0);
      expect(Boolean(op!.security), where).toBe(route.policy !== 'public');
      for (const [, name] of route.url.matchAll(/:(\w+)/g)) expect(op!.parameters?.some((p) => p.in === 'path' && p.name === name), `${where} ${name}`).toBe(true);
    }
    const batch = doc.paths['/api/v1/runs/{runId}/batch']!.post!;
    expect(JSON.stringify(batch.requestBody)).toContain('"Infinity"');
    expect(Object.keys(doc.paths['/api/v1/runs/{runId}/artifacts/content']!.put!.requestBody!.content)).toEqual(['application/octet-stream']);
  });
});
