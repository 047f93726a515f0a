import { expect, it } from 'vitest';
import { call, describeEachBackend, seedRun } from './helpers.js';

describeEachBackend('run routes', (ctx) => {
  const api = (method: string, url: string, body?: unknown) => call(ctx().app, method, url, body);

  it('creates a run with tags, params, source and heartbeat (201)', async () => {
    const exp = (await api('POST', '/api/v1/experiments', { name: 'runs-create' })).body.experiment;
    const res = await api('POST', '/api/v1/runs', {
      experimentId: exp.experimentId,
      runName: 'first',
      userId: 'ada',
      startTime: 1_700_000_000_000,
      tags: { stage: 'dev' },
      params: { lr: '0.01' },
      source: { gitCommit: 'abc123', gitDirty: false, entryPoint: 'train.ts', nodeVersion: 'v20' },
      heartbeat: true,
    });
    expect(res.status).toBe(201);
    expect(res.body.run.info).toMatchObject({ runName: 'first', userId: 'ada', status: 'RUNNING', startTime: 1_700_000_000_000, experimentId: exp.experimentId });
    expect(res.body.run.info.source).toEqual({ gitCommit: 'abc123', gitDirty: false, entryPoint: 'train.ts', nodeVersion: 'v20' });
    expect(res.body.run.info.lastHeartbeat).toEqual(expect.any(Number));
    expect(res.body.run.data).toEqual({ params: { lr: '0.01' }, tags: { stage: 'dev' }, metrics: [] });
    const child = await api('POST', '/api/v1/runs', { experimentId: Number(exp.experimentId), parentRunId: res.body.run.info.runId });
    expect(child.body.run.info.parentRunId).toBe(res.body.run.info.runId);
  });

  it('refuses runs in unknown (404) or deleted (400 FAILED_PRECONDITION) experiments', async () => {
    expect((await api('POST', '/api/v1/runs', { experimentId: '999999' })).status).toBe(404);
    const exp = (await api('POST', '/api/v1/experiments', { name: 'runs-deleted' })).body.experiment;
    await api('DELETE', `/api/v1/experiments/${exp.experimentId}`);
    const res = await api('POST', '/api/v1/runs', { experimentId: exp.experimentId });
    expect(res.status).toBe(400);
    expect(res.body.error_code).toBe('FAILED_PRECONDITION');
  });

  it('updates status, end time and name', async () => {
    const { runId } = await seedRun(ctx().app);
    const res = await api('PATCH', `/api/v1/runs/${runId}`, { status: 'FINISHED', runName: 'done' });
    expect(res.status).toBe(200);
    expect(res.body.runInfo).toMatchObject({ runId, status: 'FINISHED', runName: 'done', endTime: expect.any(Number) });
    expect((await api('PATCH', `/api/v1/runs/${runId}`, { endTime: 42 })).body.runInfo.endTime).toBe(42);
    const bad = await api('PATCH', `/api/v1/runs/${runId}`, { status: 'DONE' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain("'status'");
    expect((await api('PATCH', '/api/v1/runs/0123456789abcdef', { runName: 'x' })).status).toBe(404);
  });

  it('deletes and restores a run', async () => {
    const { runId } = await seedRun(ctx().app);
    expect((await api('DELETE', `/api/v1/runs/${runId}`)).body).toEqual({});
    expect((await api('GET', `/api/v1/runs/${runId}`)).body.run.info.lifecycleStage).toBe('deleted');
    expect((await api('POST', `/api/v1/runs/${runId}/restore`)).body).toEqual({});
    expect((await api('GET', `/api/v1/runs/${runId}`)).body.run.info.lifecycleStage).toBe('active');
    expect((await api('DELETE', '/api/v1/runs/nope')).status).toBe(404);
  });

  it('logs a batch and round-trips NaN and the infinities as strings', async () => {
    const { runId } = await seedRun(ctx().app);
    const metrics = [
      { key: 'loss', value: 0.5, timestamp: 1, step: 0 },
      { key: 'loss', value: 'NaN', timestamp: 2, step: 1 },
      { key: 'up', value: 'Infinity', timestamp: 3 },
      { key: 'down', value: '-Infinity', timestamp: 4, step: 7 },
    ];
    const res = await api('POST', `/api/v1/runs/${runId}/batch`, { metrics, params: [{ key: 'p', value: '1' }], tags: [{ key: 't', value: 'x' }] });
    expect(res.status).toBe(200);
    const run = (await api('GET', `/api/v1/runs/${runId}`)).body.run;
    expect(run.data.params).toEqual({ p: '1' });
    expect(run.data.tags).toEqual({ t: 'x' });
    const latest = Object.fromEntries(run.data.metrics.map((m: { key: string; value: unknown }) => [m.key, m.value]));
    expect(latest).toEqual({ loss: 'NaN', up: 'Infinity', down: '-Infinity' });
    const history = await api('GET', `/api/v1/runs/${runId}/metrics/history?key=loss`);
    expect(history.body).toEqual({
      metrics: [
        { key: 'loss', value: 0.5, timestamp: 1, step: 0 },
        { key: 'loss', value: 'NaN', timestamp: 2, step: 1 },
      ],
      nextPageToken: null,
    });
  });

  it('pages metric history', async () => {
    const { runId } = await seedRun(ctx().app);
    const metrics = Array.from({ length: 5 }, (_, i) => ({ key: 'acc', value: i / 10, timestamp: 100 + i, step: i }));
    await api('POST', `/api/v1/runs/${runId}/batch`, { metrics });
    const steps: number[] = [];
    let token: string | null = null;
    do {
      const res = await api('GET', `/api/v1/runs/${runId}/metrics/history?key=acc&maxResults=2${token ? `&pageToken=${encodeURIComponent(token)}` : ''}`);
      expect(res.status).toBe(200);
      steps.push(...res.body.metrics.map((m: { step: number }) => m.step));
      token = res.body.nextPageToken;
    } while (token);
    expect(steps).toEqual([0, 1, 2, 3, 4]);
    expect((await api('GET', `/api/v1/runs/${runId}/metrics/history`)).status).toBe(400);
  });

  it('deletes run tags, takes heartbeats only while RUNNING, and logs inputs', async () => {
    const { runId } = await seedRun(ctx().app);
    await api('POST', `/api/v1/runs/${runId}/batch`, { tags: [{ key: 'gone', value: '1' }] });
    expect((await api('DELETE', `/api/v1/runs/${runId}/tags?key=gone`)).status).toBe(200);
    expect((await api('DELETE', `/api/v1/runs/${runId}/tags?key=gone`)).status).toBe(404);
    expect((await api('POST', `/api/v1/runs/${runId}/heartbeat`)).status).toBe(200);
    const dataset = { name: 'mnist', digest: 'd1', sourceType: 'local', source: '{"uri":"/data/mnist"}' };
    expect((await api('POST', `/api/v1/runs/${runId}/inputs`, { datasets: [{ dataset, tags: { 'mlflow.data.context': 'training' } }] })).status).toBe(200);
    const run = (await api('GET', `/api/v1/runs/${runId}`)).body.run;
    expect(run.inputs).toHaveLength(1);
    expect(run.inputs[0]).toMatchObject({ dataset: { name: 'mnist', digest: 'd1' }, tags: { 'mlflow.data.context': 'training' } });
    await api('PATCH', `/api/v1/runs/${runId}`, { status: 'FAILED' });
    const late = await api('POST', `/api/v1/runs/${runId}/heartbeat`);
    expect(late.status).toBe(400);
    expect(late.body.error_code).toBe('FAILED_PRECONDITION');
  });

  it('searches runs with filter, order and pages', async () => {
    const exp = (await api('POST', '/api/v1/experiments', { name: 'runs-search' })).body.experiment;
    for (let i = 0; i < 3; i++) {
      const run = (await api('POST', '/api/v1/runs', { experimentId: exp.experimentId, runName: `r${i}` })).body.run;
      await api('POST', `/api/v1/runs/${run.info.runId}/batch`, { metrics: [{ key: 'loss', value: i, timestamp: 1 }] });
    }
    const names: string[] = [];
    let pageToken: string | undefined;
    do {
      const res = await api('POST', '/api/v1/runs/search', { experimentIds: [exp.experimentId], filter: 'metrics.loss >= 1', orderBy: ['metrics.loss DESC'], maxResults: 1, pageToken });
      expect(res.status).toBe(200);
      names.push(...res.body.runs.map((r: { info: { runName: string } }) => r.info.runName));
      pageToken = res.body.nextPageToken ?? undefined;
    } while (pageToken);
    expect(names).toEqual(['r2', 'r1']);
    expect((await api('POST', '/api/v1/runs/search', { experimentIds: [] })).status).toBe(400);
    expect((await api('POST', '/api/v1/runs/search', { experimentIds: [exp.experimentId], filter: 'metrics.loss >>> 1' })).status).toBe(400);
  });
});
