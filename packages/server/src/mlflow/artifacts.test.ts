import { Readable } from 'node:stream';
import { expect } from 'vitest';
import { ARTIFACTS, TEST_MAX_UPLOAD_BYTES, describeMlflow, type MlflowError, type MlflowHarness } from './conformance-harness.js';

type Listing = { root_uri?: string; files?: { path: string; is_dir: boolean; file_size?: number }[] };

/** The store key an `mlflow-artifacts:/…` URI names, as MLflow clients resolve it against the proxy. */
const keyOf = (uri: string) => uri.replace(/^mlflow-artifacts:\//, '');

async function put(h: MlflowHarness, url: string, payload: Buffer | string, contentType = 'application/octet-stream') {
  return h.app.inject({ method: 'PUT', url, payload, headers: { 'content-type': contentType } });
}

describeMlflow('MLflow artifact API and proxy', (test) => {
  test('PUT, GET, list and DELETE through the proxy at the run artifact_uri', async (h) => {
    const run = await h.run();
    const root = keyOf(run.info.artifact_uri);
    // Raw bytes sent with a JSON content type, as MLflow clients do for `.json` files: stored unparsed.
    const bytes = Buffer.concat([Buffer.from([0, 1, 2, 255]), Buffer.from('{"not": "parsed"')]);
    const up = await put(h, `${ARTIFACTS}/${root}/model/weights.bin`, bytes, 'application/json');
    expect(up.statusCode).toBe(200);
    expect(up.json()).toEqual({});

    const down = await h.app.inject({ method: 'GET', url: `${ARTIFACTS}/${root}/model/weights.bin` });
    expect(down.statusCode).toBe(200);
    expect(down.rawPayload.equals(bytes)).toBe(true);
    expect(down.headers['content-type']).toBe('application/octet-stream');
    expect(down.headers['content-disposition']).toBe('attachment; filename="weights.bin"; filename*=UTF-8\'\'weights.bin');
    expect(down.headers['x-content-type-options']).toBe('nosniff');
    expect(Number(down.headers['content-length'])).toBe(bytes.length);

    // The proxy key is the run's own artifact location in Cairn.
    const viaCairn = await h.platform.runs.listArtifacts(run.info.run_id, 'model');
    expect(viaCairn).toEqual([{ path: 'model/weights.bin', isDir: false, size: bytes.length }]);

    const top = await h.app.inject({ method: 'GET', url: `${ARTIFACTS}?path=${encodeURIComponent(root)}` });
    expect(top.json()).toEqual({ files: [{ path: 'model', is_dir: true }] });
    const inner = await h.app.inject({ method: 'GET', url: `${ARTIFACTS}?path=${encodeURIComponent(`${root}/model`)}` });
    expect(inner.json()).toEqual({ files: [{ path: 'weights.bin', is_dir: false, file_size: bytes.length }] });

    const listed = await h.get<Listing>('/artifacts/list', { run_id: run.info.run_id });
    expect(listed.body).toEqual({ root_uri: run.info.artifact_uri, files: [{ path: 'model', is_dir: true }] });
    const listedInner = await h.get<Listing>('/artifacts/list', { run_uuid: run.info.run_id, path: 'model' });
    expect(listedInner.body).toEqual({ root_uri: run.info.artifact_uri, files: [{ path: 'model/weights.bin', is_dir: false, file_size: bytes.length }] });

    const del = await h.app.inject({ method: 'DELETE', url: `${ARTIFACTS}/${root}/model/weights.bin` });
    expect(del.statusCode).toBe(200);
    expect(del.json()).toEqual({});
    const gone = await h.app.inject({ method: 'GET', url: `${ARTIFACTS}/${root}/model/weights.bin` });
    expect(gone.statusCode).toBe(404);
    expect(gone.json<MlflowError>().error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    expect((await h.get<Listing>('/artifacts/list', { run_id: run.info.run_id, path: 'model' })).body).toEqual({ root_uri: run.info.artifact_uri });
  });

  test('empty files, nested folders, encoded names and folder deletion', async (h) => {
    const root = keyOf((await h.run()).info.artifact_uri);
    expect((await put(h, `${ARTIFACTS}/${root}/empty.txt`, '')).statusCode).toBe(200);
    const noBody = await h.app.inject({ method: 'PUT', url: `${ARTIFACTS}/${root}/nobody.txt` });
    expect(noBody.statusCode).toBe(200);
    expect((await put(h, `${ARTIFACTS}/${root}/a%20b/${encodeURIComponent('données.csv')}`, 'x,y\n')).statusCode).toBe(200);

    const listing = await h.app.inject({ method: 'GET', url: `${ARTIFACTS}?path=${encodeURIComponent(root)}` });
    expect(listing.json()).toEqual({
      files: [
        { path: 'a b', is_dir: true },
        { path: 'empty.txt', is_dir: false, file_size: 0 },
        { path: 'nobody.txt', is_dir: false, file_size: 0 },
      ],
    });
    const csv = await h.app.inject({ method: 'GET', url: `${ARTIFACTS}/${root}/a%20b/${encodeURIComponent('données.csv')}` });
    expect(csv.body).toBe('x,y\n');
    // Both forms: the plain one (non-ASCII replaced) for clients that read only `filename=`.
    expect(csv.headers['content-disposition']).toBe(`attachment; filename="donn_es.csv"; filename*=UTF-8''${encodeURIComponent('données.csv')}`);

    const dir = await h.app.inject({ method: 'GET', url: `${ARTIFACTS}/${root}/a%20b` });
    expect(dir.statusCode).toBe(404);
    const onFolder = await put(h, `${ARTIFACTS}/${root}/a%20b`, 'x');
    expect(onFolder.statusCode).toBe(400);
    expect(onFolder.json<MlflowError>().error_code).toBe('INVALID_STATE');

    expect((await h.app.inject({ method: 'DELETE', url: `${ARTIFACTS}/${root}/a%20b` })).statusCode).toBe(200);
    const after = await h.app.inject({ method: 'GET', url: `${ARTIFACTS}?path=${encodeURIComponent(root)}` });
    expect(after.json<Listing>().files?.map((f) => f.path)).toEqual(['empty.txt', 'nobody.txt']);
    const missingFolder = await h.app.inject({ method: 'GET', url: `${ARTIFACTS}?path=no/such/folder` });
    expect(missingFolder.json()).toEqual({});
  });

  test('uploads over the server limit are 413 RESOURCE_EXHAUSTED and leave nothing behind', async (h) => {
    const root = keyOf((await h.run()).info.artifact_uri);
    const big = Buffer.alloc(TEST_MAX_UPLOAD_BYTES + 1, 7);
    const declared = await put(h, `${ARTIFACTS}/${root}/big.bin`, big);
    expect(declared.statusCode).toBe(413);
    expect(declared.json<MlflowError>().error_code).toBe('RESOURCE_EXHAUSTED');
    // Streamed without a Content-Length: the store stops at the limit.
    const streamed = await h.app.inject({
      method: 'PUT',
      url: `${ARTIFACTS}/${root}/big.bin`,
      payload: Readable.from([big.subarray(0, 600_000), big.subarray(600_000)]),
      headers: { 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' },
    });
    expect(streamed.statusCode).toBe(413);
    expect(streamed.json<MlflowError>().error_code).toBe('RESOURCE_EXHAUSTED');
    const listing = await h.app.inject({ method: 'GET', url: `${ARTIFACTS}?path=${encodeURIComponent(root)}` });
    expect(listing.json()).toEqual({});
    expect((await put(h, `${ARTIFACTS}/${root}/fits.bin`, big.subarray(1))).statusCode).toBe(200);
  });

  test('PUT and DELETE change only experiment artifact locations; the registry and pipeline objects stay read-only', async (h) => {
    const store = h.platform.artifacts;
    const run = await h.run();
    const root = keyOf(run.info.artifact_uri);
    // Files the registry and the pipeline cache own, and one in a folder no experiment owns.
    const owned = { 'registry/0123456789abcdef0123456789abcdef/1/model.pkl': 'MODEL', 'pipelines/objects/ab/abcdef/manifest.json': '{"files":[]}', 'stray/keep.txt': 'STRAY' };
    for (const [key, body] of Object.entries(owned)) await store.put(key, body);
    // Folders Cairn's services own are 403; a folder no experiment owns is 404; `..` is 400.
    const ERROR_CODES: Record<number, string> = { 400: 'INVALID_PARAMETER_VALUE', 403: 'PERMISSION_DENIED', 404: 'RESOURCE_DOES_NOT_EXIST' };
    const forbidden: [string, string, number][] = [
      // [path as sent, the key it names once decoded, the status]
      ['registry/0123456789abcdef0123456789abcdef/1/model.pkl', 'registry/0123456789abcdef0123456789abcdef/1/model.pkl', 403],
      ['registry/0123456789abcdef0123456789abcdef/1/injected.pkl', 'registry/0123456789abcdef0123456789abcdef/1/injected.pkl', 403],
      ['registry', 'registry', 403],
      ['Registry/0123456789abcdef0123456789abcdef/1/model.pkl', 'Registry/0123456789abcdef0123456789abcdef/1/model.pkl', 403],
      ['%72egistry/0123456789abcdef0123456789abcdef/1/model.pkl', 'registry/0123456789abcdef0123456789abcdef/1/model.pkl', 403],
      ['%2572egistry%252F0123456789abcdef0123456789abcdef/1/model.pkl', 'registry/0123456789abcdef0123456789abcdef/1/model.pkl', 403],
      ['./registry/0123456789abcdef0123456789abcdef/1/model.pkl', 'registry/0123456789abcdef0123456789abcdef/1/model.pkl', 403],
      // A plain `..` is resolved by the URL parser before routing, so the request names registry/ itself.
      [`${root}/../../../registry/0123456789abcdef0123456789abcdef/1/model.pkl`, 'registry/0123456789abcdef0123456789abcdef/1/model.pkl', 403],
      [`${root}/..%2f..%2f..%2fregistry/x`, 'registry/x', 400],
      ['pipelines/objects/ab/abcdef/manifest.json', 'pipelines/objects/ab/abcdef/manifest.json', 403],
      ['pipelines/objects/ab/abcdef/extra.bin', 'pipelines/objects/ab/abcdef/extra.bin', 403],
      ['PIPELINES/objects/ab/abcdef/manifest.json', 'PIPELINES/objects/ab/abcdef/manifest.json', 403],
      ['pipelines%2Fobjects%2Fab/abcdef/manifest.json', 'pipelines/objects/ab/abcdef/manifest.json', 403],
      [`${root}/../../../pipelines/objects/ab/abcdef/manifest.json`, 'pipelines/objects/ab/abcdef/manifest.json', 403],
      [`${root}/..%2f..%2f..%2fpipelines/objects/ab/abcdef/manifest.json`, 'pipelines/objects/ab/abcdef/manifest.json', 400],
      ['stray/keep.txt', 'stray/keep.txt', 404],
      ['stray/new.txt', 'stray/new.txt', 404],
      ['987654321/run/artifacts/x.txt', '987654321/run/artifacts/x.txt', 404],
      ['x.txt', 'x.txt', 404],
    ];
    const snapshot = async () => {
      const files: Record<string, string> = {};
      for await (const f of store.listRecursive('')) files[f.path] = await store.digest(f.path);
      return files;
    };
    const before = await snapshot();
    for (const [path, key, status] of forbidden) {
      for (const method of ['PUT', 'DELETE'] as const) {
        const reply = await h.app.inject({ method, url: `${ARTIFACTS}/${path}`, payload: method === 'PUT' ? 'EVIL' : undefined, headers: { 'content-type': 'application/octet-stream' } });
        expect(reply.statusCode, `${method} ${path}`).toBe(status);
        expect(reply.json<MlflowError>().error_code).toBe(ERROR_CODES[status]);
      }
      expect(await snapshot(), `${path} (${key})`).toEqual(before);
    }
    for (const [key, body] of Object.entries(owned)) {
      // Read-only, not hidden: MLflow clients download registered versions through the proxy.
      const read = await h.app.inject({ method: 'GET', url: `${ARTIFACTS}/${key}` });
      expect(read.body, key).toBe(body);
    }
    // The run's and the experiment's own area stay writable, below the run and beside it.
    const experimentLocation = root.slice(0, root.indexOf('/'));
    for (const key of [`${root}/ok.txt`, `${experimentLocation}/shared/notes.txt`]) {
      expect((await put(h, `${ARTIFACTS}/${key}`, 'fine')).statusCode, key).toBe(200);
      expect((await h.app.inject({ method: 'DELETE', url: `${ARTIFACTS}/${key}` })).statusCode, key).toBe(200);
    }
  });

  test('artifacts/list errors and edge cases', async (h) => {
    const run = await h.run();
    const missing = await h.get<MlflowError>('/artifacts/list', { run_id: 'f'.repeat(32) });
    expect(missing.status).toBe(404);
    expect(missing.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    const noId = await h.get<MlflowError>('/artifacts/list');
    expect(noId.status).toBe(400);
    expect(noId.body.message).toContain("'run_id'");
    expect((await h.get<Listing>('/artifacts/list', { run_id: run.info.run_id })).body).toEqual({ root_uri: run.info.artifact_uri });
    await put(h, `${ARTIFACTS}/${keyOf(run.info.artifact_uri)}/file.txt`, 'x');
    expect((await h.get<Listing>('/artifacts/list', { run_id: run.info.run_id, path: 'file.txt' })).body).toEqual({ root_uri: run.info.artifact_uri });
  });

  test('the /ajax-api/2.0 prefix serves the same API', async (h) => {
    const run = await h.run();
    const root = keyOf(run.info.artifact_uri);
    const got = await h.app.inject({ method: 'GET', url: `/ajax-api/2.0/mlflow/runs/get?run_id=${run.info.run_id}` });
    expect(got.json<{ run: { info: { run_id: string } } }>().run.info.run_id).toBe(run.info.run_id);
    const up = await h.app.inject({ method: 'PUT', url: `/ajax-api/2.0/mlflow-artifacts/artifacts/${root}/ui.txt`, payload: 'ui' });
    expect(up.statusCode).toBe(200);
    const down = await h.app.inject({ method: 'GET', url: `/ajax-api/2.0/mlflow-artifacts/artifacts/${root}/ui.txt` });
    expect(down.body).toBe('ui');
    const unknown = await h.app.inject({ method: 'GET', url: '/ajax-api/2.0/mlflow/no-such-thing' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json<MlflowError>().error_code).toBe('ENDPOINT_NOT_FOUND');
  });
});
