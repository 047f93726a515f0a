import { expect } from 'vitest';
import { describeMlflow, tagMap, unique, type MlflowError, type MlflowRun, type MlflowRunInfo } from './conformance-harness.js';

type SearchReply = { runs?: MlflowRun[]; next_page_token?: string };

describeMlflow('MLflow runs API', (test) => {
  test('create answers with a full Run in MLflow shape, as the Python client sends it', async (h) => {
    const experimentId = await h.experiment();
    const start = 1_700_000_000_123;
    const res = await h.post<{ run: MlflowRun }>('/runs/create', {
      experiment_id: experimentId,
      user_id: 'ana',
      run_name: 'baseline',
      start_time: start,
      tags: [
        { key: 'mlflow.user', value: 'ana' },
        { key: 'mlflow.source.name', value: 'train.py' },
        { key: 'mlflow.source.type', value: 'LOCAL' },
      ],
    });
    expect(res.status).toBe(200);
    const { info, data, inputs } = res.body.run;
    expect(Object.keys(info).sort()).toEqual(
      ['artifact_uri', 'experiment_id', 'lifecycle_stage', 'run_id', 'run_name', 'run_uuid', 'start_time', 'status', 'user_id'],
    );
    expect(info.run_id).toMatch(/^[0-9a-f]{32}$/);
    expect(info.run_uuid).toBe(info.run_id);
    expect(info).toMatchObject({ run_name: 'baseline', experiment_id: experimentId, user_id: 'ana', status: 'RUNNING', lifecycle_stage: 'active' });
    expect(info.start_time).toBe(start);
    expect(info.artifact_uri).toBe(`mlflow-artifacts:/${experimentId}/${info.run_id}/artifacts`);
    expect(tagMap(data.tags)).toEqual({ 'mlflow.user': 'ana', 'mlflow.source.name': 'train.py', 'mlflow.source.type': 'LOCAL', 'mlflow.runName': 'baseline' });
    expect(data).not.toHaveProperty('metrics');
    expect(data).not.toHaveProperty('params');
    expect(inputs).toEqual({});

    const got = await h.get<{ run: MlflowRun }>('/runs/get', { run_id: info.run_id });
    expect(got.body.run).toEqual(res.body.run);
    const legacy = await h.get<{ run: MlflowRun }>('/runs/get', { run_uuid: info.run_id });
    expect(legacy.body.run.info.run_id).toBe(info.run_id);
  });

  test('run name: generated when absent, taken from the mlflow.runName tag, and searchable as a tag', async (h) => {
    const experimentId = await h.experiment();
    const generated = await h.run(experimentId);
    expect(generated.info.run_name).toMatch(/\S/);
    expect(tagMap(generated.data.tags)['mlflow.runName']).toBe(generated.info.run_name);
    const found = await h.post<SearchReply>('/runs/search', {
      experiment_ids: [experimentId],
      filter: `tags.mlflow.runName = '${generated.info.run_name}'`,
    });
    expect(found.body.runs?.map((r) => r.info.run_id)).toEqual([generated.info.run_id]);

    const fromTag = await h.run(experimentId, { tags: [{ key: 'mlflow.runName', value: 'tagged' }] });
    expect(fromTag.info.run_name).toBe('tagged');
    const clash = await h.post<MlflowError>('/runs/create', { experiment_id: experimentId, run_name: 'a', tags: [{ key: 'mlflow.runName', value: 'b' }] });
    expect(clash.status).toBe(400);
    expect(clash.body.error_code).toBe('INVALID_PARAMETER_VALUE');
  });

  test('user_id falls back to the mlflow.user tag; int64 fields accept decimal strings', async (h) => {
    const run = await h.run(undefined, { start_time: '1700000000000', tags: [{ key: 'mlflow.user', value: 'bo' }] });
    expect(run.info.user_id).toBe('bo');
    expect(run.info.start_time).toBe(1_700_000_000_000);
    const bad = await h.post<MlflowError>('/runs/create', { experiment_id: await h.experiment(), start_time: 'soon' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain("'start_time'");
  });

  test('nested runs: mlflow.parentRunId sets Cairn parentRunId, is returned and searchable', async (h) => {
    const experimentId = await h.experiment();
    const parent = await h.run(experimentId, { run_name: 'parent' });
    const child = await h.run(experimentId, { tags: [{ key: 'mlflow.parentRunId', value: parent.info.run_id }] });
    await h.run(experimentId, { run_name: 'unrelated' });
    expect(tagMap(child.data.tags)['mlflow.parentRunId']).toBe(parent.info.run_id);
    expect((await h.platform.runs.getInfo(child.info.run_id)).parentRunId).toBe(parent.info.run_id);
    const found = await h.post<SearchReply>('/runs/search', {
      experiment_ids: [experimentId],
      filter: `tags.mlflow.parentRunId = '${parent.info.run_id}'`,
    });
    expect(found.body.runs?.map((r) => r.info.run_id)).toEqual([child.info.run_id]);

    // A parent that is not on this server (MLflow stores the tag unchecked): accepted, kept as the tag,
    // so the run shows as the child of a missing parent; Cairn records no parent of its own.
    const missing = 'f'.repeat(32);
    const orphan = await h.post<{ run: MlflowRun }>('/runs/create', { experiment_id: experimentId, tags: [{ key: 'mlflow.parentRunId', value: missing }] });
    expect(orphan.status).toBe(200);
    expect(tagMap(orphan.body.run.data.tags)['mlflow.parentRunId']).toBe(missing);
    expect(tagMap((await h.get<{ run: MlflowRun }>('/runs/get', { run_id: orphan.body.run.info.run_id })).body.run.data.tags)['mlflow.parentRunId']).toBe(missing);
    expect((await h.platform.runs.getInfo(orphan.body.run.info.run_id)).parentRunId).toBeNull();
    const children = await h.post<SearchReply>('/runs/search', { experiment_ids: [experimentId], filter: `tags.mlflow.parentRunId = '${missing}'` });
    expect(children.body.runs?.map((r) => r.info.run_id)).toEqual([orphan.body.run.info.run_id]);
  });

  test('runs made through Cairn show their parent and user as MLflow tags', async (h) => {
    const experimentId = await h.experiment();
    const parent = await h.platform.runs.create({ experimentId, userId: 'cy', runName: 'p' });
    const child = await h.platform.runs.create({ experimentId, parentRunId: parent.info.runId });
    const got = await h.get<{ run: MlflowRun }>('/runs/get', { run_id: child.info.runId });
    expect(tagMap(got.body.run.data.tags)).toMatchObject({ 'mlflow.parentRunId': parent.info.runId, 'mlflow.runName': child.info.runName });
    const p = await h.get<{ run: MlflowRun }>('/runs/get', { run_id: parent.info.runId });
    expect(tagMap(p.body.run.data.tags)['mlflow.user']).toBe('cy');
  });

  test('runs made by the SDK or /api/v1 are found through MLflow by the parent, user and name tags runs/get shows', async (h) => {
    const experimentId = await h.experiment();
    // The in-process SDK creates runs through the run service; a remote SDK through /api/v1 (server app only).
    const parent = await h.platform.runs.create({ experimentId, userId: 'root', runName: 'baseline' });
    const child = { experimentId, parentRunId: parent.info.runId, userId: 'root', runName: 'trial-1' };
    const viaApi = h.app.hasRoute({ method: 'POST', url: '/api/v1/runs' })
      ? (await h.app.inject({ method: 'POST', url: '/api/v1/runs', payload: child })).json<{ run: { info: { runId: string } } }>().run.info.runId
      : (await h.platform.runs.create(child)).info.runId;
    await h.platform.runs.create({ experimentId, userId: 'someone', runName: 'unrelated' });
    const search = async (filter: string) =>
      ((await h.post<SearchReply>('/runs/search', { experiment_ids: [experimentId], filter })).body.runs ?? []).map((r) => r.info.run_id).sort();

    expect(await search(`tags.mlflow.parentRunId = '${parent.info.runId}'`)).toEqual([viaApi]);
    expect(await search("tags.mlflow.user = 'root'")).toEqual([parent.info.runId, viaApi].sort());
    expect(await search("tags.mlflow.runName = 'baseline'")).toEqual([parent.info.runId]);
    expect(await search("tags.mlflow.runName LIKE 'trial-%' and tags.mlflow.parentRunId LIKE '%'")).toEqual([viaApi]);
    // Every tag runs/get shows is found by searching for it.
    const shown = tagMap((await h.get<{ run: MlflowRun }>('/runs/get', { run_id: viaApi })).body.run.data.tags);
    expect(Object.keys(shown).sort()).toEqual(['mlflow.parentRunId', 'mlflow.runName', 'mlflow.user']);
    for (const [key, value] of Object.entries(shown)) expect(await search(`tags.\`${key}\` = '${value}'`), key).toContain(viaApi);

    // A rename through Cairn's API moves the tag with the name, in runs/get and in search alike.
    await h.platform.runs.update(parent.info.runId, { runName: 'renamed' });
    expect(tagMap((await h.get<{ run: MlflowRun }>('/runs/get', { run_id: parent.info.runId })).body.run.data.tags)['mlflow.runName']).toBe('renamed');
    expect(await search("tags.mlflow.runName = 'renamed'")).toEqual([parent.info.runId]);
    expect(await search("tags.mlflow.runName = 'baseline'")).toEqual([]);
    const ordered = await h.post<SearchReply>('/runs/search', { experiment_ids: [experimentId], order_by: ['tags.mlflow.runName DESC'] });
    expect(ordered.body.runs?.map((r) => r.info.run_name)).toEqual(['unrelated', 'trial-1', 'renamed']);
  });

  test('runs made through MLflow keep the user and parent tags they stored, in runs/get and in search', async (h) => {
    const experimentId = await h.experiment();
    const parent = await h.run(experimentId, { run_name: 'p' });
    const run = await h.run(experimentId, { user_id: 'ana', tags: [{ key: 'mlflow.user', value: 'ana' }, { key: 'mlflow.parentRunId', value: parent.info.run_id }] });
    await h.post('/runs/set-tag', { run_id: run.info.run_id, key: 'mlflow.user', value: 'bo' });
    const search = async (filter: string) =>
      ((await h.post<SearchReply>('/runs/search', { experiment_ids: [experimentId], filter })).body.runs ?? []).map((r) => r.info.run_id);
    expect(tagMap((await h.get<{ run: MlflowRun }>('/runs/get', { run_id: run.info.run_id })).body.run.data.tags)['mlflow.user']).toBe('bo');
    expect(await search("tags.mlflow.user = 'bo'")).toEqual([run.info.run_id]);
    expect(await search("tags.mlflow.user = 'ana'")).toEqual([]);
    expect(await search(`tags.mlflow.parentRunId = '${parent.info.run_id}'`)).toEqual([run.info.run_id]);
  });

  test('create and get errors: missing experiment 404, deleted experiment INVALID_STATE 400, missing ids 400', async (h) => {
    const missingExp = await h.post<MlflowError>('/runs/create', { experiment_id: '987654321' });
    expect(missingExp.status).toBe(404);
    expect(missingExp.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    const deletedExp = await h.experiment();
    await h.post('/experiments/delete', { experiment_id: deletedExp });
    const onDeleted = await h.post<MlflowError>('/runs/create', { experiment_id: deletedExp });
    expect(onDeleted.status).toBe(400);
    expect(onDeleted.body.error_code).toBe('INVALID_STATE');
    const noExp = await h.post<MlflowError>('/runs/create', {});
    expect(noExp.status).toBe(400);
    expect(noExp.body.message).toContain("'experiment_id'");

    const missingRun = await h.get<MlflowError>('/runs/get', { run_id: 'f'.repeat(32) });
    expect(missingRun.status).toBe(404);
    expect(missingRun.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    const noRun = await h.get<MlflowError>('/runs/get');
    expect(noRun.status).toBe(400);
    expect(noRun.body).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining("'run_id'") });
  });

  test('update sets status, end_time and run_name and answers with run_info', async (h) => {
    const run = await h.run();
    const id = run.info.run_id;
    const res = await h.post<{ run_info: MlflowRunInfo }>('/runs/update', { run_id: id, status: 'FINISHED', end_time: 1_800_000_000_000 });
    expect(res.status).toBe(200);
    expect(res.body.run_info).toMatchObject({ run_id: id, run_uuid: id, status: 'FINISHED', end_time: 1_800_000_000_000 });
    expect(typeof res.body.run_info.end_time).toBe('number');

    const byNumber = await h.post<{ run_info: MlflowRunInfo }>('/runs/update', { run_uuid: id, status: 4 });
    expect(byNumber.body.run_info.status).toBe('FAILED');
    const renamed = await h.post<{ run_info: MlflowRunInfo }>('/runs/update', { run_id: id, run_name: 'renamed' });
    expect(renamed.body.run_info.run_name).toBe('renamed');
    const got = await h.get<{ run: MlflowRun }>('/runs/get', { run_id: id });
    expect(tagMap(got.body.run.data.tags)['mlflow.runName']).toBe('renamed');

    const bad = await h.post<MlflowError>('/runs/update', { run_id: id, status: 'DONE' });
    expect(bad.status).toBe(400);
    expect(bad.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    const missing = await h.post<MlflowError>('/runs/update', { run_id: 'f'.repeat(32), status: 'FINISHED' });
    expect(missing.status).toBe(404);
  });

  test('delete and restore; search run_view_type', async (h) => {
    const experimentId = await h.experiment();
    const keep = await h.run(experimentId);
    const drop = await h.run(experimentId);
    expect((await h.post('/runs/delete', { run_id: drop.info.run_id })).body).toEqual({});
    const got = await h.get<{ run: MlflowRun }>('/runs/get', { run_id: drop.info.run_id });
    expect(got.body.run.info.lifecycle_stage).toBe('deleted');

    const ids = async (view?: unknown) =>
      ((await h.post<SearchReply>('/runs/search', { experiment_ids: [experimentId], run_view_type: view, order_by: ['attributes.start_time ASC'] })).body.runs ?? [])
        .map((r) => r.info.run_id)
        .sort();
    expect(await ids()).toEqual([keep.info.run_id]);
    expect(await ids('DELETED_ONLY')).toEqual([drop.info.run_id]);
    expect(await ids('ALL')).toEqual([keep.info.run_id, drop.info.run_id].sort());
    expect(await ids(3)).toHaveLength(2);

    expect((await h.post('/runs/restore', { run_id: drop.info.run_id })).body).toEqual({});
    expect(await ids('ACTIVE_ONLY')).toHaveLength(2);
    const missing = await h.post<MlflowError>('/runs/delete', { run_id: 'f'.repeat(32) });
    expect(missing.status).toBe(404);
  });

  test('search: filter, order_by, paging with max_results and page_token, limits', async (h) => {
    const experimentId = await h.experiment();
    const made: string[] = [];
    for (let i = 0; i < 7; i++) {
      const run = await h.run(experimentId, { run_name: unique(`r${i}`) });
      await h.post('/runs/log-metric', { run_id: run.info.run_id, key: 'acc', value: i / 10, timestamp: 1000 + i });
      await h.post('/runs/log-parameter', { run_id: run.info.run_id, key: 'parity', value: i % 2 ? 'odd' : 'even' });
      made.push(run.info.run_id);
    }
    const filtered = await h.post<SearchReply>('/runs/search', {
      experiment_ids: [experimentId],
      filter: "metrics.acc >= 0.2 and params.parity = 'even'",
      order_by: ['metrics.acc DESC'],
    });
    expect(filtered.body.runs?.map((r) => r.info.run_id)).toEqual([made[6], made[4], made[2]]);
    const first = filtered.body.runs![0]!;
    expect(first.data.metrics).toEqual([{ key: 'acc', value: 0.6, timestamp: 1006, step: 0 }]);
    expect(first.data.params).toEqual([{ key: 'parity', value: 'even' }]);

    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const res = await h.post<SearchReply>('/runs/search', {
        experiment_ids: [experimentId],
        order_by: ['metrics.acc ASC'],
        max_results: 3,
        ...(token ? { page_token: token } : {}),
      });
      expect(res.status).toBe(200);
      seen.push(...(res.body.runs ?? []).map((r) => r.info.run_id));
      token = res.body.next_page_token;
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect(seen).toEqual(made);

    const all = await h.post<SearchReply>('/runs/search', { experiment_ids: [experimentId] });
    expect(all.body.runs).toHaveLength(7);
    expect(all.body).not.toHaveProperty('next_page_token');
    expect((await h.post('/runs/search', { experiment_ids: [] })).body).toEqual({});

    for (const max_results of [0, 50_001, 'lots']) {
      const res = await h.post<MlflowError>('/runs/search', { experiment_ids: [experimentId], max_results });
      expect(res.status, String(max_results)).toBe(400);
      expect(res.body).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining('max_results') });
    }
    expect((await h.post('/runs/search', { experiment_ids: [experimentId], max_results: 50_000 })).status).toBe(200);
    const badFilter = await h.post<MlflowError>('/runs/search', { experiment_ids: [experimentId], filter: 'metrics.acc >>> 1' });
    expect(badFilter.status).toBe(400);
    expect(badFilter.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    const badIds = await h.post<MlflowError>('/runs/search', { experiment_ids: 'one' });
    expect(badIds.status).toBe(400);
    expect(badIds.body.message).toContain("'experiment_ids'");
  });
});
