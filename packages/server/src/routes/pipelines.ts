import etag from '@fastify/etag';
import type { Platform } from '@cairn/core';
import type { CairnRouter } from '../router.js';
import { emptySchema, responses } from '../schemas/common.js';
import {
  explainBody, lineageBody, listRunsQuery, logsBody, logsQuery, pipelineListBody, runBody, runDetailBody, runIdParams, runListBody, runStepParams,
  scheduleBody, scheduleListBody, scheduleNameParams, stepLogPageBody, stepLogsQuery,
} from '../schemas/pipeline-schemas.js';

const tags = ['pipelines'];

/**
 * `/api/v1/pipelines…`: pipeline runs, their steps, logs, cache explanations and lineage; cancel
 * and resume; schedules. Starting and scheduling runs load pipeline code files chosen by the
 * caller, so they stay on the CLI (`cairn pipelines run|schedule add`) next to the code; a resume
 * loads only the file the run recorded, and runs in the server's process. With
 * `pipelines.server_scheduler: true` the server also fires cron schedules. Replies carry an ETag:
 * a page polling a run gets `304 Not Modified` while nothing changed.
 */
export function pipelineRoutes(platform: Platform): CairnRouter {
  const pipelines = platform.pipelines;
  const q = pipelines.queries;
  return async (app) => {
    await app.register(etag, { weak: true });
    // Long polls of step logs stop waiting when the server closes, so shutting down never waits on them.
    const closing = new AbortController();
    app.addHook('preClose', (done) => {
      closing.abort();
      done();
    });

    if (platform.config.pipelines.server_scheduler) {
      const scheduler = pipelines.createScheduler({ onError: (err) => app.log.error({ err }, 'pipeline scheduler') });
      app.addHook('onReady', async () => scheduler.start((t) => app.log.info({ schedule: t.schedule, runId: t.runId, error: t.error }, 'schedule fired')));
      app.addHook('onClose', async () => scheduler.stop());
    }

    app.get('/pipelines', {
      config: { policy: 'reader' },
      schema: { tags, summary: 'Pipelines that have run in this project, with their last run', response: responses({ 200: pipelineListBody }) },
    }, async () => ({ pipelines: await q.listPipelines() }));

    app.get('/pipelines/runs', {
      config: { policy: 'reader' },
      schema: { tags, summary: 'Pipeline runs, newest first', querystring: listRunsQuery, response: responses({ 200: runListBody }) },
    }, async (request) => {
      const { pipeline, status, maxResults, before } = request.query;
      return { runs: await q.listRuns({ pipelineName: pipeline, status, maxResults, before }) };
    });

    app.get('/pipelines/runs/:runId', {
      config: { policy: 'reader' },
      schema: { tags, summary: 'A pipeline run and the state of each step', params: runIdParams, response: responses({ 200: runDetailBody }) },
    }, async (request) => q.getRun(request.params.runId));

    app.get('/pipelines/runs/:runId/logs', {
      config: { policy: 'reader' },
      schema: { tags, summary: "Captured stdout/stderr of a run's steps", description: 'Poll with sinceTime (a few seconds before the last line seen) to follow; lines are identified by (stepRunId, attempt, seq).', params: runIdParams, querystring: logsQuery, response: responses({ 200: logsBody }) },
    }, async (request) => ({ lines: await q.logs(request.params.runId, request.query) }));

    app.get('/pipelines/runs/:runId/steps/:step/logs', {
      config: { policy: 'reader' },
      schema: {
        tags, summary: "One step's log lines after a cursor; with waitMs, waits for new lines while the step runs (a long poll)",
        description: 'Follow a step by asking again with the returned cursor until `done`. Lines of every attempt come in order.',
        params: runStepParams, querystring: stepLogsQuery, response: responses({ 200: stepLogPageBody }),
      },
    }, async (request, reply) => {
      const gone = new AbortController();
      reply.raw.once('close', () => gone.abort());
      const signal = AbortSignal.any([gone.signal, closing.signal]);
      return q.followStepLogs(request.params.runId, request.params.step, { ...request.query, signal });
    });

    app.get('/pipelines/runs/:runId/steps/:step/explain', {
      config: { policy: 'reader' },
      schema: { tags, summary: 'Why a step hit or missed the cache', params: runStepParams, response: responses({ 200: explainBody }) },
    }, async (request) => q.explain(request.params.runId, request.params.step));

    app.get('/pipelines/runs/:runId/lineage', {
      config: { policy: 'reader' },
      schema: { tags, summary: 'Artifacts each step consumed and produced', params: runIdParams, response: responses({ 200: lineageBody }) },
    }, async (request) => ({ steps: await q.lineage(request.params.runId) }));

    app.post('/pipelines/runs/:runId/cancel', {
      config: { policy: 'editor' },
      schema: { tags, summary: 'Cancel a running pipeline run', description: 'Its runner stops the running steps and ends it CANCELLED; a run whose runner is gone is ended at once.', params: runIdParams, response: responses({ 200: runBody }) },
    }, async (request) => ({ run: await pipelines.cancel(request.params.runId) }));

    app.post('/pipelines/runs/:runId/resume', {
      config: { policy: 'editor' },
      schema: {
        tags, summary: 'Resume a FAILED or CANCELLED run in the server\'s process, reusing the outputs of completed steps',
        description: 'Loads the pipeline from the file the run recorded (relative to the server\'s project folder) and answers once the run is RUNNING again; '
          + 'follow it with GET /pipelines/runs/:runId. Refused (400) for a COMPLETED run, a RUNNING one, or a pipeline whose steps changed.',
        params: runIdParams, response: responses({ 200: runBody }),
      },
    }, async (request) => {
      const handle = await pipelines.resume(request.params.runId);
      handle.done.catch((err: unknown) => app.log.error({ err, runId: handle.runId }, 'resumed pipeline run'));
      return { run: await q.getRunInfo(handle.runId) };
    });

    app.get('/pipelines/schedules', {
      config: { policy: 'reader' },
      schema: { tags, summary: 'Cron schedules with their next tick', response: responses({ 200: scheduleListBody }) },
    }, async () => ({ schedules: await pipelines.schedules.list() }));

    app.get('/pipelines/schedules/:name', {
      config: { policy: 'reader' },
      schema: { tags, summary: 'A schedule and its latest fired ticks', params: scheduleNameParams, response: responses({ 200: scheduleBody }) },
    }, async (request) => ({ schedule: await pipelines.schedules.get(request.params.name), ticks: await pipelines.schedules.ticks(request.params.name) }));

    for (const [verb, enabled] of [['pause', false], ['resume', true]] as const) {
      app.post(`/pipelines/schedules/:name/${verb}`, {
        config: { policy: 'editor' },
        schema: { tags, summary: `${enabled ? 'Resume' : 'Pause'} a schedule`, params: scheduleNameParams, response: responses({ 200: scheduleBody }) },
      }, async (request) => ({ schedule: await pipelines.schedules.setEnabled(request.params.name, enabled) }));
    }

    app.delete('/pipelines/schedules/:name', {
      config: { policy: 'editor' },
      schema: { tags, summary: 'Delete a schedule', params: scheduleNameParams, response: responses({ 200: emptySchema }) },
    }, async (request) => {
      await pipelines.schedules.remove(request.params.name);
      return {};
    });
  };
}
