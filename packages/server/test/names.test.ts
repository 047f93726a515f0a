import { expect, it } from 'vitest';
import { call, describeEachBackend } from './helpers.js';

// Names come back byte for byte: an experiment created as ' lead-x' is found as ' lead-x'.

describeEachBackend('names kept as given', (ctx) => {
  const api = (method: string, url: string, body?: unknown) => call(ctx().app, method, url, body);

  it('keeps leading and trailing spaces in experiment names on both APIs', async () => {
    for (const name of [' lead-x', 'lead-x ', '  both  ', '\tTabbed', 'trailing\u00a0nbsp\u00a0']) {
      const created = await api('POST', '/api/v1/experiments', { name });
      expect(created.status, created.raw).toBe(201);
      expect(created.body.experiment.name).toBe(name);
      const byName = await api('GET', `/api/v1/experiments-by-name/${encodeURIComponent(name)}`);
      expect(byName.status, JSON.stringify(name)).toBe(200);
      expect(byName.body.experiment.name).toBe(name);
      const mlflow = await api('GET', `/api/2.0/mlflow/experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`);
      expect(mlflow.body.experiment.name).toBe(name);
    }
    // The trimmed name is another experiment, which does not exist.
    expect((await api('GET', '/api/v1/experiments-by-name/lead-x')).status).toBe(404);

    const viaMlflow = await api('POST', '/api/2.0/mlflow/experiments/create', { name: ' mlflow-spaced ' });
    expect(viaMlflow.status).toBe(200);
    const id = viaMlflow.body.experiment_id as string;
    expect((await api('GET', `/api/v1/experiments/${id}`)).body.experiment.name).toBe(' mlflow-spaced ');
    expect((await api('POST', '/api/2.0/mlflow/experiments/update', { experiment_id: id, new_name: ' renamed ' })).status).toBe(200);
    expect((await api('GET', `/api/2.0/mlflow/experiments/get?experiment_id=${id}`)).body.experiment.name).toBe(' renamed ');
    expect((await api('PATCH', `/api/v1/experiments/${id}`, { name: 'v1 renamed  ' })).body.experiment.name).toBe('v1 renamed  ');
  });

  it('refuses only empty or blank names', async () => {
    for (const name of ['', '   ', '\t\n']) {
      const res = await api('POST', '/api/v1/experiments', { name });
      expect(res.status, JSON.stringify(name)).toBe(400);
      expect(res.body.error_code).toBe('INVALID_ARGUMENT');
    }
  });

  it('keeps token names as given', async () => {
    const res = await api('POST', '/api/v1/tokens', { name: ' ci bot ', role: 'reader' });
    expect(res.status, res.raw).toBe(201);
    expect(res.body.token.name).toBe(' ci bot ');
  });
});
