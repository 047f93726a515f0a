import { expect, it } from 'vitest';
import { call, describeEachBackend, seedRun } from './helpers.js';

// Keys that name Object.prototype's members are ordinary keys: a write that is acknowledged is
// readable on every surface, and a key a run does not have never reads as an inherited member.

const KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'prototype'];
const valueOf = (key: string) => `value of ${key}`;
type KeyValue = { key: string; value: string };

/** Parses JSON keeping `__proto__` as an own key (JSON.parse does), and checks every key and value. */
function expectMap(map: Record<string, string> | undefined, label: string, keys = KEYS): void {
  expect(map, label).toBeDefined();
  for (const key of keys) {
    expect(Object.hasOwn(map!, key), `${label}: ${key}`).toBe(true);
    expect(map![key], `${label}: ${key}`).toBe(valueOf(key));
  }
}
const fromList = (list: KeyValue[] | undefined): Record<string, string> => {
  const map = Object.create(null) as Record<string, string>;
  for (const { key, value } of list ?? []) map[key] = value;
  return map;
};

describeEachBackend('keys named like Object.prototype members', (ctx) => {
  const api = (method: string, url: string, body?: unknown) => call(ctx().app, method, url, body);
  const mlflow = (path: string, body: unknown) => api('POST', `/api/2.0/mlflow/${path}`, body);
  const pairs = KEYS.map((key) => ({ key, value: valueOf(key) }));

  it('keeps run params, tags and dataset tags readable on both APIs, and finds them by filter', async () => {
    const { runId, experimentId } = await seedRun(ctx().app);
    expect((await api('POST', `/api/v1/runs/${runId}/batch`, { params: pairs, tags: pairs })).status).toBe(200);
    const dataset = { name: 'd', digest: 'x', source_type: 'local', source: 's' };
    expect((await mlflow('runs/log-inputs', { run_id: runId, datasets: [{ dataset, tags: pairs }] })).status).toBe(200);

    const v1 = (await api('GET', `/api/v1/runs/${runId}`)).body.run;
    expectMap(v1.data.params, 'v1 params');
    expectMap(v1.data.tags, 'v1 tags');
    expectMap(v1.inputs[0].tags, 'v1 dataset tags');
    const ml = (await api('GET', `/api/2.0/mlflow/runs/get?run_id=${runId}`)).body.run;
    expectMap(fromList(ml.data.params), 'MLflow params');
    expectMap(fromList(ml.data.tags), 'MLflow tags');
    expectMap(fromList(ml.inputs.dataset_inputs[0].tags), 'MLflow dataset tags');

    for (const key of KEYS) {
      const found = await api('POST', '/api/v1/runs/search', { experimentIds: [experimentId], filter: `params.\`${key}\` = '${valueOf(key)}'` });
      expect(found.body.runs.map((r: { info: { runId: string } }) => r.info.runId), key).toEqual([runId]);
    }

    // One key at a time through MLflow's single-value routes, on a fresh run.
    const other = (await mlflow('runs/create', { experiment_id: experimentId })).body.run.info.run_id;
    for (const { key, value } of pairs) {
      expect((await mlflow('runs/log-parameter', { run_id: other, key, value })).status).toBe(200);
      expect((await mlflow('runs/set-tag', { run_id: other, key, value })).status).toBe(200);
    }
    const single = (await api('GET', `/api/2.0/mlflow/runs/get?run_id=${other}`)).body.run;
    expectMap(fromList(single.data.params), 'log-parameter');
    expectMap(fromList(single.data.tags), 'set-tag');
  });

  it("doesn't read a missing key as an inherited member", async () => {
    const { runId, experimentId } = await seedRun(ctx().app);
    await ctx().platform.experiments.setTag(experimentId, 'team', 'x');
    const run = await ctx().platform.runs.get(runId);
    const experiment = await ctx().platform.experiments.get(experimentId);
    for (const key of KEYS) {
      expect(run.data.params[key], key).toBeUndefined();
      expect(run.data.tags[key], key).toBeUndefined();
      expect(experiment.tags[key], key).toBeUndefined();
    }
    const res = await api('POST', '/api/v1/runs/search', { experimentIds: [experimentId], filter: "params.constructor = 'x' OR tags.toString = 'x'" });
    expect(res.body.runs).toEqual([]);
  });

  it('keeps experiment tags readable on both APIs', async () => {
    const created = await mlflow('experiments/create', { name: `proto-${ctx().backend}`, tags: pairs });
    const id = created.body.experiment_id as string;
    expectMap(fromList((await api('GET', `/api/2.0/mlflow/experiments/get?experiment_id=${id}`)).body.experiment.tags), 'MLflow experiments/create tags');
    expectMap((await api('GET', `/api/v1/experiments/${id}`)).body.experiment.tags, 'v1 experiment tags');

    const second = (await api('POST', '/api/v1/experiments', { name: `proto-v1-${ctx().backend}` })).body.experiment.experimentId as string;
    for (const { key, value } of pairs) {
      expect((await api('PUT', `/api/v1/experiments/${second}/tags`, { key, value })).status).toBeLessThan(300);
    }
    expectMap((await api('GET', `/api/v1/experiments/${second}`)).body.experiment.tags, 'v1 set tag');
    expectMap(fromList((await api('GET', `/api/2.0/mlflow/experiments/get?experiment_id=${second}`)).body.experiment.tags), 'MLflow get after v1 set');
  });

  it('keeps registered model and version tags readable on both APIs', async () => {
    const name = `proto-model-${ctx().backend}`;
    expect((await mlflow('registered-models/create', { name, tags: pairs })).status).toBe(200);
    expectMap(fromList((await api('GET', `/api/2.0/mlflow/registered-models/get?name=${name}`)).body.registered_model.tags), 'MLflow model tags');
    expectMap((await api('GET', `/api/v1/models/${name}`)).body.model.tags, 'v1 model tags');

    const { runId } = await seedRun(ctx().app);
    await ctx().app.inject({ method: 'PUT', url: `/api/v1/runs/${runId}/artifacts/content?path=model/model.onnx`, payload: 'onnx', headers: { 'content-type': 'application/octet-stream' } });
    const version = await mlflow('model-versions/create', { name, source: `runs:/${runId}/model`, run_id: runId, tags: pairs });
    expect(version.status, version.raw).toBe(200);
    expectMap(fromList((await api('GET', `/api/2.0/mlflow/model-versions/get?name=${name}&version=1`)).body.model_version.tags), 'MLflow version tags');
    expectMap((await api('GET', `/api/v1/models/${name}/versions/1`)).body.version.tags, 'v1 version tags');

    const plain = `proto-plain-${ctx().backend}`;
    expect((await api('POST', '/api/v1/models', { name: plain })).status).toBe(201);
    for (const { key, value } of pairs) {
      expect((await api('PUT', `/api/v1/models/${plain}/tags`, { key, value })).status).toBeLessThan(300);
      expect((await mlflow('registered-models/set-tag', { name, key, value: `${value}!` })).status).toBe(200);
    }
    expectMap((await api('GET', `/api/v1/models/${plain}`)).body.model.tags, 'v1 model set tag');
    const reset = fromList((await api('GET', `/api/2.0/mlflow/registered-models/get?name=${name}`)).body.registered_model.tags);
    for (const key of KEYS) expect(reset[key], key).toBe(`${valueOf(key)}!`);
  });
});
