import { expect } from 'vitest';
import { describeMlflow, tagMap, unique, type MlflowError, type MlflowExperiment } from './conformance-harness.js';

describeMlflow('MLflow experiments API', (test) => {
  test('create and get return MLflow Experiment fields with the right types', async (h) => {
    const name = unique('exp');
    const created = await h.post<{ experiment_id: string }>('/experiments/create', {
      name,
      tags: [{ key: 'team', value: 'risk' }, { key: 'empty' }],
    });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({ experiment_id: expect.stringMatching(/^\d+$/) });
    const id = created.body.experiment_id;

    const got = await h.get<{ experiment: MlflowExperiment }>('/experiments/get', { experiment_id: id });
    expect(got.status).toBe(200);
    const e = got.body.experiment;
    expect(Object.keys(e).sort()).toEqual(['artifact_location', 'creation_time', 'experiment_id', 'last_update_time', 'lifecycle_stage', 'name', 'tags']);
    expect(e.experiment_id).toBe(id);
    expect(e.name).toBe(name);
    expect(e.artifact_location).toBe(`mlflow-artifacts:/${id}`);
    expect(e.lifecycle_stage).toBe('active');
    expect(typeof e.creation_time).toBe('number');
    expect(typeof e.last_update_time).toBe('number');
    expect(tagMap(e.tags)).toEqual({ team: 'risk', empty: '' });

    const byName = await h.get<{ experiment: MlflowExperiment }>('/experiments/get-by-name', { experiment_name: name });
    expect(byName.body.experiment).toEqual(e);
  });

  test('an experiment without tags leaves the tags field out, as protobuf JSON does', async (h) => {
    const id = await h.experiment();
    const got = await h.get<{ experiment: MlflowExperiment }>('/experiments/get', { experiment_id: id });
    expect(got.body.experiment).not.toHaveProperty('tags');
  });

  test('error codes: RESOURCE_ALREADY_EXISTS 400, RESOURCE_DOES_NOT_EXIST 404, INVALID_PARAMETER_VALUE 400', async (h) => {
    const name = unique('dup');
    await h.post('/experiments/create', { name });
    const dup = await h.post<MlflowError>('/experiments/create', { name });
    expect(dup.status).toBe(400);
    expect(dup.body).toEqual({ error_code: 'RESOURCE_ALREADY_EXISTS', message: expect.stringContaining(name) });

    for (const [path, query] of [
      ['/experiments/get', { experiment_id: '987654321' }],
      ['/experiments/get', { experiment_id: 'not-a-number' }],
      ['/experiments/get-by-name', { experiment_name: unique('missing') }],
    ] as const) {
      const res = await h.get<MlflowError>(path, query);
      expect(res.status, path).toBe(404);
      expect(res.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
      expect(typeof res.body.message).toBe('string');
    }

    const missingName = await h.post<MlflowError>('/experiments/create', {});
    expect(missingName.status).toBe(400);
    expect(missingName.body).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining("'name'") });
    const wrongType = await h.post<MlflowError>('/experiments/create', { name: 42 });
    expect(wrongType.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    const noId = await h.get<MlflowError>('/experiments/get');
    expect(noId.status).toBe(400);
    expect(noId.body.message).toContain("'experiment_id'");
  });

  test('artifact_location: Cairn URIs are kept, any other location is refused with 400', async (h) => {
    const name = unique('located');
    const ok = await h.post<{ experiment_id: string }>('/experiments/create', { name, artifact_location: 'mlflow-artifacts:/shared/place' });
    expect(ok.status).toBe(200);
    const got = await h.get<{ experiment: MlflowExperiment }>('/experiments/get', { experiment_id: ok.body.experiment_id });
    expect(got.body.experiment.artifact_location).toBe('mlflow-artifacts:/shared/place');

    for (const location of ['file:///etc', '/tmp/x', '//host/x', 's3://bucket/key', 'mlflow-artifacts://host/x', 'mlflow-artifacts:/../x', 'http://example.com/a']) {
      const res = await h.post<MlflowError>('/experiments/create', { name: unique('bad-location'), artifact_location: location });
      expect(res.status, location).toBe(400);
      expect(res.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    }
  });

  test('update renames; renaming onto an existing name is RESOURCE_ALREADY_EXISTS', async (h) => {
    const id = await h.experiment();
    const newName = unique('renamed');
    expect((await h.post('/experiments/update', { experiment_id: id, new_name: newName })).body).toEqual({});
    const got = await h.get<{ experiment: MlflowExperiment }>('/experiments/get', { experiment_id: id });
    expect(got.body.experiment.name).toBe(newName);

    const other = await h.experiment();
    const clash = await h.post<MlflowError>('/experiments/update', { experiment_id: other, new_name: newName });
    expect(clash.status).toBe(400);
    expect(clash.body.error_code).toBe('RESOURCE_ALREADY_EXISTS');
    const missing = await h.post<MlflowError>('/experiments/update', { experiment_id: '987654321', new_name: unique('x') });
    expect(missing.status).toBe(404);
  });

  test('delete and restore change lifecycle_stage; search view_type selects by it', async (h) => {
    const prefix = unique('life');
    const id = await h.experiment(prefix);
    expect((await h.post('/experiments/delete', { experiment_id: id })).body).toEqual({});
    const deleted = await h.get<{ experiment: MlflowExperiment }>('/experiments/get', { experiment_id: id });
    expect(deleted.body.experiment.lifecycle_stage).toBe('deleted');

    const filter = `name LIKE '${prefix}%'`;
    const search = async (view: unknown) =>
      (await h.post<{ experiments?: MlflowExperiment[] }>('/experiments/search', { filter, view_type: view })).body.experiments ?? [];
    expect(await search(undefined)).toEqual([]);
    expect((await search('DELETED_ONLY')).map((e) => e.experiment_id)).toEqual([id]);
    expect((await search('ALL')).map((e) => e.experiment_id)).toEqual([id]);
    expect((await search(2)).map((e) => e.experiment_id)).toEqual([id]);
    const bad = await h.post<MlflowError>('/experiments/search', { filter, view_type: 'SOMETIMES' });
    expect(bad.status).toBe(400);

    expect((await h.post('/experiments/restore', { experiment_id: id })).body).toEqual({});
    expect((await search('ACTIVE_ONLY')).map((e) => e.experiment_id)).toEqual([id]);
    const gone = await h.post<MlflowError>('/experiments/delete', { experiment_id: '987654321' });
    expect(gone.status).toBe(404);
    expect(gone.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  });

  test('set-experiment-tag and delete-experiment-tag', async (h) => {
    const id = await h.experiment();
    expect((await h.post('/experiments/set-experiment-tag', { experiment_id: id, key: 'stage', value: 'dev' })).body).toEqual({});
    await h.post('/experiments/set-experiment-tag', { experiment_id: id, key: 'stage', value: 'prod' });
    let got = await h.get<{ experiment: MlflowExperiment }>('/experiments/get', { experiment_id: id });
    expect(tagMap(got.body.experiment.tags)).toEqual({ stage: 'prod' });

    expect((await h.post('/experiments/delete-experiment-tag', { experiment_id: id, key: 'stage' })).body).toEqual({});
    got = await h.get<{ experiment: MlflowExperiment }>('/experiments/get', { experiment_id: id });
    expect(got.body.experiment.tags).toBeUndefined();
    const missing = await h.post<MlflowError>('/experiments/delete-experiment-tag', { experiment_id: id, key: 'stage' });
    expect(missing.status).toBe(404);
    expect(missing.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');

    const long = await h.post<MlflowError>('/experiments/set-experiment-tag', { experiment_id: id, key: 'k', value: 'v'.repeat(5001) });
    expect(long.status).toBe(400);
    expect(long.body).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining("'value'") });
    const longKey = await h.post<MlflowError>('/experiments/set-experiment-tag', { experiment_id: id, key: 'k'.repeat(251), value: 'v' });
    expect(longKey.body.message).toContain("'key'");
  });

  test('search pages with max_results and page_token over POST and GET', async (h) => {
    const prefix = unique('page');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await h.experiment(prefix));
    const filter = `name LIKE '${prefix}%'`;

    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const res = await h.post<{ experiments?: MlflowExperiment[]; next_page_token?: string }>('/experiments/search', {
        filter,
        max_results: 2,
        order_by: ['name ASC'],
        ...(token ? { page_token: token } : {}),
      });
      expect(res.status).toBe(200);
      seen.push(...(res.body.experiments ?? []).map((e) => e.experiment_id));
      token = res.body.next_page_token;
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect(seen).toEqual(ids);

    const viaGet = await h.get<{ experiments?: MlflowExperiment[]; next_page_token?: string }>('/experiments/search', {
      filter,
      max_results: '3',
      order_by: ['name DESC'],
    });
    expect(viaGet.body.experiments?.map((e) => e.experiment_id)).toEqual(ids.slice(2).reverse());
    expect(typeof viaGet.body.next_page_token).toBe('string');
    const all = await h.get<{ experiments?: MlflowExperiment[]; next_page_token?: string }>('/experiments/search', { filter, view_type: 'ALL' });
    expect(all.body.experiments).toHaveLength(5);
    expect(all.body).not.toHaveProperty('next_page_token');

    for (const max_results of [0, -1, 50_001, 1.5, 'many']) {
      const res = await h.post<MlflowError>('/experiments/search', { filter, max_results });
      expect(res.status, String(max_results)).toBe(400);
      expect(res.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    }
    const badToken = await h.post<MlflowError>('/experiments/search', { filter, page_token: 'not a token' });
    expect(badToken.status).toBe(400);
    const badFilter = await h.post<MlflowError>('/experiments/search', { filter: 'name ===' });
    expect(badFilter.body.error_code).toBe('INVALID_PARAMETER_VALUE');
  });
});
