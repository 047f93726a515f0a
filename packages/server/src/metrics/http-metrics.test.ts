import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { makeTestPlatform, type TestPlatform } from '@cairn/core/testing';
import { buildApp } from '../app.js';

describe('cairn server /metrics', () => {
  let t: TestPlatform;
  let app: FastifyInstance;
  beforeAll(async () => {
    t = await makeTestPlatform('sqlite');
    app = buildApp(t.platform, { logger: false });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await t?.cleanup();
  });

  it('counts requests by route pattern and status, and times them', async () => {
    await app.inject({ method: 'GET', url: '/api/v1/experiments' });
    await app.inject({ method: 'GET', url: '/api/v1/runs/ffffffffffffffffffffffffffffffff' });
    await app.inject({ method: 'GET', url: '/api/v1/runs/eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee' });
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    // Labelled by the pattern, so two run ids make one series.
    expect(res.body).toMatch(/cairn_http_requests_total\{[^}]*method="GET",route="\/api\/v1\/runs\/:runId",status="404"[^}]*\} 2/);
    expect(res.body).toMatch(/cairn_http_requests_total\{[^}]*route="\/api\/v1\/experiments",status="200"[^}]*\} 1/);
    expect(res.body).toMatch(/cairn_http_request_duration_seconds_bucket\{[^}]*le="0.005"[^}]*route="\/api\/v1\/experiments"|cairn_http_request_duration_seconds_bucket\{[^}]*route="\/api\/v1\/experiments"[^}]*le="0.005"/);
    expect(res.body).toMatch(/process_cpu_user_seconds_total/);
  });
});
