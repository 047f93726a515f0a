import { createHash } from 'node:crypto';
import { beforeAll, expect, it } from 'vitest';
import { call, describeEachBackend, seedRun } from './helpers.js';

const ONNX = Buffer.from('onnx model bytes');

describeEachBackend('model registry /api/v1', (ctx) => {
  const api = (method: string, url: string, body?: unknown, headers?: Record<string, string>) => call(ctx().app, method, url, body, headers);
  let runId = '';

  beforeAll(async () => {
    ({ runId } = await seedRun(ctx().app));
    const put = await api('PUT', `/api/v1/runs/${runId}/artifacts/content?path=model/model.onnx`, ONNX, { 'content-type': 'application/octet-stream' });
    expect(put.status).toBe(200);
    expect((await api('POST', `/api/v1/runs/${runId}/batch`, { metrics: [{ key: 'auc', value: 0.91, timestamp: 1, step: 0 }] })).status).toBe(200);
  });

  it('registers models and versions, resolves aliases and serves verified files', async () => {
    expect((await api('POST', '/api/v1/models', { name: 'churn', tags: { team: 'risk' } })).status).toBe(201);
    expect((await api('POST', '/api/v1/models', { name: 'churn' })).body.error_code).toBe('ALREADY_EXISTS');
    const created = await api('POST', '/api/v1/models/churn/versions', { source: `runs:/${runId}/model`, signature: { inputs: [{ name: 'x', type: 'double' }], outputs: [{ type: 'double' }] } });
    expect(created.status, created.raw).toBe(201);
    expect(created.body.version).toMatchObject({ name: 'churn', version: 1, status: 'READY', format: 'onnx', unsafe: false, size: ONNX.length, runId });

    const alias = await api('PUT', '/api/v1/models/churn/aliases/champion', { version: 1 });
    expect(alias.body.version).toMatchObject({ version: 1, aliases: ['champion'] });
    expect((await api('GET', '/api/v1/model-versions/resolve?uri=models:/churn@champion')).body.version.version).toBe(1);
    expect((await api('GET', '/api/v1/models/churn/aliases/champion')).body.version.version).toBe(1);
    expect((await api('PUT', '/api/v1/models/churn/aliases/v1', { version: 1 })).body.error_code).toBe('INVALID_ARGUMENT');

    const files = await api('GET', '/api/v1/models/churn/versions/1/artifacts');
    expect(files.body.files).toEqual([{ path: 'model.onnx', size: ONNX.length, sha256: createHash('sha256').update(ONNX).digest('hex') }]);
    const content = await ctx().app.inject({ method: 'GET', url: '/api/v1/models/churn/versions/1/artifacts/content?path=model.onnx' });
    expect(content.rawPayload.equals(ONNX)).toBe(true);
    expect(content.headers['x-cairn-sha256']).toBe(files.body.files[0].sha256);

    const list = await api('GET', "/api/v1/models?filter=tags.team%20%3D%20'risk'");
    expect(list.body.models.map((m: { name: string }) => m.name)).toEqual(['churn']);
    expect((await api('GET', '/api/v1/models/churn/versions')).body.versions).toHaveLength(1);
    expect((await api('GET', '/api/v1/models/churn/versions/1/lineage')).body.lineage).toMatchObject({ run: { runId }, version: 1 });
  });

  it('uploads a model folder into a pending version and finalizes it', async () => {
    await api('POST', '/api/v1/models', { name: 'uploaded' });
    const pending = await api('POST', '/api/v1/models/uploaded/versions', { format: 'cairn-json' });
    expect(pending.body.version).toMatchObject({ version: 1, status: 'PENDING_REGISTRATION' });
    const put = await api('PUT', '/api/v1/models/uploaded/versions/1/artifacts/content?path=model.json', '{"w":1}', { 'content-type': 'application/octet-stream' });
    expect(put.body.file).toMatchObject({ path: 'model.json', size: 7 });
    const escape = await api('PUT', '/api/v1/models/uploaded/versions/1/artifacts/content?path=..%2F..%2Fx', 'x', { 'content-type': 'application/octet-stream' });
    expect(escape.body.error_code).toBe('INVALID_ARGUMENT');
    const ready = await api('POST', '/api/v1/models/uploaded/versions/1/finalize');
    expect(ready.body.version).toMatchObject({ status: 'READY', format: 'cairn-json', fileCount: 1 });
  });

  it('sets gates, promotes with reported conditions, and answers time travel and audit queries', async () => {
    const bad = await api('PUT', '/api/v1/models/churn/gates/champion', { conditions: ['metrics.auc >= >= 1'] });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/conditions\[0\]: Invalid gate condition at position 16/);
    const gate = await api('PUT', '/api/v1/models/churn/gates/prod', { conditions: ['metrics.auc >= 0.95'], protected: true });
    expect(gate.body.gate).toMatchObject({ alias: 'prod', protected: true, conditions: ['metrics.auc >= 0.95'] });
    const failed = await api('POST', '/api/v1/models/churn/aliases/prod/promote', { version: 1 });
    expect(failed.status).toBe(200);
    expect(failed.body.promotion).toMatchObject({ passed: false, moved: false, conditions: [{ expression: 'metrics.auc >= 0.95', passed: false, values: { 'metrics.auc': 0.91 } }] });
    const dry = await api('POST', '/api/v1/models/churn/aliases/prod/evaluate', { version: 1 });
    expect(dry.body.promotion.passed).toBe(false);
    await api('PUT', '/api/v1/models/churn/gates/prod', { conditions: ['metrics.auc >= 0.9'], protected: true });
    expect((await api('POST', '/api/v1/models/churn/aliases/prod/promote', { version: 1, reason: 'weekly release' })).body.promotion).toMatchObject({ passed: true, moved: true });
    expect((await api('PUT', '/api/v1/models/churn/aliases/prod', { version: 1 })).status).toBe(403);

    const history = await api('GET', `/api/v1/models/churn/aliases/prod/history?at=${new Date(Date.now() + 1000).toISOString()}`);
    expect(history.body.at).toMatchObject({ version: 1, event: { action: 'alias.moved', reason: 'weekly release' } });
    expect((await api('GET', '/api/v1/models/churn/aliases/prod/history?at=0')).body.at.version).toBeNull();
    expect((await api('GET', '/api/v1/models/churn/aliases/prod/history?at=yesterday-ish')).status).toBe(400);
    const audit = await api('GET', '/api/v1/models/churn/audit?action=promotion.*');
    expect(audit.body.events.map((e: { action: string }) => e.action)).toEqual(['promotion.passed', 'promotion.failed']);
    expect((await api('GET', '/api/v1/registry/audit?maxResults=2')).body.events).toHaveLength(2);
  });

  it('manages webhooks and refuses private targets by default', async () => {
    const refused = await api('POST', '/api/v1/webhooks', { url: 'http://127.0.0.1:9/hook' });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toMatch(/webhooks_allow_private/);
    expect((await api('GET', '/api/v1/webhooks')).body.webhooks).toEqual([]);
  });
});

describeEachBackend('model registry /api/v1 with auth', (ctx) => {
  const api = (method: string, url: string, body: unknown, token: string) => call(ctx().app, method, url, body, { authorization: `Bearer ${token}` });
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    for (const role of ['reader', 'editor', 'admin'] as const) tokens[role] = (await ctx().platform.tokens.create({ name: `${role}-bot`, role })).secret;
  });

  it('records the token name, keeps gates and overrides for admins, and needs a reason to force', async () => {
    const { runId } = await ctx().platform.runs.create({ experimentId: '0' }).then((r) => ({ runId: r.info.runId }));
    await ctx().platform.runs.logArtifact(runId, 'model/w.onnx', 'w');
    expect((await api('POST', '/api/v1/models', { name: 'secured' }, tokens.editor!)).status).toBe(201);
    expect((await api('POST', '/api/v1/models/secured/versions', { source: `runs:/${runId}/model` }, tokens.editor!)).status).toBe(201);
    expect((await api('PUT', '/api/v1/models/secured/gates/champion', { conditions: [], protected: true }, tokens.editor!)).status).toBe(403);
    expect((await api('PUT', '/api/v1/models/secured/gates/champion', { conditions: [], protected: true }, tokens.admin!)).status).toBe(200);
    expect((await api('PUT', '/api/v1/models/secured/aliases/champion', { version: 1, force: true, reason: 'x' }, tokens.editor!)).status).toBe(403);
    expect((await api('PUT', '/api/v1/models/secured/aliases/champion', { version: 1, force: true }, tokens.admin!)).status).toBe(400);
    expect((await api('PUT', '/api/v1/models/secured/aliases/champion', { version: 1, force: true, reason: 'bootstrap' }, tokens.admin!)).status).toBe(200);
    const events = (await api('GET', '/api/v1/models/secured/audit', undefined, tokens.reader!)).body.events as Array<{ action: string; actor: string; reason: string | null }>;
    expect(events[0]).toMatchObject({ action: 'alias.moved', actor: 'admin-bot', reason: 'bootstrap' });
    expect(events.find((e) => e.action === 'model.created')!.actor).toBe('editor-bot');
  });
}, { config: { auth: 'enabled' } });

describeEachBackend('webhooks over /api/v1', (ctx) => {
  const api = (method: string, url: string, body?: unknown) => call(ctx().app, method, url, body);

  it('returns the signing secret once, at creation; it is stored encrypted and never shown again', async () => {
    const created = await api('POST', '/api/v1/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['promotion.*'] });
    expect(created.status, created.raw).toBe(201);
    const { webhook, secret } = created.body as { webhook: { id: string }; secret: string };
    expect(secret).toMatch(/^whsec_/);
    for (const url of ['/api/v1/webhooks', `/api/v1/webhooks/${webhook.id}`, `/api/v1/webhooks/${webhook.id}/deliveries`]) {
      const res = await api('GET', url);
      expect(res.status, url).toBe(200);
      expect(res.raw, url).not.toContain(secret);
      expect(res.raw, url).not.toContain('cairn-enc');
    }
    const row = await ctx().platform.database.db.withTables<{ registry_webhooks: { webhook_id: string; secret: string } }>()
      .selectFrom('registry_webhooks').select('secret').where('webhook_id', '=', webhook.id).executeTakeFirstOrThrow();
    expect(row.secret).toMatch(/^cairn-enc:v1:[0-9a-f]{8}:/);
    expect(row.secret).not.toContain(secret.slice('whsec_'.length));
  });
}, { config: { registry: { webhooks_allow_private: true, webhook_secret_key: createHash('sha256').update('test key').digest('hex') } } });
