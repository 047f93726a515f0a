import type { Platform } from '@cairn/core';
import { encodeRun } from '../metric-value-codec.js';
import type { CairnRouter } from '../router.js';
import { emptySchema, responses } from '../schemas/common.js';
import { createRunBody, runBody, runIdParams, runInfoBody, runListBody, searchRunsBody, updateRunBody } from '../schemas/run-schemas.js';

const tags = ['runs'];

/** `/api/v1/runs…`: create, get, update, delete/restore and search runs. */
export function runRoutes(platform: Platform): CairnRouter {
  const runs = platform.runs;
  return (app) => {
    app.post('/runs', {
      config: { policy: 'editor' },
      schema: { tags, summary: 'Create a run', body: createRunBody, response: responses({ 201: runBody }) },
    }, async (request, reply) => {
      const b = request.body;
      const run = await runs.create({
        experimentId: b.experimentId,
        runName: b.runName ?? undefined,
        userId: b.userId ?? undefined,
        startTime: b.startTime ?? undefined,
        tags: b.tags,
        params: b.params,
        parentRunId: b.parentRunId ?? null,
        source: b.source,
        heartbeat: b.heartbeat,
      });
      return reply.code(201).send({ run: encodeRun(run) });
    });

    app.get('/runs/:runId', {
      config: { policy: 'reader' },
      schema: { tags, summary: 'Get a run with its params, tags, latest metrics and inputs', params: runIdParams, response: responses({ 200: runBody }) },
    }, async (request) => ({ run: encodeRun(await runs.get(request.params.runId)) }));

    app.patch('/runs/:runId', {
      config: { policy: 'editor' },
      schema: { tags, summary: 'Update status, end time or name', params: runIdParams, body: updateRunBody, response: responses({ 200: runInfoBody }) },
    }, async (request) => ({ runInfo: await runs.update(request.params.runId, request.body) }));

    app.delete('/runs/:runId', {
      config: { policy: 'editor' },
      schema: { tags, summary: 'Delete a run (restorable)', params: runIdParams, response: responses({ 200: emptySchema }) },
    }, async (request) => {
      await runs.delete(request.params.runId);
      return {};
    });

    app.post('/runs/:runId/restore', {
      config: { policy: 'editor' },
      schema: { tags, summary: 'Restore a deleted run', params: runIdParams, response: responses({ 200: emptySchema }) },
    }, async (request) => {
      await runs.restore(request.params.runId);
      return {};
    });

    app.post('/runs/search', {
      config: { policy: 'reader' },
      schema: { tags, summary: 'Search runs in one or more experiments', body: searchRunsBody, response: responses({ 200: runListBody }) },
    }, async (request) => {
      const page = await runs.search(request.body);
      return { runs: page.items.map(encodeRun), nextPageToken: page.nextPageToken ?? null };
    });
  };
}
