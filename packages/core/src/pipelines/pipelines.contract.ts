import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend, TestPlatform } from '../testing/platforms.js';
import type { PipelineEvent } from './entities.js';
import { basic, calls, cancellable, retrying, timesOut, unserializable } from './fixtures/basic-pipelines.js';
import { OBJECTS_PREFIX } from './materializers/artifact-objects.js';
import { pipelineDb } from './sql/pipeline-tables.js';
import { ScheduleStore } from './sql/schedule-store.js';
import { StepRunStore } from './sql/step-run-store.js';

/**
 * The pipeline contract: every metadata backend runs the same pipelines through the local
 * executor and must record the same states, caching decisions, lineage and logs.
 */
export function runPipelineContract(backend: Backend, make: () => Promise<TestPlatform>, available: () => Promise<boolean>): void {
  const ok = available();
  describe(`pipelines contract [${backend}]`, async () => {
    const skip = !(await ok);
    let t: TestPlatform;
    beforeAll(async () => {
      if (!skip) t = await make();
    });
    afterAll(async () => {
      await t?.cleanup();
    });

    it.skipIf(skip)('runs a DAG: states, outputs, lineage, nested tracking runs, logs', async () => {
      const before = { ...calls };
      const { run, steps } = await t.platform.pipelines.run(basic, { overrides: { n: '3' } });
      expect(run.status).toBe('COMPLETED');
      expect(steps.map((s) => [s.stepId, s.status, s.attempt])).toEqual([['load', 'COMPLETED', 1], ['summarize', 'COMPLETED', 1], ['report', 'COMPLETED', 1]]);
      expect(calls.load! - (before.load ?? 0)).toBe(1);
      const lineage = await t.platform.pipelines.queries.lineage(run.runId);
      const rows = lineage[0]!.outputs[0]!;
      expect(rows).toMatchObject({ name: 'rows', artifact: { kind: 'table', materializer: 'table-parquet@1' } });
      expect(lineage[1]!.inputs[0]!.artifact.artifactId).toBe(rows.artifact.artifactId);
      expect(lineage[2]!.outputs.map((o) => [o.name, o.artifact.kind])).toEqual([['file', 'file'], ['text', 'string']]);
      // Each step run is a tracking run nested under the pipeline run's tracking run.
      const summarize = steps[1]!;
      const tracked = await t.platform.runs.get(summarize.trackingRunId!);
      expect(tracked.info.parentRunId).toBe(run.trackingRunId);
      expect(tracked.info.status).toBe('FINISHED');
      expect(tracked.data.metrics.find((m) => m.key === 'rows')?.value).toBe(3);
      expect(tracked.data.tags['cairn.output.mean']).toMatch(/^number sha256:[0-9a-f]{64}$/);
      expect((await t.platform.runs.get(steps[2]!.trackingRunId!)).data.params).toMatchObject({ scale: '1' });
      // Outputs are run artifacts: one small reference file each (URI, digest, materializer), never a copy.
      const refs = await t.platform.runs.listArtifacts(summarize.trackingRunId!, 'cairn-outputs');
      expect(refs.map((f) => f.path)).toEqual(['cairn-outputs/count.json', 'cairn-outputs/firstDay.json', 'cairn-outputs/mean.json']);
      const mean = lineage[1]!.outputs.find((o) => o.name === 'mean')!.artifact;
      expect(JSON.parse(await readText(t, summarize.trackingRunId!, 'cairn-outputs/mean.json'))).toEqual({
        type: 'cairn.pipeline-artifact-ref/1', name: 'mean', kind: 'number', digest: `sha256:${mean.digest}`, uri: `cairn-artifacts:/${mean.uri}`,
        materializer: 'json@1', size: mean.size, files: 1, producedBy: { pipelineRun: run.runId, step: 'summarize', stepRun: summarize.stepRunId },
      });
      expect(await t.platform.artifacts.stat(`${mean.uri}/value.json`)).not.toBeNull();
      // Table, file and folder inputs are the run's dataset inputs, named after the output they came from.
      expect(tracked.inputs).toEqual([{
        dataset: {
          name: 'load.rows', digest: rows.artifact.digest, sourceType: 'cairn-pipeline-artifact',
          source: JSON.stringify({ uri: `cairn-artifacts:/${rows.artifact.uri}`, kind: 'table', materializer: 'table-parquet@1', producedBy: 'load.rows' }),
          schema: null, profile: JSON.stringify({ num_bytes: rows.artifact.size, num_files: 1 }),
        },
        tags: { 'mlflow.data.context': 'rows' },
      }]);
      expect((await t.platform.runs.get(steps[2]!.trackingRunId!)).inputs).toEqual([]);
      const logs = await t.platform.pipelines.queries.logs(run.runId);
      expect(logs.filter((l) => l.stepId === 'load').map((l) => l.text)).toEqual(['loading 3 rows', 'loaded via ctx.log']);
      expect(logs.find((l) => l.stepId === 'summarize')).toMatchObject({ stream: 'stderr', text: 'summarizing on stderr' });
    });

    it.skipIf(skip)('caches by default, honours --no-cache, and explains each decision', async () => {
      const first = await t.platform.pipelines.run(basic, { overrides: { n: '5' } });
      const loads = calls.load;
      const second = await t.platform.pipelines.run(basic, { overrides: { n: '5' } });
      expect(second.steps.map((s) => s.status)).toEqual(['CACHED', 'CACHED', 'CACHED']);
      expect(calls.load).toBe(loads);
      const hit = await t.platform.pipelines.queries.explain(second.run.runId, 'load');
      expect(hit).toMatchObject({ status: 'hit', cachedFrom: first.steps[0]!.stepRunId });
      // A cache hit's tracking run: FINISHED, nested like the others, pointing at the run it reused.
      const cachedRun = await t.platform.runs.get(second.steps[1]!.trackingRunId!);
      expect(cachedRun.info).toMatchObject({ status: 'FINISHED', parentRunId: second.run.trackingRunId, runName: 'summarize' });
      expect(cachedRun.data.tags).toMatchObject({
        'cairn.cache': 'hit', 'cairn.cached_from_step_run': first.steps[1]!.stepRunId, 'cairn.cached_from_run': first.steps[1]!.trackingRunId,
        'cairn.step_run': second.steps[1]!.stepRunId, 'cairn.output.mean': (await t.platform.runs.get(first.steps[1]!.trackingRunId!)).data.tags['cairn.output.mean'],
      });
      expect(cachedRun.info.endTime).not.toBeNull();
      // It writes nothing to the artifact store: the output references, dataset inputs and metrics
      // live on the run it reused.
      expect(await t.platform.runs.listArtifacts(cachedRun.info.runId)).toEqual([]);
      expect(cachedRun.inputs).toEqual([]);
      expect((await t.platform.runs.get(first.steps[1]!.trackingRunId!)).inputs.map((i) => i.dataset.name)).toEqual(['load.rows']);
      // One per step: the pipeline's tracking run has a child for every step, cached or not.
      const children = await t.platform.runs.search({ experimentIds: [second.run.experimentId!], filter: `tags.\`cairn.pipeline_run\` = '${second.run.runId}'` });
      expect(children.items.map((r) => r.info.runName).sort()).toEqual(['basic-' + second.run.runId.slice(0, 8), 'load', 'report', 'summarize'].sort());
      // The cache hit still records lineage: the same artifacts as the run it reused.
      expect((await t.platform.pipelines.queries.lineage(second.run.runId))[0]!.outputs[0]!.artifact.digest).toBe(
        (await t.platform.pipelines.queries.lineage(first.run.runId))[0]!.outputs[0]!.artifact.digest);

      const scaled = await t.platform.pipelines.run(basic, { overrides: { n: '5', scale: '2' } });
      expect(scaled.steps.map((s) => s.status)).toEqual(['CACHED', 'CACHED', 'COMPLETED']);
      const miss = await t.platform.pipelines.queries.explain(scaled.run.runId, 'report');
      expect(miss.status).toBe('miss');
      expect(miss.changes).toEqual(["param 'scale' changed: 1 → 2"]);

      const noCache = await t.platform.pipelines.run(basic, { overrides: { n: '5' }, noCache: true });
      expect(noCache.steps.map((s) => s.status)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED']);
      expect((await t.platform.pipelines.queries.explain(noCache.run.runId, 'load')).decision).toContain('--no-cache');

      // A hit needs the cached artifacts: delete the table and the key no longer reuses it.
      const table = (await t.platform.pipelines.queries.lineage(noCache.run.runId))[0]!.outputs[0]!.artifact;
      expect(table.uri.startsWith(OBJECTS_PREFIX)).toBe(true);
      await t.platform.artifacts.delete(table.uri);
      const again = await t.platform.pipelines.run(basic, { overrides: { n: '5' } });
      expect(again.steps[0]!.status).toBe('COMPLETED');
      expect((await t.platform.pipelines.queries.explain(again.run.runId, 'load')).decision).toMatch(/output 'rows' \([0-9a-f]{12}\) is gone from the artifact store/);
    });

    it.skipIf(skip)('retries with backoff; a final failure skips dependents but not siblings', async () => {
      const events: PipelineEvent[] = [];
      const ok = await t.platform.pipelines.run(retrying, { overrides: { failTimes: '1' }, onEvent: (e) => events.push(e) });
      expect(ok.run.status).toBe('COMPLETED');
      expect(ok.steps.find((s) => s.stepId === 'flaky')).toMatchObject({ status: 'COMPLETED', attempt: 2 });
      expect(events.filter((e) => e.type === 'step' && e.stepId === 'flaky').map((e) => (e as { status: string }).status)).toEqual(['RUNNING', 'RETRYING', 'RUNNING', 'COMPLETED']);
      const logs = await t.platform.pipelines.queries.logs(ok.run.runId, { step: 'flaky' });
      expect(logs.map((l) => l.text)).toContain('[cairn] attempt 1 of 3 failed: flaky failure on attempt 1 (retrying)');

      const bad = await t.platform.pipelines.run(retrying, { overrides: { failTimes: '5' } });
      expect(bad.run.status).toBe('FAILED');
      expect(bad.run.statusReason).toBe("step 'flaky' failed: flaky failure on attempt 3");
      const byId = Object.fromEntries(bad.steps.map((s) => [s.stepId, s]));
      expect(byId.flaky).toMatchObject({ status: 'FAILED', attempt: 3 });
      expect(byId.flaky!.error!.stack).toContain('basic-pipelines.ts');
      expect(byId.after).toMatchObject({ status: 'SKIPPED', error: { message: "skipped: upstream step 'flaky' failed" } });
      expect(byId.sibling!.status).toMatch(/COMPLETED|CACHED/);
    });

    it.skipIf(skip)('names the step and the output of an unserializable value', async () => {
      const { run, steps } = await t.platform.pipelines.run(unserializable);
      expect(run.status).toBe('FAILED');
      expect(steps[0]!.error!.message).toBe(
        "step 'bad' returned an unserializable value for output 'model': model.predict is a function. Return JSON values (plain objects, arrays, strings, finite numbers, booleans, null), table(rows) for tables, or file()/folder()/model() for files.",
      );
      expect(steps[0]!.attempt).toBe(1);
      expect(steps[1]!.status).toBe('SKIPPED');
    });

    it.skipIf(skip)('fails a step that exceeds its timeout', async () => {
      const t0 = Date.now();
      const { run, steps } = await t.platform.pipelines.run(timesOut);
      expect(Date.now() - t0).toBeLessThan(4000);
      expect(run.status).toBe('FAILED');
      expect(steps[0]!.error!.message).toBe("step 'slow' timed out after 300 ms");
    });

    it.skipIf(skip)('cancels: running steps stop, the rest never start, the run ends CANCELLED', async () => {
      const handle = await t.platform.pipelines.start(cancellable);
      await waitFor(async () => (await t.platform.pipelines.queries.getRun(handle.runId)).steps[0]!.status === 'RUNNING');
      // Cancel from "another process": through the database, as `cairn pipelines cancel` does.
      await pipelineDb(t.platform.database.db).updateTable('pipeline_runs').set({ cancel_requested: 1 }).where('run_id', '=', handle.runId).execute();
      const { run, steps } = await handle.done;
      expect(run.status).toBe('CANCELLED');
      expect(steps.map((s) => s.status)).toEqual(['CANCELLED', 'CANCELLED']);
      expect((await t.platform.runs.get(run.trackingRunId!)).info.status).toBe('KILLED');
    });

    it.skipIf(skip)('fences completions: a stale or duplicate delivery never completes a step twice', async () => {
      const handle = await t.platform.pipelines.start(cancellable, { overrides: { ms: '50' } });
      await handle.done;
      const store = new StepRunStore(pipelineDb(t.platform.database.db));
      const step = (await store.list(handle.runId))[0]!;
      const row = await pipelineDb(t.platform.database.db).selectFrom('step_runs').selectAll().where('step_run_id', '=', step.stepRunId).executeTakeFirstOrThrow();
      // The step is COMPLETED: a redelivery of its dispatch cannot claim it again.
      expect(await store.claim(step.stepRunId, row.dispatch_token!, 'late-claim', 'w2', Date.now())).toBeNull();
      expect(await store.complete(step.stepRunId, row.claim_token!, Date.now(), [], [])).toBe(false);
      // A fresh dispatch claimed twice (worker A presumed dead, worker B takes over): only B may finish it.
      await pipelineDb(t.platform.database.db).updateTable('step_runs').set({ status: 'RETRYING' }).where('step_run_id', '=', step.stepRunId).execute();
      expect(await store.markQueued(step.stepRunId, 'd2', { key: null, parts: null, status: 'off', note: null })).toBe(2);
      expect(await store.claim(step.stepRunId, 'd2', 'claim-a', 'worker-a', Date.now())).toMatchObject({ attempt: 2, tookOver: null });
      // B's claim takes over: A's attempt is closed as abandoned and B runs attempt 3.
      expect(await store.claim(step.stepRunId, 'd2', 'claim-b', 'worker-b', Date.now())).toMatchObject({ attempt: 3, tookOver: { attempt: 2, worker: 'worker-a' } });
      expect(await store.complete(step.stepRunId, 'claim-a', Date.now(), [], [])).toBe(false);
      expect(await store.complete(step.stepRunId, 'claim-b', Date.now(), [], [])).toBe(true);
      expect(await store.complete(step.stepRunId, 'claim-b', Date.now(), [], [])).toBe(false);
      expect((await store.get(step.stepRunId))!.worker).toBe('worker-b');
      const attempts = (await t.platform.pipelines.queries.getRun(handle.runId)).attempts.filter((a) => a.stepRunId === step.stepRunId);
      expect(attempts.map((a) => [a.attempt, a.status, a.worker])).toEqual([[1, 'COMPLETED', expect.any(String)], [2, 'FAILED', 'worker-a'], [3, 'COMPLETED', 'worker-b']]);
      expect(attempts[1]!.error).toMatch(/^abandoned: worker-a stopped renewing its lease .*attempt 3 took over$/);
    });

    it.skipIf(skip)('fires each schedule tick once, however many schedulers race for it', async () => {
      const store = new ScheduleStore(pipelineDb(t.platform.database.db));
      const s = await t.platform.pipelines.schedules.add({ name: `nightly-${backend}`, pipelineName: 'basic', source: { file: 'x.ts', exportName: null }, cron: '0 3 * * *' });
      const tick = Date.UTC(2030, 0, 1, 3);
      const claims = await Promise.all(Array.from({ length: 8 }, (_, i) => store.claimTick(s.scheduleId, tick, Date.now(), `claim-${i}`)));
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect((await t.platform.pipelines.schedules.get(s.name)).lastTickTime).toBe(tick);
    });

    it.skipIf(skip)('keeps artifacts content-addressed: equal outputs are stored once', async () => {
      const a = await t.platform.pipelines.run(basic, { overrides: { n: '6' }, noCache: true });
      const b = await t.platform.pipelines.run(basic, { overrides: { n: '6' }, noCache: true });
      const outs = async (runId: string) => (await t.platform.pipelines.queries.lineage(runId)).flatMap((n) => n.outputs.map((o) => o.artifact.artifactId));
      expect(await outs(b.run.runId)).toEqual(await outs(a.run.runId));
      const root = join(t.dir, 'artifacts', OBJECTS_PREFIX);
      const stored = (await readdir(root)).length ? (await Promise.all((await readdir(root)).map((d) => readdir(join(root, d))))).flat() : [];
      const rows = await pipelineDb(t.platform.database.db).selectFrom('pipeline_artifacts').select('digest').execute();
      expect(new Set(stored)).toEqual(new Set(rows.map((r) => r.digest)));
    });
  });
}

async function readText(t: TestPlatform, runId: string, path: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of (await t.platform.runs.openArtifact(runId, path)).stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function waitFor(cond: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
