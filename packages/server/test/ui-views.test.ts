// The /api/v1 reads behind the web UI's model, feature, pipeline and lineage pages, on each backend.
import { expect, it } from 'vitest';
import { cancellable } from '../../core/src/pipelines/fixtures/basic-pipelines.js';
import { seedLineage, type LineageFixture } from '../../core/src/lineage/testing/lineage-fixture.js';
import { call, describeEachBackend } from './helpers.js';

describeEachBackend('UI views API', (ctx) => {
  let f: LineageFixture;

  it('answers the lineage graph around an object, and refuses bad queries', async () => {
    const { app, platform, dir } = ctx();
    f = await seedLineage(platform, dir);
    const up = await call(app, 'GET', '/api/v1/lineage?kind=alias&key=ranker%40champion&direction=upstream');
    expect(up.status).toBe(200);
    expect(up.body.graph.focus).toBe('alias:ranker@champion');
    expect(up.body.graph.nodes.map((n: { id: string }) => n.id)).toContain('data:file:data/trips.parquet');
    expect(up.body.graph.edges).toContainEqual({ from: `trainingSet:${f.datasetId}`, to: `run:${f.trackingRunId}`, relation: 'trained' });
    const shallow = await call(app, 'GET', `/api/v1/lineage?kind=pipelineRun&key=${f.pipelineRunId}&depth=1&maxNodes=2`);
    expect(shallow.body.graph).toMatchObject({ truncated: true });
    expect((await call(app, 'GET', '/api/v1/lineage?kind=alias&key=ranker%40nobody')).body).toMatchObject({ error_code: 'NOT_FOUND' });
    for (const q of ['kind=planet&key=x', 'kind=alias', 'kind=alias&key=a%40b&depth=0', 'kind=alias&key=a%40b&direction=sideways', 'kind=alias&key=a%40b&extra=1']) {
      const res = await call(app, 'GET', `/api/v1/lineage?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.error_code).toBe('INVALID_ARGUMENT');
    }
  });

  it('answers feature freshness, view and service details, history, materializations and training sets', async () => {
    const { app, platform } = ctx();
    await platform.features.materialize(Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 1, 5), { views: ['driver_stats'] });
    const fresh = await call(app, 'GET', '/api/v1/features/freshness');
    expect(fresh.body.views.map((v: { view: string; stale: boolean; staleReason: string | null }) => [v.view, v.stale, v.staleReason])).toEqual([
      ['driver_clicks', true, 'never materialized'], ['driver_stats', true, 'watermark older than the TTL'],
    ]);
    const view = await call(app, 'GET', '/api/v1/features/views/driver_stats');
    expect(view.status).toBe(200);
    expect(view.body.view).toMatchObject({ object: { kind: 'featureView', name: 'driver_stats' }, freshness: { lastRun: { status: 'SUCCEEDED', rows: 5 } } });
    expect(view.body.view.statistics.map((s: { feature: string; distinct: number }) => [s.feature, s.distinct])).toEqual([['conv_rate', 5], ['trips', 5]]);
    expect(view.body.view.usedBy).toEqual([{ kind: 'featureService', name: 'ranking' }, { kind: 'onDemandFeatureView', name: 'adjusted' }]);
    expect((await call(app, 'GET', '/api/v1/features/views/adjusted')).body.view.freshness).toBeNull();
    const service = await call(app, 'GET', '/api/v1/features/services/ranking');
    expect(service.body.service).toMatchObject({ runs: [f.trackingRunId], models: [{ name: 'ranker', version: '1' }] });
    expect(service.body.service.trainingSets.map((d: { datasetId: string }) => d.datasetId)).toEqual([f.datasetId]);
    const versions = await call(app, 'GET', '/api/v1/features/objects/trips/versions?kind=source');
    expect(versions.body.versions).toEqual([expect.objectContaining({ version: 1, change: 'added', details: [] })]);
    expect((await call(app, 'GET', '/api/v1/features/materializations?view=driver_stats&maxResults=1')).body.runs).toHaveLength(1);
    expect((await call(app, 'GET', `/api/v1/features/training-sets/${f.datasetId}`)).body.trainingSet).toMatchObject({ featureService: 'ranking', runId: f.trackingRunId });
    for (const url of ['/api/v1/features/views/nope', '/api/v1/features/services/nope', '/api/v1/features/objects/nope/versions?kind=source', '/api/v1/features/training-sets/nope']) {
      expect((await call(app, 'GET', url)).status, url).toBe(404);
    }
    expect((await call(app, 'GET', '/api/v1/features/objects/x/versions?kind=planet')).status).toBe(400);
  });

  it("answers a model's monitoring: served version, traffic and latency, and refuses bad windows", async () => {
    const { app, platform } = ctx();
    const now = Date.now();
    await platform.inferenceLog.append([0, 1, 2].map((i) => ({
      requestId: `ui-${i}`, row: 0, model: 'ranker', version: 1, time: now - 60_000 + i, entity: null, inputs: { conv_rate: 0.5 }, output: 0.1, latencyMs: 2 + i,
    })));
    const res = await call(app, 'GET', `/api/v1/models/ranker/monitoring?until=${now}&buckets=4`);
    expect(res.status).toBe(200);
    expect(res.body.monitoring).toMatchObject({
      model: 'ranker', window: { from: now - 86_400_000, to: now }, bucketMs: 21_600_000,
      served: { version: 1, aliases: ['champion'] }, versions: [{ version: 1, requests: 3, rows: 3 }], totals: { requests: 3, p50: 3, p99: 4 }, reports: [], alerts: [],
    });
    expect(res.body.monitoring.traffic.map((b: { requests: number }) => b.requests)).toEqual([0, 0, 0, 3]);
    expect((await call(app, 'GET', '/api/v1/models/nobody/monitoring')).body).toMatchObject({ error_code: 'NOT_FOUND' });
    for (const q of ['since=10&until=5', 'buckets=0', 'buckets=501', 'since=-1', 'since=0&until=99999999999999', 'window=1d']) {
      const bad = await call(app, 'GET', `/api/v1/models/ranker/monitoring?${q}`);
      expect(bad.status, q).toBe(400);
      expect(bad.body.error_code).toBe('INVALID_ARGUMENT');
    }
  });

  it("previews a version's files, and refuses paths outside them", async () => {
    const { app } = ctx();
    const res = await call(app, 'GET', '/api/v1/models/ranker/versions/1/artifacts/preview?path=model.json');
    expect(res.body.preview).toMatchObject({ path: 'model.json', kind: 'text', mediaType: 'application/json', text: '{"weights":[1,2]}\n', truncated: false });
    expect((await call(app, 'GET', '/api/v1/models/ranker/versions/1/artifacts/preview?path=nope.json')).status).toBe(404);
    expect((await call(app, 'GET', '/api/v1/models/ranker/versions/1/artifacts/preview?path=..%2F..%2Fcairn.db')).status).toBe(400);
  });

  it("follows a step's logs with a cursor, and refuses a bad cursor", async () => {
    const { app } = ctx();
    // A page polling a run gets 304 while nothing changed.
    const first = await call(app, 'GET', `/api/v1/pipelines/runs/${f.pipelineRunId}`);
    expect(first.headers.etag).toBeTruthy();
    expect((await call(app, 'GET', `/api/v1/pipelines/runs/${f.pipelineRunId}`, undefined, { 'if-none-match': String(first.headers.etag) })).status).toBe(304);
    const page = await call(app, 'GET', `/api/v1/pipelines/runs/${f.pipelineRunId}/steps/load/logs?maxLines=1`);
    expect(page.body).toMatchObject({ lines: [{ text: 'loading 2 rows', stepId: 'load' }], stepStatus: 'COMPLETED', done: false });
    const rest = await call(app, 'GET', `/api/v1/pipelines/runs/${f.pipelineRunId}/steps/load/logs?after=${page.body.cursor}&waitMs=20000`);
    expect(rest.body).toMatchObject({ lines: [{ text: 'loaded via ctx.log' }], done: true });
    expect((await call(app, 'GET', `/api/v1/pipelines/runs/${f.pipelineRunId}/steps/load/logs?after=nope`)).body).toMatchObject({ error_code: 'INVALID_ARGUMENT' });
    expect((await call(app, 'GET', `/api/v1/pipelines/runs/${f.pipelineRunId}/steps/load/logs?waitMs=99999`)).status).toBe(400);
  });

  it('resumes a cancelled run in the server, which can be cancelled again; a completed one is refused', async () => {
    const { app, platform } = ctx();
    const handle = await platform.pipelines.start(cancellable, { overrides: { ms: '60000' } });
    // The step hears a cancel only once it runs.
    const waiting = () => expect.poll(async () => (await platform.pipelines.queries.getRun(handle.runId)).steps[0]!.status, { timeout: 30_000 }).toBe('RUNNING');
    await waiting();
    handle.cancel();
    expect((await handle.done).run.status).toBe('CANCELLED');
    const resumed = await call(app, 'POST', `/api/v1/pipelines/runs/${handle.runId}/resume`);
    expect(resumed.status).toBe(200);
    expect(resumed.body.run).toMatchObject({ runId: handle.runId, status: 'RUNNING', resumeCount: 1 });
    await waiting();
    expect((await call(app, 'POST', `/api/v1/pipelines/runs/${handle.runId}/cancel`)).status).toBe(200);
    expect((await platform.pipelines.queries.waitForEnd(handle.runId, 30_000)).status).toBe('CANCELLED');
    const done = await call(app, 'POST', `/api/v1/pipelines/runs/${f.pipelineRunId}/resume`);
    expect(done).toMatchObject({ status: 400, body: { error_code: 'FAILED_PRECONDITION' } });
    expect(done.body.message).toMatch(/completed; there is nothing to resume/);
  });
});
