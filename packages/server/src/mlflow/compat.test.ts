import { expect } from 'vitest';
import { API, describeMlflow, serverApp, bareApp, tagMap, type MlflowError, type MlflowRun } from './conformance-harness.js';

// What MLflow 2.9.2's own live-server tests (tests/tracking/test_rest_tracking.py) expect of the
// tracking routes, pinned here: MLflow's message texts, and the endpoints its client and web UI call.

const rawPost = (h: { app: { inject: (o: object) => Promise<{ statusCode: number; json: () => unknown }> } }, path: string, text: string) =>
  h.app.inject({ method: 'POST', url: `${API}${path}`, payload: text, headers: { 'content-type': 'application/json' } });

describeMlflow('MLflow 2.9.2 messages on the tracking routes', (test) => {
  test('type errors print the value as Python does, then the Cairn hint', async (h) => {
    const name = await rawPost(h, '/experiments/create', '{"name": 123}');
    expect(name.statusCode).toBe(400);
    expect((name.json() as MlflowError).message).toContain("Invalid value 123 for parameter 'name' supplied. Hint: Value was of type 'int'.");
    const location = await rawPost(h, '/experiments/create', '{"name": "x", "artifact_location": 9.0, "tags": [{"key": "k", "value": "v"}]}');
    expect((location.json() as MlflowError).message).toContain("Invalid value 9.0 for parameter 'artifact_location'");
    const tags = await rawPost(h, '/experiments/create', '{"name": "x", "artifact_location": "a", "tags": "5"}');
    expect((tags.json() as MlflowError).message).toContain("Invalid value 5 for parameter 'tags'");
    expect((await rawPost(h, '/experiments/create', '{}')).json()).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining("Missing value for required parameter 'name'") });

    const run = await h.run();
    const id = run.info.run_id;
    const metric = (body: object) => h.post<MlflowError>('/runs/log-metric', body);
    expect((await metric({ run_id: 31, key: 'm', value: 41, timestamp: 59, step: 26 })).body.message).toContain("Invalid value 31 for parameter 'run_id' supplied");
    expect((await metric({ run_id: id, key: 31, value: 41, timestamp: 59 })).body.message).toContain("Invalid value 31 for parameter 'key' supplied");
    expect((await metric({ run_id: id, key: 'foo', value: 31, timestamp: 59, step: 'foo' })).body.message).toContain("Invalid value foo for parameter 'step' supplied");
    expect((await metric({ run_id: id, key: 'foo', value: 31, timestamp: 'foo' })).body.message).toContain("Invalid value foo for parameter 'timestamp' supplied");
    expect((await metric({ run_id: null, key: 'foo', value: 31, timestamp: 59 })).body.message).toContain("Missing value for required parameter 'run_id'");
    expect((await metric({ run_id: id, key: null, value: 31, timestamp: 59 })).body.message).toContain("Missing value for required parameter 'key'");
    expect((await h.post<MlflowError>('/runs/set-tag', { run_id: id, key: 'k', value: 41 })).body.message).toContain("Invalid value 41 for parameter 'value' supplied");
    for (const field of ['metrics', 'params', 'tags']) {
      expect((await h.post<MlflowError>('/runs/log-batch', { run_id: id, [field]: 'foo' })).body.message).toContain(`Invalid value foo for parameter '${field}' supplied`);
    }
    const noTimestamp = await rawPost(h, '/runs/log-batch', `{"run_id": "${id}", "metrics": [{"key": "mae", "value": 2.5}]}`);
    expect((noTimestamp.json() as MlflowError).message).toContain("Invalid value [{'key': 'mae', 'value': 2.5}] for parameter 'metrics' supplied");
    expect((await h.post('/runs/log-batch', { run_id: id, metrics: [{ key: 'mae', value: 2.5, timestamp: 123456789 }] })).status).toBe(200);
    const tooMany = await h.post<MlflowError>('/runs/search', { experiment_ids: [run.info.experiment_id], max_results: 123456789 });
    expect(tooMany.body.message).toContain("Invalid value 123456789 for parameter 'max_results' supplied");
  });

  test('not found, missing tags and deleted runs in MLflow\'s words', async (h) => {
    const run = await h.run();
    const id = run.info.run_id;
    expect((await h.get<MlflowError>('/runs/get', { run_id: 'fake_run_id' })).body.message).toMatch(/^Run with id=fake_run_id not found\. /);
    expect((await h.post<MlflowError>('/runs/delete-tag', { run_id: id, key: 'fakeTag' })).body.message).toMatch(/^No tag with name: fakeTag in run with id /);
    expect((await h.get<MlflowError>('/experiments/get', { experiment_id: '424242' })).body.message).toMatch(/^No Experiment with id=424242 exists\. /);
    const name = `dup_${Date.now()}`;
    await h.post('/experiments/create', { name });
    expect((await h.post<MlflowError>('/experiments/create', { name })).body.message).toMatch(new RegExp(`^Experiment\\(name=${name}\\) already exists\\. `));
    await h.post('/runs/delete', { run_id: id });
    const deleted = await h.post<MlflowError>('/runs/set-tag', { run_id: id, key: 'k', value: 'v' });
    expect(deleted.body.message).toContain(`The run ${id} must be in the 'active' state. Current state is deleted.`);
  });

  test('log-inputs needs datasets (an empty list is fine); parent runs of other servers are kept as tags', async (h) => {
    const run = await h.run();
    const none = await h.post<MlflowError>('/runs/log-inputs', { run_id: run.info.run_id });
    expect(none.status).toBe(400);
    expect(none.body).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining("Missing value for required parameter 'datasets'") });
    expect((await h.post('/runs/log-inputs', { run_id: run.info.run_id, datasets: [] })).status).toBe(200);
    const child = await h.run(run.info.experiment_id, { tags: [{ key: 'mlflow.parentRunId', value: '7' }] });
    expect(tagMap(child.data.tags)['mlflow.parentRunId']).toBe('7');
  });
});

describeMlflow('MLflow endpoints its client and web UI call', (test) => {
  test('runs/log-model appends to mlflow.log-model.history and checks the model JSON', async (h) => {
    const run = await h.run();
    const id = run.info.run_id;
    for (const path of ['model/a', 'model/b']) {
      const model = { artifact_path: path, flavors: { python_function: {} }, utc_time_created: '2024-01-01 00:00:00.000000', run_id: id, model_uuid: path };
      expect((await h.post('/runs/log-model', { run_id: id, model_json: JSON.stringify(model) })).status).toBe(200);
    }
    const got = await h.get<{ run: MlflowRun }>('/runs/get', { run_id: id });
    const history = JSON.parse(tagMap(got.body.run.data.tags)['mlflow.log-model.history']!) as Array<{ artifact_path: string }>;
    expect(history.map((m) => m.artifact_path)).toEqual(['model/a', 'model/b']);
    expect((await h.post<MlflowError>('/runs/log-model', { run_id: id, model_json: '{nope' })).body.message).toContain('Malformed model info.');
    expect((await h.post<MlflowError>('/runs/log-model', { run_id: id, model_json: '{"artifact_path": "m"}' })).body.message).toContain('Model json is missing mandatory fields');
  });

  test('metrics/get-history-bulk: runs by id, points by (timestamp, step, value), MLflow\'s limits', async (h) => {
    const [a, b] = [await h.run(), await h.run()];
    const points = [
      { key: 'm', timestamp: 2, step: 3, value: 12 },
      { key: 'm', timestamp: 1, step: 3, value: 11 },
      { key: 'm', timestamp: 1, step: 2, value: 10 },
    ];
    for (const run of [a, b]) await h.post('/runs/log-batch', { run_id: run.info.run_id, metrics: points });
    const ids = [a.info.run_id, b.info.run_id].sort();
    const res = await h.get<{ metrics: Array<Record<string, unknown>> }>('/metrics/get-history-bulk', { run_id: [...ids].reverse(), metric_key: 'm' });
    expect(res.body.metrics).toEqual(ids.flatMap((run_id) => [
      { key: 'm', value: 10, timestamp: 1, step: 2, run_id },
      { key: 'm', value: 11, timestamp: 1, step: 3, run_id },
      { key: 'm', value: 12, timestamp: 2, step: 3, run_id },
    ]));
    expect((await h.get<{ metrics: unknown[] }>('/metrics/get-history-bulk', { run_id: ids, metric_key: 'm', max_results: '2' })).body.metrics).toHaveLength(2);
    const fail = async (query: Record<string, string | string[]>) => (await h.get<MlflowError>('/metrics/get-history-bulk', query)).body.message;
    expect(await fail({ metric_key: 'm' })).toContain('GetMetricHistoryBulk request must specify at least one run_id');
    expect(await fail({ run_id: Array.from({ length: 21 }, (_v, i) => `id_${i}`), metric_key: 'm' })).toContain('GetMetricHistoryBulk request cannot specify more than 20 run_ids');
    expect(await fail({ run_id: ids })).toContain('GetMetricHistoryBulk request must specify a metric_key');
  });

  test('metrics/get-history-bulk-interval keeps the sampled steps and each run\'s last step', async (h) => {
    const [a, b] = [await h.run(), await h.run()];
    const series = (n: number) => Array.from({ length: n }, (_v, step) => ({ key: 'loss', value: step / 10, timestamp: 1000 + step, step }));
    await h.post('/runs/log-batch', { run_id: a.info.run_id, metrics: series(100) });
    await h.post('/runs/log-batch', { run_id: b.info.run_id, metrics: series(37) });
    const res = await h.get<{ metrics: Array<{ step: number; run_id: string }> }>('/metrics/get-history-bulk-interval', { run_ids: [a.info.run_id, b.info.run_id], metric_key: 'loss', max_results: '10' });
    const stepsOf = (id: string) => res.body.metrics.filter((m) => m.run_id === id).map((m) => m.step);
    expect(stepsOf(a.info.run_id)).toEqual([0, 10, 20, 30, 36, 40, 50, 60, 70, 80, 90, 99]);
    expect(stepsOf(b.info.run_id)).toEqual([0, 10, 20, 30, 36]);
    const ranged = await h.get<{ metrics: Array<{ step: number }> }>('/metrics/get-history-bulk-interval', { run_ids: a.info.run_id, metric_key: 'loss', start_step: '10', end_step: '19', max_results: '5' });
    expect(ranged.body.metrics.map((m) => m.step)).toEqual([10, 12, 14, 16, 18, 19]);
    const fail = async (query: Record<string, string | string[]>) => (await h.get<MlflowError>('/metrics/get-history-bulk-interval', query)).body.message;
    expect(await fail({ run_ids: a.info.run_id, metric_key: 'loss', start_step: '3' })).toContain('If either start step or end step are specified, both must be specified.');
    expect(await fail({ run_ids: a.info.run_id, metric_key: 'loss', start_step: '9', end_step: '3' })).toContain('end_step must be greater than start_step. Found start_step=9 and end_step=3.');
    expect(await fail({ run_ids: a.info.run_id, metric_key: 'loss', max_results: '2501' })).toContain('max_results must be between 1 and 2500.');
    expect(await fail({ metric_key: 'loss' })).toContain("Missing value for required parameter 'run_ids'");
  });

  test('experiments/search-datasets lists the datasets runs used, with their context', async (h) => {
    const run = await h.run();
    const dataset = { name: 'name1', digest: 'digest1', source_type: 'local', source: 'source1' };
    await h.post('/runs/log-inputs', { run_id: run.info.run_id, datasets: [{ dataset, tags: [{ key: 'mlflow.data.context', value: 'training' }] }] });
    const res = await h.app.inject({ method: 'POST', url: '/ajax-api/2.0/mlflow/experiments/search-datasets', payload: { experiment_ids: [run.info.experiment_id] } });
    expect(res.json()).toEqual({ dataset_summaries: [{ experiment_id: run.info.experiment_id, name: 'name1', digest: 'digest1', context: 'training' }] });
    expect((await h.post<MlflowError>('/experiments/search-datasets', {})).body.message).toContain('SearchDatasets request must specify at least one experiment_id.');
    expect((await h.post<MlflowError>('/experiments/search-datasets', { experiment_ids: Array.from({ length: 21 }, (_v, i) => String(i)) })).body.message).toContain('SearchDatasets request cannot specify more than 20 experiment_ids.');
  });

  test('legacy /get-artifact serves a run\'s file with both filename forms; refused paths are exactly "Invalid path"', async (h) => {
    const run = await h.run();
    const base = run.info.artifact_uri.replace(/^mlflow-artifacts:\//, '');
    await h.app.inject({ method: 'PUT', url: `/api/2.0/mlflow-artifacts/artifacts/${base}/a.txt`, payload: 'abcdefg', headers: { 'content-type': 'application/octet-stream' } });
    const res = await h.app.inject({ method: 'GET', url: `/get-artifact?run_id=${run.info.run_id}&path=a.txt` });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('abcdefg');
    expect(res.headers['content-type']).toBe('text/plain');
    expect(res.headers['content-disposition']).toBe('attachment; filename="a.txt"; filename*=UTF-8\'\'a.txt');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    for (const url of [`/get-artifact?run_id=${run.info.run_id}&path=../path`, `${API}/artifacts/list?run_id=${run.info.run_id}&path=../path`, '//model-versions/get-artifact?name=model&version=1&path=../path']) {
      const refused = await h.app.inject({ method: 'GET', url });
      expect(refused.statusCode, url).toBe(400);
      expect(refused.json(), url).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: 'Invalid path' });
    }
    // An HTML upload is never served as HTML.
    await h.app.inject({ method: 'PUT', url: `/api/2.0/mlflow-artifacts/artifacts/${base}/x.html`, payload: '<script>1</script>', headers: { 'content-type': 'text/html' } });
    expect((await h.app.inject({ method: 'GET', url: `/get-artifact?run_id=${run.info.run_id}&path=x.html` })).headers['content-type']).toBe('application/octet-stream');
  });
}, { apps: { bare: bareApp, server: serverApp } });
