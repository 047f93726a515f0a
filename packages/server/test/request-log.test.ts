import { Writable } from 'node:stream';
import { makeTestPlatform, type TestPlatform } from '@cairn/core/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';

// A token sent in a URL is refused (tokens go in the Authorization header) and never written to the
// request log.

describe('request log', () => {
  let t: TestPlatform;
  let app: FastifyInstance;
  let secret = '';
  const log: string[] = [];
  beforeAll(async () => {
    t = await makeTestPlatform('sqlite', { auth: 'enabled' });
    secret = (await t.platform.tokens.create({ name: 'ci', role: 'admin' })).secret;
    const stream = new Writable({ write: (chunk, _enc, done) => (log.push(String(chunk)), done()) });
    app = buildApp(t.platform, { logger: { level: 'info', stream } });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await t.cleanup();
  });

  it('refuses a token in the query string or path and keeps it out of the log', async () => {
    for (const url of [
      `/api/v1/experiments?access_token=${secret}`,
      `/api/v1/experiments?token=${encodeURIComponent(secret)}&maxResults=5`,
      `/api/2.0/mlflow/experiments/search?max_results=1&api_key=${secret}`,
      `/api/v1/runs/${secret}`,
      `/api/v1/no-such-route/${secret}`,
      `/api/2.0/mlflow/no-such-route/${secret}?x=${secret}`,
      `/api/v1/models/%ff${secret}`,
    ]) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBeGreaterThanOrEqual(400);
      expect(res.body, url).not.toContain(secret);
    }
    const text = log.join('');
    expect(text).toContain('"url":"/api/v1/experiments?access_token=[redacted]"');
    expect(text).toContain('maxResults=5');
    expect(text).not.toContain(secret);
    expect(text).not.toContain(secret.slice(6, 30));
  });
});
