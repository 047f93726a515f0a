import { expect, it } from 'vitest';
import { call, describeEachBackend } from './helpers.js';

describeEachBackend('experiment routes', (ctx) => {
  const api = (method: string, url: string, body?: unknown) => call(ctx().app, method, url, body);

  it('creates an experiment (201) and refuses a duplicate name (409 ALREADY_EXISTS)', async () => {
    const res = await api('POST', '/api/v1/experiments', { name: 'vision', tags: { team: 'cv' } });
    expect(res.status).toBe(201);
    expect(res.body.experiment).toMatchObject({ name: 'vision', lifecycleStage: 'active', tags: { team: 'cv' } });
    expect(res.body.experiment.experimentId).toMatch(/^\d+$/);
    const dup = await api('POST', '/api/v1/experiments', { name: 'vision' });
    expect(dup.status).toBe(409);
    expect(dup.body.error_code).toBe('ALREADY_EXISTS');
  });

  it('accepts a Cairn-assigned artifact location and refuses any other', async () => {
    const ok = await api('POST', '/api/v1/experiments', { name: 'located', artifactLocation: 'cairn-artifacts:/custom/place' });
    expect(ok.status).toBe(201);
    expect(ok.body.experiment.artifactLocation).toBe('custom/place');
    // Nor the root, nor a folder Cairn's registry or pipelines own (a run there could change a registered model's files).
    for (const artifactLocation of ['file:///etc', 'file:/tmp/x', '//host/x', 'mlflow-artifacts://host/x', '/abs/path', 's3://bucket/x', 'cairn-artifacts:/../x',
      'cairn-artifacts:/', 'cairn-artifacts:/registry/abc/1', 'cairn-artifacts:/Registry', 'cairn-artifacts:/%72egistry/x', 'mlflow-artifacts:/pipelines/objects']) {
      const res = await api('POST', '/api/v1/experiments', { name: `bad-${artifactLocation}`, artifactLocation });
      expect(res.status, artifactLocation).toBe(400);
      expect(res.body.error_code).toBe('INVALID_ARGUMENT');
    }
  });

  it('gets by id and by percent-encoded name, and 404s unknown ones', async () => {
    const name = 'team/α β 🚀 %2F?#';
    const created = await api('POST', '/api/v1/experiments', { name });
    const id = created.body.experiment.experimentId;
    expect((await api('GET', `/api/v1/experiments/${id}`)).body.experiment.name).toBe(name);
    const byName = await api('GET', `/api/v1/experiments-by-name/${encodeURIComponent(name)}`);
    expect(byName.status).toBe(200);
    expect(byName.body.experiment.experimentId).toBe(id);
    for (const url of ['/api/v1/experiments/987654', '/api/v1/experiments/not-a-number', '/api/v1/experiments-by-name/missing']) {
      const res = await api('GET', url);
      expect(res.status, url).toBe(404);
      expect(res.body.error_code).toBe('NOT_FOUND');
    }
  });

  it('searches with filter, repeated orderBy and page tokens', async () => {
    for (const n of ['page-a', 'page-b', 'page-c']) await api('POST', '/api/v1/experiments', { name: n, tags: { group: 'paging' } });
    const seen: string[] = [];
    let token: string | null = null;
    do {
      const q = new URLSearchParams({ filter: "tags.group = 'paging'", maxResults: '2' });
      q.append('orderBy', 'name DESC');
      q.append('orderBy', 'creation_time');
      if (token) q.set('pageToken', token);
      const res = await api('GET', `/api/v1/experiments?${q}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.experiments.map((e: { name: string }) => e.name));
      token = res.body.nextPageToken;
    } while (token);
    expect(seen).toEqual(['page-c', 'page-b', 'page-a']);
    const bad = await api('GET', `/api/v1/experiments?filter=${encodeURIComponent('name ==== x')}`);
    expect(bad.status).toBe(400);
    expect(bad.body.error_code).toBe('INVALID_ARGUMENT');
  });

  it('renames, deletes (restorably) and restores', async () => {
    const id = (await api('POST', '/api/v1/experiments', { name: 'to-rename' })).body.experiment.experimentId;
    const renamed = await api('PATCH', `/api/v1/experiments/${id}`, { name: 'renamed' });
    expect(renamed.body.experiment.name).toBe('renamed');
    expect((await api('PATCH', `/api/v1/experiments/${id}`, { name: 'vision' })).status).toBe(409);
    expect((await api('DELETE', `/api/v1/experiments/${id}`)).body).toEqual({});
    expect((await api('GET', `/api/v1/experiments/${id}`)).body.experiment.lifecycleStage).toBe('deleted');
    const active = await api('GET', '/api/v1/experiments?viewType=ACTIVE_ONLY&maxResults=1000');
    expect(active.body.experiments.map((e: { experimentId: string }) => e.experimentId)).not.toContain(id);
    const deleted = await api('GET', '/api/v1/experiments?viewType=DELETED_ONLY');
    expect(deleted.body.experiments.map((e: { experimentId: string }) => e.experimentId)).toContain(id);
    const restored = await api('POST', `/api/v1/experiments/${id}/restore`);
    expect(restored.body.experiment.lifecycleStage).toBe('active');
    const def = await api('DELETE', '/api/v1/experiments/0');
    expect(def.status).toBe(400);
    expect(def.body.error_code).toBe('FAILED_PRECONDITION');
  });

  it('sets and deletes tags', async () => {
    const id = (await api('POST', '/api/v1/experiments', { name: 'tagged' })).body.experiment.experimentId;
    expect((await api('PUT', `/api/v1/experiments/${id}/tags`, { key: 'k 🔑', value: 'v ✓' })).status).toBe(200);
    expect((await api('GET', `/api/v1/experiments/${id}`)).body.experiment.tags).toEqual({ 'k 🔑': 'v ✓' });
    expect((await api('DELETE', `/api/v1/experiments/${id}/tags?key=${encodeURIComponent('k 🔑')}`)).status).toBe(200);
    expect((await api('GET', `/api/v1/experiments/${id}`)).body.experiment.tags).toEqual({});
    expect((await api('DELETE', `/api/v1/experiments/${id}/tags?key=k`)).status).toBe(404);
    const noKey = await api('DELETE', `/api/v1/experiments/${id}/tags`);
    expect(noKey.status).toBe(400);
    expect(noKey.body.message).toContain("'key'");
    expect((await api('PUT', '/api/v1/experiments/424242/tags', { key: 'a', value: 'b' })).status).toBe(404);
  });
});
