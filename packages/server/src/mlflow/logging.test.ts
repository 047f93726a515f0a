import { expect } from 'vitest';
import { describeMlflow, tagMap, type MlflowError, type MlflowMetric, type MlflowRun } from './conformance-harness.js';

type History = { metrics?: MlflowMetric[]; next_page_token?: string };

describeMlflow('MLflow logging API', (test) => {
  test('log-metric: step defaults to 0, timestamp and value are required, runs/get keeps the latest per key', async (h) => {
    const id = (await h.run()).info.run_id;
    expect((await h.post('/runs/log-metric', { run_id: id, key: 'loss', value: 0.9, timestamp: 100 })).body).toEqual({});
    await h.post('/runs/log-metric', { run_uuid: id, key: 'loss', value: 0.5, timestamp: 50, step: 3 });
    await h.post('/runs/log-metric', { run_id: id, key: 'loss', value: 0.7, timestamp: 200, step: '2' });
    const history = await h.get<History>('/metrics/get-history', { run_id: id, metric_key: 'loss' });
    expect(history.body).toEqual({
      metrics: [
        { key: 'loss', value: 0.9, timestamp: 100, step: 0 },
        { key: 'loss', value: 0.7, timestamp: 200, step: 2 },
        { key: 'loss', value: 0.5, timestamp: 50, step: 3 },
      ],
    });
    const run = await h.get<{ run: MlflowRun }>('/runs/get', { run_id: id });
    expect(run.body.run.data.metrics).toEqual([{ key: 'loss', value: 0.5, timestamp: 50, step: 3 }]);

    for (const [body, field] of [
      [{ run_id: id, key: 'loss', value: 1 }, 'timestamp'],
      [{ run_id: id, key: 'loss', timestamp: 1 }, 'value'],
      [{ run_id: id, value: 1, timestamp: 1 }, 'key'],
      [{ key: 'loss', value: 1, timestamp: 1 }, 'run_id'],
      [{ run_id: id, key: 'loss', value: 'high', timestamp: 1 }, 'value'],
      [{ run_id: id, key: 'loss', value: 1, timestamp: 1.5 }, 'timestamp'],
    ] as const) {
      const res = await h.post<MlflowError>('/runs/log-metric', body);
      expect(res.status, field).toBe(400);
      expect(res.body).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining(`'${field}'`) });
    }
    const missingRun = await h.post<MlflowError>('/runs/log-metric', { run_id: 'f'.repeat(32), key: 'x', value: 1, timestamp: 1 });
    expect(missingRun.status).toBe(404);
    expect(missingRun.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  });

  test('NaN and ±Infinity travel as protobuf JSON strings both ways', async (h) => {
    const id = (await h.run()).info.run_id;
    await h.post('/runs/log-metric', { run_id: id, key: 'nan', value: 'NaN', timestamp: 1 });
    await h.post('/runs/log-batch', {
      run_id: id,
      metrics: [
        { key: 'inf', value: 'Infinity', timestamp: 1 },
        { key: 'ninf', value: '-Infinity', timestamp: 1 },
        { key: 'num', value: '2.5e-3', timestamp: 1 },
      ],
    });
    const run = await h.get<{ run: MlflowRun }>('/runs/get', { run_id: id });
    expect(run.body.run.data.metrics).toEqual([
      { key: 'inf', value: 'Infinity', timestamp: 1, step: 0 },
      { key: 'nan', value: 'NaN', timestamp: 1, step: 0 },
      { key: 'ninf', value: '-Infinity', timestamp: 1, step: 0 },
      { key: 'num', value: 0.0025, timestamp: 1, step: 0 },
    ]);
    const history = await h.get<History>('/metrics/get-history', { run_id: id, metric_key: 'nan' });
    expect(history.body.metrics).toEqual([{ key: 'nan', value: 'NaN', timestamp: 1, step: 0 }]);
  });

  test('a number too large for a double (1e400) is refused, as /api/v1 and protobuf refuse it; nothing is stored', async (h) => {
    const id = (await h.run()).info.run_id;
    const send = (path: string, json: string) => h.app.inject({ method: 'POST', url: `/api/2.0/mlflow${path}`, payload: json, headers: { 'content-type': 'application/json' } });
    for (const [path, json, field] of [
      ['/runs/log-metric', `{"run_id":"${id}","key":"big","value":1e400,"timestamp":1}`, 'value'],
      ['/runs/log-metric', `{"run_id":"${id}","key":"big","value":-1e400,"timestamp":1}`, 'value'],
      ['/runs/log-metric', `{"run_id":"${id}","key":"big","value":"1e400","timestamp":1}`, 'value'],
      ['/runs/log-batch', `{"run_id":"${id}","metrics":[{"key":"ok","value":1,"timestamp":1},{"key":"big","value":1e999,"timestamp":1}]}`, 'metrics[1].value'],
    ] as const) {
      const res = await send(path, json);
      expect(res.statusCode, json).toBe(400);
      expect(res.json<MlflowError>()).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining(`The value of '${field}' is too large for a double`) });
    }
    const run = await h.get<{ run: MlflowRun }>('/runs/get', { run_id: id });
    expect(run.body.run.data.metrics ?? []).toEqual([]);
    // Underflow is no error (1e-400 is 0), and the strings still carry the infinities.
    expect((await send('/runs/log-metric', `{"run_id":"${id}","key":"tiny","value":1e-400,"timestamp":1}`)).statusCode).toBe(200);
    expect((await send('/runs/log-metric', `{"run_id":"${id}","key":"inf","value":"Infinity","timestamp":1}`)).statusCode).toBe(200);
  });

  test('log-parameter: idempotent, immutable, limited to MLflow sizes', async (h) => {
    const id = (await h.run()).info.run_id;
    expect((await h.post('/runs/log-parameter', { run_id: id, key: 'lr', value: '0.1' })).body).toEqual({});
    expect((await h.post('/runs/log-parameter', { run_id: id, key: 'lr', value: '0.1' })).status).toBe(200);
    const changed = await h.post<MlflowError>('/runs/log-parameter', { run_id: id, key: 'lr', value: '0.2' });
    expect(changed.status).toBe(400);
    expect(changed.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect((await h.post('/runs/log-parameter', { run_id: id, key: 'big', value: 'v'.repeat(6000) })).status).toBe(200);
    const tooBig = await h.post<MlflowError>('/runs/log-parameter', { run_id: id, key: 'bigger', value: 'v'.repeat(6001) });
    expect(tooBig.status).toBe(400);
    expect(tooBig.body).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining("'value'") });
    const longKey = await h.post<MlflowError>('/runs/log-parameter', { run_id: id, key: 'k'.repeat(251), value: '1' });
    expect(longKey.body.message).toContain("'key'");
    const run = await h.get<{ run: MlflowRun }>('/runs/get', { run_id: id });
    expect(tagMap(run.body.run.data.params)).toEqual({ lr: '0.1', big: 'v'.repeat(6000) });
  });

  test('set-tag and delete-tag; mlflow.runName renames the run', async (h) => {
    const id = (await h.run()).info.run_id;
    expect((await h.post('/runs/set-tag', { run_id: id, key: 'note', value: 'first' })).body).toEqual({});
    await h.post('/runs/set-tag', { run_uuid: id, key: 'note', value: 'second' });
    await h.post('/runs/set-tag', { run_id: id, key: 'mlflow.runName', value: 'from-tag' });
    let run = (await h.get<{ run: MlflowRun }>('/runs/get', { run_id: id })).body.run;
    expect(run.info.run_name).toBe('from-tag');
    expect(tagMap(run.data.tags)).toMatchObject({ note: 'second', 'mlflow.runName': 'from-tag' });

    expect((await h.post('/runs/delete-tag', { run_id: id, key: 'note' })).body).toEqual({});
    run = (await h.get<{ run: MlflowRun }>('/runs/get', { run_id: id })).body.run;
    expect(tagMap(run.data.tags)).not.toHaveProperty('note');
    const again = await h.post<MlflowError>('/runs/delete-tag', { run_id: id, key: 'note' });
    expect(again.status).toBe(404);
    expect(again.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');

    const long = await h.post<MlflowError>('/runs/set-tag', { run_id: id, key: 'k', value: 'v'.repeat(5001) });
    expect(long.status).toBe(400);
    expect(long.body.message).toContain("'value'");
  });

  test('logging to a deleted run is INVALID_STATE 400', async (h) => {
    const id = (await h.run()).info.run_id;
    await h.post('/runs/delete', { run_id: id });
    for (const [path, body] of [
      ['/runs/log-metric', { run_id: id, key: 'm', value: 1, timestamp: 1 }],
      ['/runs/log-parameter', { run_id: id, key: 'p', value: '1' }],
      ['/runs/set-tag', { run_id: id, key: 't', value: '1' }],
      ['/runs/log-batch', { run_id: id, tags: [{ key: 't', value: '1' }] }],
    ] as const) {
      const res = await h.post<MlflowError>(path, body);
      expect(res.status, path).toBe(400);
      expect(res.body.error_code).toBe('INVALID_STATE');
    }
  });

  test('log-batch writes metrics, params and tags atomically', async (h) => {
    const id = (await h.run()).info.run_id;
    const ok = await h.post('/runs/log-batch', {
      run_id: id,
      metrics: [{ key: 'm', value: 1, timestamp: 10 }, { key: 'm', value: 2, timestamp: 11, step: 1 }],
      params: [{ key: 'p', value: 'x' }],
      tags: [{ key: 't', value: 'y' }, { key: 'mlflow.runName', value: 'batch-named' }],
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({});
    const run = (await h.get<{ run: MlflowRun }>('/runs/get', { run_id: id })).body.run;
    expect(run.info.run_name).toBe('batch-named');
    expect(run.data.metrics).toEqual([{ key: 'm', value: 2, timestamp: 11, step: 1 }]);
    expect(tagMap(run.data.params)).toEqual({ p: 'x' });
    expect(tagMap(run.data.tags)).toMatchObject({ t: 'y' });

    const bad = await h.post<MlflowError>('/runs/log-batch', {
      run_id: id,
      metrics: [{ key: 'fresh', value: 1, timestamp: 1 }, { key: 'k'.repeat(251), value: 1, timestamp: 1 }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining("'metrics[1].key'") });
    const missingTimestamp = await h.post<MlflowError>('/runs/log-batch', { run_id: id, metrics: [{ key: 'fresh', value: 1 }] });
    // MLflow's wording names the whole list as sent (its log-batch schema check).
    expect(missingTimestamp.body.message).toContain("Invalid value [{'key': 'fresh', 'value': 1}] for parameter 'metrics' supplied");
    const tagValue = await h.post<MlflowError>('/runs/log-batch', { run_id: id, tags: [{ key: 'fresh', value: 'v'.repeat(5001) }] });
    expect(tagValue.body.message).toContain("'tags[0].value'");
    const history = await h.get<History>('/metrics/get-history', { run_id: id, metric_key: 'fresh' });
    expect(history.body).toEqual({});
  });

  test('log-batch limits: 1000 metrics, 100 params, 100 tags, 1000 entities, 1 MB', async (h) => {
    const id = (await h.run()).info.run_id;
    const metrics = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `m${i % 10}`, value: i, timestamp: i }));
    const kv = (n: number, p: string) => Array.from({ length: n }, (_, i) => ({ key: `${p}${i}`, value: 'v' }));
    expect((await h.post('/runs/log-batch', { run_id: id, metrics: metrics(1000) })).status).toBe(200);
    expect((await h.post('/runs/log-batch', { run_id: id, params: kv(100, 'p'), tags: kv(100, 't') })).status).toBe(200);
    for (const [body, field] of [
      [{ metrics: metrics(1001) }, 'metrics'],
      [{ params: kv(101, 'q') }, 'params'],
      [{ tags: kv(101, 'u') }, 'tags'],
      [{ metrics: metrics(900), params: kv(100, 'r'), tags: kv(1, 'w') }, 'metrics, params and tags'],
    ] as const) {
      const res = await h.post<MlflowError>('/runs/log-batch', { run_id: id, ...body });
      expect(res.status, field).toBe(400);
      expect(res.body).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining(field) });
    }
    const huge = await h.post<MlflowError>('/runs/log-batch', { run_id: id, tags: [{ key: 'x', value: 'v'.repeat(1024 * 1024) }] });
    expect(huge.status).toBe(400);
    expect(huge.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect(huge.body.message).toContain('The request body is larger than 1048576 bytes');
  });

  test('log-inputs: datasets with input tags appear in runs/get', async (h) => {
    const id = (await h.run()).info.run_id;
    const dataset = { name: 'iris', digest: 'abc123', source_type: 'local', source: '{"uri": "/data/iris.csv"}', schema: '{"cols": []}', profile: '{"rows": 150}' };
    const res = await h.post('/runs/log-inputs', {
      run_id: id,
      datasets: [{ tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset }],
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({});
    await h.post('/runs/log-inputs', { run_id: id, datasets: [{ dataset: { name: 'plain', digest: 'd1', source_type: 'http', source: 'https://x' } }] });
    const run = (await h.get<{ run: MlflowRun }>('/runs/get', { run_id: id })).body.run;
    expect(run.inputs.dataset_inputs).toEqual([
      { tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset },
      { dataset: { name: 'plain', digest: 'd1', source_type: 'http', source: 'https://x' } },
    ]);

    const noDataset = await h.post<MlflowError>('/runs/log-inputs', { run_id: id, datasets: [{ tags: [] }] });
    expect(noDataset.status).toBe(400);
    expect(noDataset.body.message).toContain("'datasets[0].dataset'");
    const noDigest = await h.post<MlflowError>('/runs/log-inputs', { run_id: id, datasets: [{ dataset: { name: 'n', source_type: 's', source: 's' } }] });
    expect(noDigest.body.message).toContain("'datasets[0].dataset.digest'");
  });

  test('get-history pages with max_results and page_token', async (h) => {
    const id = (await h.run()).info.run_id;
    const metrics = Array.from({ length: 25 }, (_, i) => ({ key: 'acc', value: i, timestamp: 1000 + i, step: i }));
    await h.post('/runs/log-batch', { run_id: id, metrics });
    const pages: number[][] = [];
    let token: string | undefined;
    do {
      const res = await h.get<History>('/metrics/get-history', { run_id: id, metric_key: 'acc', max_results: '10', ...(token ? { page_token: token } : {}) });
      expect(res.status).toBe(200);
      pages.push((res.body.metrics ?? []).map((m) => m.step));
      token = res.body.next_page_token;
    } while (token);
    expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
    expect(pages.flat()).toEqual(metrics.map((m) => m.step));

    const all = await h.get<History>('/metrics/get-history', { run_uuid: id, metric_key: 'acc' });
    expect(all.body.metrics).toHaveLength(25);
    expect(all.body).not.toHaveProperty('next_page_token');
    expect((await h.get('/metrics/get-history', { run_id: id, metric_key: 'never-logged' })).body).toEqual({});
    const noKey = await h.get<MlflowError>('/metrics/get-history', { run_id: id });
    expect(noKey.status).toBe(400);
    expect(noKey.body.message).toContain("'metric_key'");
    const badToken = await h.get<MlflowError>('/metrics/get-history', { run_id: id, metric_key: 'acc', page_token: '!!' });
    expect(badToken.status).toBe(400);
    const missing = await h.get<MlflowError>('/metrics/get-history', { run_id: 'f'.repeat(32), metric_key: 'acc' });
    expect(missing.status).toBe(404);
  });
});
