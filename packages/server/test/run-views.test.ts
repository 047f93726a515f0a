// The /api/v1 reads the web UI is built on, against real SQLite and PostgreSQL stores.
import { expect, it } from 'vitest';
import { call, describeEachBackend, seedRun } from './helpers.js';

describeEachBackend('run views for the web UI', (ctx) => {
  it('counts active runs per experiment and reports their latest activity', async () => {
    const { app, platform } = ctx();
    const { experimentId, runId } = await seedRun(app);
    const empty = await call(app, 'POST', '/api/v1/experiments', { name: `empty-${Math.random()}` });
    await call(app, 'POST', '/api/v1/runs', { experimentId, startTime: 5_000 });
    const gone = await call(app, 'POST', '/api/v1/runs', { experimentId });
    await call(app, 'DELETE', `/api/v1/runs/${gone.body.run.info.runId}`);
    await call(app, 'PATCH', `/api/v1/runs/${runId}`, { status: 'FINISHED' });
    const info = await platform.runs.getInfo(runId);
    const res = await call(app, 'GET', `/api/v1/experiments/stats?experimentId=${experimentId}&experimentId=${empty.body.experiment.experimentId}`);
    expect(res.status).toBe(200);
    expect(res.body.stats).toEqual([
      { experimentId, runCount: 2, lastRunTime: expect.any(Number) },
      { experimentId: empty.body.experiment.experimentId, runCount: 0, lastRunTime: null },
    ]);
    expect(res.body.stats[0].lastRunTime).toBeGreaterThanOrEqual(info.endTime!);
    expect((await call(app, 'GET', '/api/v1/experiments/stats?experimentId=abc')).status).toBe(404);
  });

  it('lists the metric, param and tag keys used by active runs of the experiments only', async () => {
    const { app } = ctx();
    const a = await seedRun(app);
    const b = await seedRun(app);
    await call(app, 'POST', `/api/v1/runs/${a.runId}/batch`, {
      metrics: [{ key: 'val loss', value: 1, timestamp: 1, step: 0 }, { key: 'auc', value: 0.5, timestamp: 1, step: 0 }],
      params: [{ key: 'lr', value: '0.1' }],
      tags: [{ key: 'team', value: 'x' }],
    });
    await call(app, 'POST', `/api/v1/runs/${b.runId}/batch`, { metrics: [{ key: 'only-in-b', value: 1, timestamp: 1, step: 0 }], params: [{ key: 'depth', value: '3' }] });
    const res = await call(app, 'GET', `/api/v1/experiments/keys?experimentId=${a.experimentId}`);
    expect(res.status).toBe(200);
    expect(res.body.metrics).toEqual(['auc', 'val loss']);
    expect(res.body.params).toEqual(['lr']);
    expect(res.body.tags).toContain('team');
    expect(res.body.tags).not.toContain('depth');
    const both = await call(app, 'GET', `/api/v1/experiments/keys?experimentId=${a.experimentId}&experimentId=${b.experimentId}`);
    expect(both.body.metrics).toEqual(['auc', 'only-in-b', 'val loss']);
    expect((await call(app, 'GET', '/api/v1/experiments/keys?experimentId=99999')).body.error_code).toBe('NOT_FOUND');
  });

  it('samples long histories to at most maxPoints per series, keeping spikes, and cuts to a range', async () => {
    const { app, platform } = ctx();
    const { runId } = await seedRun(app);
    const values = Array.from({ length: 20_000 }, (_, i) => (i === 12_345 ? 1000 : Math.sin(i / 100)));
    for (let from = 0; from < values.length; from += 1000) {
      await platform.runs.logBatch(runId, { metrics: values.slice(from, from + 1000).map((value, i) => ({ key: 'loss', value, timestamp: 1_000_000 + (from + i) * 10, step: from + i })) });
    }
    await platform.runs.logBatch(runId, { metrics: [{ key: 'nan', value: Number.NaN, timestamp: 1, step: 0 }] });
    const res = await call(app, 'GET', `/api/v1/metrics/sampled?runId=${runId}&key=loss&key=nan&key=absent&maxPoints=200`);
    expect(res.status).toBe(200);
    const [loss, nan, absent] = res.body.series;
    expect(loss).toMatchObject({ runId, key: 'loss', total: 20_000, sampled: true });
    expect(loss.steps.length).toBeLessThanOrEqual(200);
    expect(loss.values).toContain(1000);
    expect(loss.steps[0]).toBe(0);
    expect(loss.steps.at(-1)).toBe(19_999);
    expect(nan).toMatchObject({ total: 1, values: ['NaN'] });
    expect(absent).toMatchObject({ total: 0, steps: [] });

    const zoom = await call(app, 'GET', `/api/v1/metrics/sampled?runId=${runId}&key=loss&min=100&max=199&maxPoints=1000`);
    expect(zoom.body.series[0]).toMatchObject({ total: 100, sampled: false });
    expect(zoom.body.series[0].steps).toEqual(Array.from({ length: 100 }, (_, i) => 100 + i));
    const byTime = await call(app, 'GET', `/api/v1/metrics/sampled?runId=${runId}&key=loss&axis=time&min=1000000&max=1000095`);
    expect(byTime.body.series[0].steps).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

    // Polling: an unchanged answer is a 304 for the ETag the first one carried.
    const etag = String(zoom.headers.etag);
    expect(etag).toMatch(/^W\//);
    const again = await call(app, 'GET', `/api/v1/metrics/sampled?runId=${runId}&key=loss&min=100&max=199&maxPoints=1000`, undefined, { 'if-none-match': etag });
    expect(again.status).toBe(304);
  });

  it('refuses bad sampling requests with a clear 4xx', async () => {
    const { app } = ctx();
    const { runId } = await seedRun(app);
    const bad = async (query: string) => (await call(app, 'GET', `/api/v1/metrics/sampled?${query}`)).body;
    expect(await bad(`runId=${runId}&key=k&maxPoints=2`)).toMatchObject({ error_code: 'INVALID_ARGUMENT' });
    expect(await bad(`runId=${runId}&key=k&min=5&max=1`)).toMatchObject({ error_code: 'INVALID_ARGUMENT', message: expect.stringContaining("'min'") });
    expect(await bad(`runId=${runId}&key=k&min=abc`)).toMatchObject({ error_code: 'INVALID_ARGUMENT' });
    expect(await bad(`runId=nope&key=k`)).toMatchObject({ error_code: 'NOT_FOUND' });
    expect(await bad(`runId=${runId}`)).toMatchObject({ error_code: 'INVALID_ARGUMENT' });
    expect(await bad(`${Array.from({ length: 101 }, (_, i) => `runId=r${i}`).join('&')}&key=k`)).toMatchObject({ error_code: 'INVALID_ARGUMENT' });
  });

  it('previews text, JSON, CSV and Parquet artifacts without reading more than it shows', async () => {
    const { app, platform } = ctx();
    const { runId } = await seedRun(app);
    await platform.runs.logArtifact(runId, 'notes/readme.md', '# Title\n<script>alert(1)</script>\n');
    await platform.runs.logArtifact(runId, 'big.log', 'x'.repeat(300 * 1024));
    await platform.runs.logArtifact(runId, 'data/table.csv', `a,b\n${Array.from({ length: 150 }, (_, i) => `${i},v${i}`).join('\n')}\n`);
    await platform.runs.logArtifact(runId, 'blob.bin', Buffer.from([0, 1, 2, 3]));
    await platform.runs.logArtifact(runId, 'plot.png', Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    const preview = async (path: string) => (await call(app, 'GET', `/api/v1/runs/${runId}/artifacts/preview?path=${encodeURIComponent(path)}`)).body;
    expect((await preview('notes/readme.md')).preview).toMatchObject({ kind: 'text', mediaType: 'text/markdown', text: '# Title\n<script>alert(1)</script>\n', truncated: false });
    const big = (await preview('big.log')).preview;
    expect(big).toMatchObject({ kind: 'text', truncated: true, size: 300 * 1024 });
    expect(big.text.length).toBe(256 * 1024);
    const csv = (await preview('data/table.csv')).preview;
    expect(csv).toMatchObject({ kind: 'table', columns: ['a', 'b'], truncated: true });
    expect(csv.rows).toHaveLength(100);
    expect(csv.rows[0]).toEqual(['0', 'v0']);
    expect((await preview('blob.bin')).preview).toMatchObject({ kind: 'binary' });
    expect((await preview('plot.png')).preview).toMatchObject({ kind: 'image', mediaType: 'image/png' });
    expect(await preview('../escape.txt')).toMatchObject({ error_code: 'INVALID_ARGUMENT' });
    expect(await preview('missing.txt')).toMatchObject({ error_code: 'NOT_FOUND' });

    const { DuckDBInstance } = await import('@duckdb/node-api');
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const file = `${ctx().dir}/t.parquet`;
    await conn.run(`copy (select range as id, 'name ' || range as name from range(250)) to '${file}' (format parquet)`);
    conn.closeSync();
    db.closeSync();
    const { readFileSync } = await import('node:fs');
    await platform.runs.logArtifact(runId, 'data/t.parquet', readFileSync(file));
    const pq = (await preview('data/t.parquet')).preview;
    expect(pq).toMatchObject({ kind: 'table', columns: ['id', 'name'], truncated: true });
    expect(pq.rows[1]).toEqual(['1', 'name 1']);
  });

  it('tells the caller its role: admin when auth is off', async () => {
    const { app } = ctx();
    expect((await call(app, 'GET', '/api/v1/whoami')).body).toEqual({ authEnabled: false, role: 'admin', tokenName: null });
  });
});

describeEachBackend('whoami with auth on', (ctx) => {
  it('answers the token\'s role and name, and 401 without a token', async () => {
    const { app, platform } = ctx();
    const { secret } = await platform.tokens.create({ name: 'viewer', role: 'reader' });
    expect((await call(app, 'GET', '/api/v1/whoami', undefined, { authorization: `Bearer ${secret}` })).body).toEqual({ authEnabled: true, role: 'reader', tokenName: 'viewer' });
    expect((await call(app, 'GET', '/api/v1/whoami')).status).toBe(401);
  });
}, { config: { auth: 'enabled' } });

/** The entry names of a zip, from its central directory (sorted). */
function zipEntries(zip: Buffer): string[] {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const nameLength = zip.readUInt16LE(at + 28);
    names.push(zip.toString('utf8', at + 46, at + 46 + nameLength));
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return names.sort();
}

describeEachBackend('artifact folder downloads', (ctx) => {
  it('zips a folder (or everything) with names relative to it, and refuses an empty one', async () => {
    const { app, platform } = ctx();
    const { runId } = await seedRun(app);
    await platform.runs.logArtifact(runId, 'model/weights.bin', Buffer.alloc(1000, 7));
    await platform.runs.logArtifact(runId, 'model/conf/params.json', '{"lr":0.1}');
    await platform.runs.logArtifact(runId, 'notes.txt', 'hello');
    const res = await app.inject({ method: 'GET', url: `/api/v1/runs/${runId}/artifacts/archive?path=model` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(res.headers['content-disposition']).toBe('attachment; filename="model.zip"');
    expect(zipEntries(res.rawPayload)).toEqual(['weights.bin', 'conf/params.json'].sort());
    const all = await app.inject({ method: 'GET', url: `/api/v1/runs/${runId}/artifacts/archive` });
    expect(zipEntries(all.rawPayload)).toEqual(['model/conf/params.json', 'model/weights.bin', 'notes.txt']);
    expect((await call(app, 'GET', `/api/v1/runs/${runId}/artifacts/archive?path=nothing-here`)).body.error_code).toBe('NOT_FOUND');
    expect((await call(app, 'GET', `/api/v1/runs/${runId}/artifacts/archive?path=..%2Fx`)).body.error_code).toBe('INVALID_ARGUMENT');
  });
});
