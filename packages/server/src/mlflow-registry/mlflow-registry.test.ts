import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, backendAvailable, makeTestPlatform, type TestPlatform } from '@cairn/core/testing';
import { buildApp } from '../app.js';

const API = '/api/2.0/mlflow';
const PROXY = '/api/2.0/mlflow-artifacts/artifacts';
// Requests as MLflow's Python client sends them: GET with a query string, everything else with JSON.
type Reply = { status: number; body: Record<string, any>; raw: string }; // eslint-disable-line @typescript-eslint/no-explicit-any

for (const backend of BACKENDS) {
  describe(`MLflow model registry API [${backend}]`, () => {
    let t: TestPlatform | undefined;
    let app: FastifyInstance;
    let skip = false;
    beforeAll(async () => {
      skip = !(await backendAvailable(backend));
      if (skip) return;
      t = await makeTestPlatform(backend);
      app = buildApp(t.platform, { logger: false });
      await app.ready();
    });
    afterAll(async () => {
      await app?.close();
      await t?.cleanup();
    });

    async function call(method: string, path: string, fields: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<Reply> {
      const url = method === 'GET' ? `${path}?${new URLSearchParams(fields as Record<string, string>).toString()}` : path;
      const res = await app.inject({ method: method as 'GET', url, headers, ...(method === 'GET' ? {} : { payload: fields }) });
      return { status: res.statusCode, body: res.body && res.headers['content-type']?.toString().startsWith('application/json') ? res.json() : {}, raw: res.body };
    }

    /** An MLflow run with a pickled model under `model/`, uploaded through the artifact proxy as mlflow.log_model does. */
    async function loggedModel(): Promise<{ runId: string; artifactUri: string }> {
      const exp = await call('POST', `${API}/experiments/create`, { name: `mlflow-reg-${Math.random().toString(36).slice(2)}` });
      const run = await call('POST', `${API}/runs/create`, { experiment_id: exp.body.experiment_id, start_time: Date.now() });
      const artifactUri = run.body.run.info.artifact_uri as string;
      const base = artifactUri.replace(/^mlflow-artifacts:\//, '');
      for (const [file, content] of [['MLmodel', 'flavors:\n  sklearn:\n    pickled_model: model.pkl\n'], ['model.pkl', 'PICKLE'], ['requirements.txt', 'scikit-learn']]) {
        const put = await app.inject({ method: 'PUT', url: `${PROXY}/${base}/model/${file}`, payload: content, headers: { 'content-type': 'application/octet-stream' } });
        expect(put.statusCode).toBe(200);
      }
      return { runId: run.body.run.info.run_id, artifactUri };
    }

    it('serves the MlflowClient registry flow with MLflow\'s shapes', async (ctx) => {
      if (skip) return ctx.skip();
      const created = await call('POST', `${API}/registered-models/create`, { name: 'churn', tags: [{ key: 'team', value: 'risk' }], description: 'who leaves' });
      expect(created.status, created.raw).toBe(200);
      expect(created.body.registered_model).toEqual({ name: 'churn', creation_timestamp: expect.any(Number), last_updated_timestamp: expect.any(Number), description: 'who leaves', tags: [{ key: 'team', value: 'risk' }] });
      expect((await call('POST', `${API}/registered-models/create`, { name: 'churn' })).body.error_code).toBe('RESOURCE_ALREADY_EXISTS');

      const { runId, artifactUri } = await loggedModel();
      // mlflow.register_model('runs:/<id>/model', 'churn') resolves the run's artifact URI and sends it with run_id.
      const mv = await call('POST', `${API}/model-versions/create`, { name: 'churn', source: `${artifactUri}/model`, run_id: runId, tags: [{ key: 'stage', value: 'dev' }] });
      expect(mv.status, mv.raw).toBe(200);
      expect(mv.body.model_version).toEqual({
        name: 'churn', version: '1', creation_timestamp: expect.any(Number), last_updated_timestamp: expect.any(Number), current_stage: 'None',
        source: `${artifactUri}/model`, run_id: runId, status: 'READY', user_id: 'anonymous', tags: [{ key: 'stage', value: 'dev' }],
      });
      const fromRunsUri = await call('POST', `${API}/model-versions/create`, { name: 'churn', source: `runs:/${runId}/model` });
      expect(fromRunsUri.body.model_version.version).toBe('2');

      const uri = await call('GET', `${API}/model-versions/get-download-uri`, { name: 'churn', version: '1' });
      expect(uri.body.artifact_uri).toMatch(/^mlflow-artifacts:\/registry\/[0-9a-f]{32}\/1$/);
      const download = await app.inject({ method: 'GET', url: `${PROXY}/${(uri.body.artifact_uri as string).slice('mlflow-artifacts:/'.length)}/model.pkl` });
      expect(download.body).toBe('PICKLE');

      expect((await call('POST', `${API}/registered-models/alias`, { name: 'churn', alias: 'champion', version: '1' })).status).toBe(200);
      const byAlias = await call('GET', `${API}/registered-models/alias`, { name: 'churn', alias: 'champion' });
      expect(byAlias.body.model_version).toMatchObject({ version: '1', aliases: ['champion'] });
      expect((await call('GET', `${API}/registered-models/get`, { name: 'churn' })).body.registered_model.aliases).toEqual([{ alias: 'champion', version: '1' }]);
      expect((await call('POST', `${API}/registered-models/alias`, { name: 'churn', alias: 'latest', version: '1' })).body.error_code).toBe('INVALID_PARAMETER_VALUE');
      expect((await call('DELETE', `${API}/registered-models/alias`, { name: 'churn', alias: 'champion' })).status).toBe(200);
      expect((await call('GET', `${API}/registered-models/alias`, { name: 'churn', alias: 'champion' })).body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');

      const staged = await call('POST', `${API}/model-versions/transition-stage`, { name: 'churn', version: '2', stage: 'staging', archive_existing_versions: true });
      expect(staged.body.model_version.current_stage).toBe('Staging');
      const latest = await call('POST', `${API}/registered-models/get-latest-versions`, { name: 'churn', stages: ['Staging'] });
      expect(latest.body.model_versions.map((v: { version: string }) => v.version)).toEqual(['2']);
      expect((await call('GET', `${API}/registered-models/get-latest-versions`, { name: 'churn' })).body.model_versions).toHaveLength(2);

      const search = await call('GET', `${API}/registered-models/search`, { filter: "name LIKE 'ch%'", max_results: '10' });
      expect(search.body.registered_models.map((m: { name: string }) => m.name)).toEqual(['churn']);
      const versions = await call('GET', `${API}/model-versions/search`, { filter: `name='churn' and run_id='${runId}'` });
      expect(versions.body.model_versions.map((v: { version: string }) => v.version)).toEqual(['2', '1']);
      expect((await call('GET', `${API}/registered-models/search`, { filter: "name = 'x' and" })).body.error_code).toBe('INVALID_PARAMETER_VALUE');

      await call('POST', `${API}/model-versions/set-tag`, { name: 'churn', version: '1', key: 'k', value: 'v' });
      await call('DELETE', `${API}/model-versions/delete-tag`, { name: 'churn', version: '1', key: 'stage' });
      expect((await call('GET', `${API}/model-versions/get`, { name: 'churn', version: '1' })).body.model_version.tags).toEqual([{ key: 'k', value: 'v' }]);
      await call('POST', `${API}/registered-models/set-tag`, { name: 'churn', key: 'owner', value: 'ana' });
      await call('DELETE', `${API}/registered-models/delete-tag`, { name: 'churn', key: 'team' });
      await call('PATCH', `${API}/registered-models/update`, { name: 'churn', description: 'new' });
      await call('PATCH', `${API}/model-versions/update`, { name: 'churn', version: '1', description: 'v1' });
      const renamed = await call('POST', `${API}/registered-models/rename`, { name: 'churn', new_name: 'churn-2' });
      expect(renamed.body.registered_model).toMatchObject({ name: 'churn-2', description: 'new', tags: [{ key: 'owner', value: 'ana' }] });
      expect((await call('DELETE', `${API}/model-versions/delete`, { name: 'churn-2', version: '1' })).status).toBe(200);
      expect((await call('GET', `${API}/model-versions/get`, { name: 'churn-2', version: '1' })).status).toBe(404);
      expect((await call('DELETE', `${API}/registered-models/delete`, { name: 'churn-2' })).status).toBe(200);
      expect((await call('GET', `${API}/registered-models/get`, { name: 'churn-2' })).body).toEqual({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: expect.stringContaining("'churn-2'") });
      // The same API answers under the web UI's prefix.
      expect((await call('GET', `/ajax-api/2.0/mlflow/registered-models/search`)).status).toBe(200);
    });

    it('refuses the crafted-location chain at its first step, and never serves a file outside the artifact root', async (ctx) => {
      if (skip) return ctx.skip();
      for (const location of ['file:///etc', 'file:///etc/', '//proc/self/root', 'http:///#/../../etc/', 'file%3A%2F%2F%2Fetc', 'mlflow-artifacts:/',
        'mlflow-artifacts:/registry', 'mlflow-artifacts:/registry/0123456789abcdef0123456789abcdef/1', 'mlflow-artifacts:/REGISTRY/x', 'mlflow-artifacts:/%72egistry/x', 'mlflow-artifacts:/pipelines/objects']) {
        const exp = await call('POST', `${API}/experiments/create`, { name: `crafted-${Math.random()}`, artifact_location: location });
        expect(exp.status, location).toBe(400);
        expect(exp.body.error_code).toBe('INVALID_PARAMETER_VALUE');
      }
      // Had the first step been skipped: registering /etc is refused too, and nothing is downloadable.
      const { runId } = await loggedModel();
      await call('POST', `${API}/registered-models/create`, { name: 'chain' });
      for (const source of ['file:///etc/', 'file:///etc/passwd', '/etc', '//proc/self/root', 'http:///#/../../etc/', 'mlflow-artifacts:/%2e%2e/%2e%2e/etc', 'mlflow-artifacts:/%252e%252e/etc', `runs:/${runId}/../../../../etc`]) {
        const mv = await call('POST', `${API}/model-versions/create`, { name: 'chain', source, run_id: runId });
        expect(mv.status, source).toBe(400);
        expect(mv.body.error_code, source).toBe('INVALID_PARAMETER_VALUE');
      }
      expect((await call('GET', `${API}/model-versions/get-download-uri`, { name: 'chain', version: '1' })).status).toBe(404);
      for (const path of ['registry/../../../../etc/passwd', 'registry/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '..%2f..%2f..%2fetc%2fpasswd']) {
        const res = await app.inject({ method: 'GET', url: `${PROXY}/${path}` });
        expect(res.statusCode, path).toBeGreaterThanOrEqual(400);
        expect(res.body).not.toMatch(/root:.*:0:0:/);
      }
    });

    it('serves registered files through the artifact proxy but refuses writes and deletes there', async (ctx) => {
      if (skip) return ctx.skip();
      const { runId } = await loggedModel();
      await call('POST', `${API}/registered-models/create`, { name: 'sealed' });
      await call('POST', `${API}/model-versions/create`, { name: 'sealed', source: `runs:/${runId}/model` });
      const uri = (await call('GET', `${API}/model-versions/get-download-uri`, { name: 'sealed', version: '1' })).body.artifact_uri as string;
      const key = uri.slice('mlflow-artifacts:/'.length);
      for (const path of [`${key}/model.pkl`, `${key}/injected.pkl`, `${key.replace('registry', 'Registry')}/model.pkl`, `${key.replace('registry', '%72egistry')}/x`, 'pipelines/objects/ab/cd']) {
        const put = await app.inject({ method: 'PUT', url: `${PROXY}/${path}`, payload: 'EVIL', headers: { 'content-type': 'application/octet-stream' } });
        expect(put.statusCode, path).toBe(403);
        expect(put.json().error_code).toBe('PERMISSION_DENIED');
        expect((await app.inject({ method: 'DELETE', url: `${PROXY}/${path}` })).statusCode, path).toBe(403);
      }
      const download = await app.inject({ method: 'GET', url: `${PROXY}/${key}/model.pkl` });
      expect(download.body).toBe('PICKLE');
      expect((await app.inject({ method: 'GET', url: `${PROXY}/${key}/injected.pkl` })).statusCode).toBe(404);
    });

    it('refuses to move a protected alias outside its gate', async (ctx) => {
      if (skip || !t) return ctx.skip();
      const { runId } = await loggedModel();
      await call('POST', `${API}/registered-models/create`, { name: 'guarded' });
      await call('POST', `${API}/model-versions/create`, { name: 'guarded', source: `runs:/${runId}/model` });
      await t.platform.registry.gates.set({ model: 'guarded', alias: 'champion', conditions: [], protected: true });
      const res = await call('POST', `${API}/registered-models/alias`, { name: 'guarded', alias: 'champion', version: '1' });
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ error_code: 'PERMISSION_DENIED', message: expect.stringContaining('cairn models promote') });
    });
  });
}
