import type { Platform } from '@cairn/core';
import { JsonText } from '../json-text.js';
import { metricSeriesJson } from '../metric-value-codec.js';
import type { CairnRouter } from '../router.js';
import { emptySchema, responses, tagKeyQuery } from '../schemas/common.js';
import { logBatchBody, logInputsBody, metricHistoryBody, metricHistoryQuery, runIdParams } from '../schemas/run-schemas.js';

const tags = ['runs'];

/** `/api/v1/runs/:runId/…`: log metrics, params, tags and inputs; heartbeats; metric history. */
export function runLoggingRoutes(platform: Platform): CairnRouter {
  const runs = platform.runs;
  return (app) => {
    app.post('/runs/:runId/batch', {
      config: { policy: 'editor' },
      schema: {
        tags,
        summary: 'Log metrics, params and tags atomically',
        description: 'All of the batch is stored or none of it. Metric values are numbers or "NaN", "Infinity", "-Infinity".',
        params: runIdParams,
        body: logBatchBody,
        response: responses({ 200: emptySchema }),
      },
    }, async (request) => {
      const { metrics, params, tags: runTags } = request.body;
      await runs.logBatch(request.params.runId, {
        metrics: metrics?.map((m) => ({ key: m.key, value: m.value, timestamp: m.timestamp, step: m.step ?? 0 })),
        params,
        tags: runTags,
      });
      return {};
    });

    app.delete('/runs/:runId/tags', {
      config: { policy: 'editor' },
      schema: { tags, summary: 'Delete a run tag', params: runIdParams, querystring: tagKeyQuery, response: responses({ 200: emptySchema }) },
    }, async (request) => {
      await runs.deleteTag(request.params.runId, request.query.key);
      return {};
    });

    app.post('/runs/:runId/heartbeat', {
      config: { policy: 'editor' },
      schema: { tags, summary: 'Record that the process logging a RUNNING run is alive', params: runIdParams, response: responses({ 200: emptySchema }) },
    }, async (request) => {
      await runs.heartbeat(request.params.runId);
      return {};
    });

    app.get('/runs/:runId/metrics/history', {
      config: { policy: 'reader' },
      schema: { tags, summary: "A metric's history ordered by step and timestamp", params: runIdParams, querystring: metricHistoryQuery, response: responses({ 200: metricHistoryBody }) },
    }, async (request, reply) => {
      const { key, ...pageOptions } = request.query;
      const { series, nextPageToken } = await runs.getMetricSeries(request.params.runId, key, pageOptions);
      // { metrics, nextPageToken } written directly: a page can hold a million points.
      return new JsonText(metricSeriesJson(series, '{"metrics":', `,"nextPageToken":${JSON.stringify(nextPageToken)}}`)).send(reply);
    });

    app.post('/runs/:runId/inputs', {
      config: { policy: 'editor' },
      schema: { tags, summary: 'Record datasets the run used', params: runIdParams, body: logInputsBody, response: responses({ 200: emptySchema }) },
    }, async (request) => {
      await runs.logInputs(request.params.runId, request.body.datasets.map((d) => ({ dataset: d.dataset, tags: d.tags ?? {} })));
      return {};
    });
  };
}
