import { expect } from 'vitest';
import { API, ARTIFACTS, describeMlflow, serverApp, unique, type MlflowError, type MlflowHarness } from './conformance-harness.js';

async function tokens(h: MlflowHarness) {
  const reader = await h.platform.tokens.create({ name: unique('reader'), role: 'reader' });
  const editor = await h.platform.tokens.create({ name: unique('editor'), role: 'editor' });
  return { reader: reader.secret, editor: editor.secret };
}

const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });

describeMlflow('MLflow routes with auth enabled', (test) => {
  test('without a token: 401 UNAUTHENTICATED in MLflow shape on API and proxy routes', async (h) => {
    for (const [method, url] of [
      ['GET', `${API}/experiments/get?experiment_id=0`],
      ['POST', `${API}/experiments/create`],
      ['POST', `${API}/runs/search`],
      ['GET', `${ARTIFACTS}/0/x.txt`],
      ['PUT', `${ARTIFACTS}/0/x.txt`],
      ['GET', `/ajax-api/2.0/mlflow/experiments/search`],
    ] as const) {
      const res = await h.app.inject({ method, url, payload: method === 'POST' ? { name: 'x' } : method === 'PUT' ? 'data' : undefined });
      expect(res.statusCode, `${method} ${url}`).toBe(401);
      expect(res.json()).toEqual({ error_code: 'UNAUTHENTICATED', message: expect.stringContaining('token') });
      expect(res.headers['www-authenticate']).toContain('Bearer');
    }
    const wrong = await h.app.inject({ method: 'GET', url: `${API}/experiments/get?experiment_id=0`, headers: bearer('cairn_nope') });
    expect(wrong.statusCode).toBe(401);
  });

  test('a reader token reads, and gets 403 PERMISSION_DENIED on writes', async (h) => {
    const { reader } = await tokens(h);
    const experimentId = (await h.platform.experiments.create({ name: unique('auth') })).experimentId;
    const run = await h.platform.runs.create({ experimentId });
    const ok = [
      ['GET', `${API}/experiments/get?experiment_id=${experimentId}`, undefined],
      ['POST', `${API}/experiments/search`, {}],
      ['POST', `${API}/runs/search`, { experiment_ids: [experimentId] }],
      ['GET', `${API}/runs/get?run_id=${run.info.runId}`, undefined],
      ['GET', `${API}/artifacts/list?run_id=${run.info.runId}`, undefined],
    ] as const;
    for (const [method, url, payload] of ok) {
      const res = await h.app.inject({ method, url, payload, headers: bearer(reader) });
      expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(200);
    }
    const denied = [
      ['POST', `${API}/experiments/create`, { name: unique('nope') }],
      ['POST', `${API}/runs/log-metric`, { run_id: run.info.runId, key: 'm', value: 1, timestamp: 1 }],
      ['PUT', `${ARTIFACTS}/${run.info.artifactUri}/x.txt`, 'data'],
      ['DELETE', `${ARTIFACTS}/${run.info.artifactUri}/x.txt`, undefined],
    ] as const;
    for (const [method, url, payload] of denied) {
      const res = await h.app.inject({ method, url, payload, headers: bearer(reader) });
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.json<MlflowError>().error_code).toBe('PERMISSION_DENIED');
    }
  });

  test('an editor token logs a whole run, as MLFLOW_TRACKING_TOKEN or as a Basic password', async (h) => {
    const { editor } = await tokens(h);
    const basic = { authorization: `Basic ${Buffer.from(`someone:${editor}`).toString('base64')}` };
    for (const headers of [bearer(editor), basic]) {
      const created = await h.app.inject({ method: 'POST', url: `${API}/experiments/create`, payload: { name: unique('edit') }, headers });
      expect(created.statusCode).toBe(200);
      const run = await h.app.inject({ method: 'POST', url: `${API}/runs/create`, payload: { experiment_id: created.json().experiment_id }, headers });
      const { run_id, artifact_uri } = run.json().run.info;
      const logged = await h.app.inject({ method: 'POST', url: `${API}/runs/log-batch`, payload: { run_id, params: [{ key: 'p', value: '1' }] }, headers });
      expect(logged.statusCode).toBe(200);
      const put = await h.app.inject({ method: 'PUT', url: `${ARTIFACTS}/${String(artifact_uri).replace('mlflow-artifacts:/', '')}/f.txt`, payload: 'x', headers });
      expect(put.statusCode).toBe(200);
    }
  });
}, { apps: { server: serverApp }, config: { auth: 'enabled' } });
