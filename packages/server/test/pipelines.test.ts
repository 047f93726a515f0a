import { expect, it } from 'vitest';
import { pipeline, step, param, table, type Table } from '@cairn/core';
import { call, describeEachBackend } from './helpers.js';

const load = step({ name: 'load' }, async ({ n }: { n: number }) => {
  console.log(`loading ${n}`);
  return { rows: table(Array.from({ length: n }, (_, i) => ({ i }))) };
});
const count = step({ name: 'count' }, async ({ rows }: { rows: Table }) => ({ n: rows.rows.length }));
const p = pipeline({ name: 'http-demo', params: { n: param.int(3) } }, (ps) => {
  count({ rows: load({ n: ps.n }).rows });
});

describeEachBackend('pipelines API', (ctx) => {
  it('serves runs, steps, logs, cache explanations and lineage', async () => {
    const { app, platform } = ctx();
    const { run } = await platform.pipelines.run(p);
    const again = await platform.pipelines.run(p);
    const list = await call(app, 'GET', '/api/v1/pipelines/runs?pipeline=http-demo&maxResults=1');
    expect(list.status).toBe(200);
    expect(list.body.runs.map((r: { runId: string }) => r.runId)).toEqual([again.run.runId]);
    const detail = await call(app, 'GET', `/api/v1/pipelines/runs/${run.runId}`);
    expect(detail.body.steps.map((s: { stepId: string; status: string }) => `${s.stepId}:${s.status}`)).toEqual(['load:COMPLETED', 'count:COMPLETED']);
    // Every attempt, with its own outcome, and the process that ran the run.
    expect(detail.body.attempts.map((a: { stepId: string; attempt: number; status: string }) => `${a.stepId}#${a.attempt}:${a.status}`)).toEqual(['load#1:COMPLETED', 'count#1:COMPLETED']);
    expect(detail.body.run.runner).toMatch(/^\S+:\d+$/);
    const logs = await call(app, 'GET', `/api/v1/pipelines/runs/${run.runId}/logs?step=load`);
    expect(logs.body.lines.map((l: { text: string }) => l.text)).toEqual(['loading 3']);
    const explain = await call(app, 'GET', `/api/v1/pipelines/runs/${again.run.runId}/steps/count/explain`);
    expect(explain.body).toMatchObject({ status: 'hit', stepId: 'count' });
    const lineage = await call(app, 'GET', `/api/v1/pipelines/runs/${run.runId}/lineage`);
    expect(lineage.body.steps[1].inputs[0]).toMatchObject({ name: 'rows', artifact: { kind: 'table' } });
    expect((await call(app, 'GET', '/api/v1/pipelines')).body.pipelines[0]).toMatchObject({ name: 'http-demo', stepCount: 2 });
  });

  it('maps errors: unknown runs and steps are 404, cancelling a finished run is 400', async () => {
    const { app, platform } = ctx();
    const { run } = await platform.pipelines.run(p);
    expect((await call(app, 'GET', '/api/v1/pipelines/runs/ffffffffffffffffffffffffffffffff')).status).toBe(404);
    const step = await call(app, 'GET', `/api/v1/pipelines/runs/${run.runId}/steps/nope/explain`);
    expect(step).toMatchObject({ status: 404, body: { error_code: 'NOT_FOUND' } });
    const cancel = await call(app, 'POST', `/api/v1/pipelines/runs/${run.runId}/cancel`);
    expect(cancel).toMatchObject({ status: 400, body: { error_code: 'FAILED_PRECONDITION', message: `Pipeline run '${run.runId}' is already COMPLETED.` } });
    expect((await call(app, 'GET', '/api/v1/pipelines/runs?status=DONE')).status).toBe(400);
  });

  it('lists, pauses and deletes schedules', async () => {
    const { app, platform } = ctx();
    await platform.pipelines.schedules.add({ name: 'nightly', pipelineName: 'http-demo', source: { file: 'x.ts', exportName: null }, cron: '0 3 * * *' });
    expect((await call(app, 'POST', '/api/v1/pipelines/schedules/nightly/pause')).body.schedule).toMatchObject({ enabled: false, nextTickTime: null });
    expect((await call(app, 'GET', '/api/v1/pipelines/schedules')).body.schedules.map((s: { name: string }) => s.name)).toEqual(['nightly']);
    expect((await call(app, 'DELETE', '/api/v1/pipelines/schedules/nightly')).status).toBe(200);
    expect((await call(app, 'GET', '/api/v1/pipelines/schedules/nightly')).status).toBe(404);
  });
});

describeEachBackend('pipelines API with the server scheduler', (ctx) => {
  it('fires cron schedules from the server process', async () => {
    const { app, platform } = ctx();
    const file = new URL('../../core/src/pipelines/fixtures/basic-pipelines.ts', import.meta.url).pathname;
    await platform.pipelines.schedules.add({ name: 'every-second', pipelineName: 'basic', source: { file, exportName: 'basic' }, cron: '* * * * * *', params: { n: 2 } });
    const deadline = Date.now() + 15_000;
    let runs: Array<{ runId: string }> = [];
    while (!runs.length && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      runs = (await call(app, 'GET', '/api/v1/pipelines/runs?pipeline=basic')).body.runs;
    }
    await platform.pipelines.schedules.setEnabled('every-second', false);
    expect(runs.length).toBeGreaterThan(0);
    const ticks = (await call(app, 'GET', '/api/v1/pipelines/schedules/every-second')).body.ticks;
    expect(ticks.some((t: { runId: string | null }) => t.runId === runs.at(-1)!.runId)).toBe(true);
    await platform.pipelines.queries.waitForEnd(runs.at(-1)!.runId, 20_000);
  });
}, { config: { pipelines: { server_scheduler: true } } });
