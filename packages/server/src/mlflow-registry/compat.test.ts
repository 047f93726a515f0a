import { expect } from 'vitest';
import { describeMlflow, serverApp, type MlflowError } from '../mlflow/conformance-harness.js';

// What MLflow 2.9.2's registry tests (tests/tracking/test_model_registry.py, the model-version source
// cases of test_rest_tracking.py) expect, pinned here: external versions, refusals in MLflow's words,
// the default search order and timestamps.

type Version = { version: string; source: string; run_id?: string; status: string; status_message?: string; last_updated_timestamp: number };
type Model = { name: string; last_updated_timestamp: number };

const uniqueName = (prefix: string) => `${prefix}_${Date.now()}_${Math.random().toString(36).slice(2)}`;

/** Waits until the clock has moved past `t`, so a write after it would get a later timestamp. */
async function after(t: number): Promise<void> {
  while (Date.now() <= t) await new Promise((r) => setTimeout(r, 1));
}

describeMlflow('MLflow 2.9.2 registry semantics', (test) => {
  test('versions whose files Cairn does not hold are external: recorded, marked, never fetched', async (h) => {
    const name = uniqueName('ext');
    await h.post('/registered-models/create', { name });
    const create = (source: string, runId?: string) => h.post<{ model_version: Version } & MlflowError>('/model-versions/create', { name, source, ...(runId ? { run_id: runId } : {}) });
    // A run of another tracking server, with a run_id that differs from the one in the URI (MLflow accepts both).
    const remote = await create('runs:/run_id/model', 'run_id_1');
    expect(remote.status, JSON.stringify(remote.body)).toBe(200);
    expect(remote.body.model_version).toMatchObject({ version: '1', source: 'runs:/run_id/model', run_id: 'run_id_1', status: 'READY', status_message: expect.stringContaining('External version') });
    expect((await h.get<{ artifact_uri: string }>('/model-versions/get-download-uri', { name, version: '1' })).body.artifact_uri).toBe('runs:/run_id/model');
    const run = await h.run();
    for (const source of ['s3://bucket/models/m', 'mlflow-artifacts:/models', 'mlflow-artifacts:/models///', 'mlflow-artifacts://host:9000/models', 'mlflow-artifacts://host:9000/models/artifact/..../', 'gs://b/m']) {
      const res = await create(source, run.info.run_id);
      expect(res.status, `${source}: ${JSON.stringify(res.body)}`).toBe(200);
      expect((await h.get<{ artifact_uri: string }>('/model-versions/get-download-uri', { name, version: res.body.model_version.version })).body.artifact_uri).toBe(source);
    }
    // Cairn's own view: marked external, no files, lineage names the dangling run.
    const v1 = await h.platform.registry.versions.get(name, 1);
    expect(v1.externalUri).toBe('runs:/run_id/model');
    expect(await h.platform.registry.versions.files(name, 1)).toEqual([]);
    const lineage = await h.platform.registry.lineage.of(`models:/${name}/1`);
    expect(lineage).toMatchObject({ run: null, missingRunId: 'run_id_1', externalUri: 'runs:/run_id/model' });
    const served = await h.app.inject({ method: 'GET', url: `/model-versions/get-artifact?name=${name}&version=1&path=MLmodel` });
    expect(served.statusCode).toBe(400);
    expect(served.json()).toEqual({ error_code: 'INVALID_STATE', message: expect.stringContaining('never fetches') });
    // A copy of an external version points where the original does.
    const copy = await h.post<{ model_version: Version }>('/model-versions/create', { name, source: `models:/${name}/1`, run_id: 'run_id_1' });
    expect(copy.status).toBe(200);
    expect((await h.get<{ artifact_uri: string }>('/model-versions/get-download-uri', { name, version: copy.body.model_version.version })).body.artifact_uri).toBe('runs:/run_id/model');
  });

  test('local paths, file: URIs and climbing paths stay refused, in MLflow\'s words', async (h) => {
    const name = uniqueName('refused');
    await h.post('/registered-models/create', { name });
    const run = await h.run();
    const refused = async (source: string, runId?: string) => {
      const res = await h.post<MlflowError>('/model-versions/create', { name, source, ...(runId ? { run_id: runId } : {}) });
      expect(res.status, source).toBe(400);
      expect(res.body.error_code, source).toBe('INVALID_PARAMETER_VALUE');
      return res.body.message;
    };
    expect(await refused('/tmp', run.info.run_id)).toContain('To use a local path as a model version');
    expect(await refused('relative/model')).toContain('To use a local path as a model version');
    expect(await refused('file:///tmp')).toContain("MLflow tracking server doesn't allow using a file URI as a model version source");
    expect(await refused('file://123.456.789.123/path/to/source', run.info.run_id)).toContain("MLflow tracking server doesn't allow");
    for (const source of ['mlflow-artifacts://host:9000/models/../../../', 'http://host:9000/models/../../../', 'https://host/api/2.0/mlflow-artifacts/artifacts/../../../',
      's3a://my_bucket/api/2.0/mlflow-artifacts/artifacts/../../../', 'ftp://host:8888/api/2.0/mlflow-artifacts/artifacts/../../../',
      'mlflow-artifacts://host:9000/models/..%2f..%2fartifacts', 'mlflow-artifacts://host:9000/models/artifact%00', 's3://b/%252e%252e/x']) {
      expect(await refused(source, run.info.run_id)).toContain('If supplying a source as an http, https,');
    }
    expect((await h.get<{ model_versions?: unknown[] }>('/model-versions/search', { filter: `name = '${name}'` })).body.model_versions).toBeUndefined();
  });

  test('MLflow\'s default order for version search; version description and tags leave the model\'s timestamp alone', async (h) => {
    const name = uniqueName('order');
    await h.post('/registered-models/create', { name });
    for (let i = 0; i < 3; i++) await h.post('/model-versions/create', { name, source: `s3://b/m${i}` });
    const before = (await h.get<{ registered_model: Model }>('/registered-models/get', { name })).body.registered_model.last_updated_timestamp;
    const v2 = (await h.get<{ model_version: Version }>('/model-versions/get', { name, version: '2' })).body.model_version;
    await after(Math.max(before, v2.last_updated_timestamp));
    await h.app.inject({ method: 'PATCH', url: '/api/2.0/mlflow/model-versions/update', payload: { name, version: '2', description: 'newer' } });
    await h.post('/model-versions/set-tag', { name, version: '2', key: 'k', value: 'v' });
    await h.app.inject({ method: 'DELETE', url: '/api/2.0/mlflow/model-versions/delete-tag', payload: { name, version: '2', key: 'k' } });
    expect((await h.get<{ registered_model: Model }>('/registered-models/get', { name })).body.registered_model.last_updated_timestamp).toBe(before);
    // Last updated first on MLflow's route; Cairn's own API keeps name, then version descending.
    const mlflow = await h.get<{ model_versions: Version[] }>('/model-versions/search', { filter: `name = '${name}'` });
    expect(mlflow.body.model_versions.map((v) => v.version)).toEqual(['2', '3', '1']);
    const cairn = await h.platform.registry.versions.search({ filter: `name = '${name}'` });
    expect(cairn.items.map((v) => v.version)).toEqual([3, 2, 1]);
    // A stage transition does move it, as in MLflow.
    await h.post('/model-versions/transition-stage', { name, version: '1', stage: 'Staging', archive_existing_versions: false });
    expect((await h.get<{ registered_model: Model }>('/registered-models/get', { name })).body.registered_model.last_updated_timestamp).toBeGreaterThan(before);
  });

  test('registry errors in MLflow\'s words', async (h) => {
    const name = uniqueName('words');
    expect((await h.get<MlflowError>('/registered-models/get', { name })).body.message).toMatch(new RegExp(`^Registered Model with name=${name} not found\\. `));
    await h.post('/registered-models/create', { name });
    expect((await h.post<MlflowError>('/registered-models/create', { name })).body.message).toMatch(new RegExp(`^Registered Model \\(name=${name}\\) already exists\\. `));
    expect((await h.get<MlflowError>('/model-versions/get', { name, version: '9' })).body.message).toMatch(new RegExp(`^Model Version \\(name=${name}, version=9\\) not found\\. `));
    const bad = await h.get<MlflowError>('/model-versions/get', { name, version: 'something not correct' });
    expect(bad.body).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringMatching(/^Model version must be an integer, got 'something not correct'/) });
  });
}, { apps: { server: serverApp } });
