import { makeTestPlatform, type TestPlatform } from '@cairn/core/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { MAX_JSON_DEPTH } from '../src/json-body.js';

// JSON bodies are checked for nesting before they are parsed, on every route family: what used to
// overflow the stack further on (100,000 nested '[' sent as an MLflow experiment name) is a 400.

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('JSON request bodies', () => {
  let t: TestPlatform;
  let app: FastifyInstance;
  beforeAll(async () => {
    t = await makeTestPlatform('sqlite');
    app = buildApp(t.platform, { logger: false });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await t.cleanup();
  });
  const post = (url: string, payload: string) => app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/json' } });
  const families = [
    { url: '/api/v1/experiments', code: 'INVALID_ARGUMENT' },
    { url: '/api/2.0/mlflow/experiments/create', code: 'BAD_REQUEST' },
    { url: '/ajax-api/2.0/mlflow/experiments/create', code: 'BAD_REQUEST' },
    { url: '/api/2.0/mlflow/registered-models/create', code: 'BAD_REQUEST' },
  ];

  it('refuses nesting past the limit with a 400 naming it, on every route family', async () => {
    for (const { url, code } of families) {
      for (const body of [`{"name":${nested(100_000)}}`, nested(100_000), `{"name":"x","extra":${nested(MAX_JSON_DEPTH)}}`]) {
        const res = await post(url, body);
        expect(res.statusCode, `${url} ${body.slice(0, 20)}: ${res.body}`).toBe(400);
        expect(res.json()).toEqual({ error_code: code, message: `The request body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep, the limit. Send a flatter body.` });
      }
    }
  });

  it('takes nesting up to the limit, and brackets inside strings', async () => {
    // MLflow ignores unknown fields, so the nested value only has to get through the parser.
    const res = await post('/api/2.0/mlflow/experiments/create', `{"name":"deep-ok","extra":${nested(MAX_JSON_DEPTH - 1)}}`);
    expect(res.statusCode, res.body).toBe(200);
    const name = `brackets ${'['.repeat(300)} "quoted" \\`;
    const created = await post('/api/v1/experiments', JSON.stringify({ name }));
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().experiment.name).toBe(name);
  });

  it('says why a __proto__ key is refused, and what JSON is malformed', async () => {
    for (const { url, code } of families) {
      const proto = await post(url, '{"name":"p","tags":{"__proto__":"x"}}');
      expect(proto.statusCode).toBe(400);
      expect(proto.json()).toEqual({ error_code: code, message: expect.stringContaining("'__proto__' key") });
      const broken = await post(url, '{"name":');
      expect(broken.json()).toEqual({ error_code: code, message: expect.stringMatching(/^The request body is not valid JSON: .+/) });
    }
  });
});
