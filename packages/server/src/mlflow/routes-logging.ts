import { CairnError, type Platform, type Tag } from '@cairn/core';
import type { CairnApp } from '../router.js';
import { RUN_NAME_TAG, metricPageJson } from './convert.js';
import { MLFLOW_LIMITS, checkBatchCounts } from './limits.js';
import { addMlflowRoute } from './mlflow-route.js';
import type { RequestFields } from './request-fields.js';
import { parseDatasetInput, parseMetric, parseParam, parseTag } from './parse-entities.js';

const absent = (v: unknown) => v === undefined || v === null || v === '';

/**
 * MLflow's log-batch schema: every metric has key, value and timestamp, every param and tag a key.
 * Its error names the whole list as it was sent (`Invalid value [{'key': 'mae', 'value': 2.5}] for
 * parameter 'metrics' supplied`), so the check is on the list before any element is read.
 */
function checkBatchFields(f: RequestFields, metrics: RequestFields[], params: RequestFields[], tags: RequestFields[]): void {
  if (metrics.some((m) => absent(m.rawValue('key')) || absent(m.rawValue('value')) || absent(m.rawValue('timestamp')))) {
    throw f.invalid('metrics', 'metrics that each have a key, a value and a timestamp');
  }
  if (params.some((p) => absent(p.rawValue('key')))) throw f.invalid('params', 'params that each have a key');
  if (tags.some((t) => absent(t.rawValue('key')))) throw f.invalid('tags', 'tags that each have a key');
}

/** runs/log-*, runs/set-tag, runs/delete-tag and metrics/get-history. Paths are relative to `/mlflow`. */
export function loggingRoutes(app: CairnApp, platform: Platform): void {
  const runs = platform.runs;

  // Setting `mlflow.runName` renames the run, as on an MLflow server; the tag is kept as well.
  const renameFromTags = async (runId: string, tags: Tag[]) => {
    const name = tags.findLast((t) => t.key === RUN_NAME_TAG);
    if (name) await runs.update(runId, { runName: name.value });
  };

  addMlflowRoute(app, 'POST', '/runs/log-metric', 'editor', async (f) => {
    const runId = f.runId();
    await runs.logMetric(runId, parseMetric(f));
    return {};
  });

  addMlflowRoute(app, 'POST', '/runs/log-parameter', 'editor', async (f) => {
    const runId = f.runId();
    const { key, value } = parseParam(f);
    await runs.logParam(runId, key, value);
    return {};
  });

  addMlflowRoute(app, 'POST', '/runs/set-tag', 'editor', async (f) => {
    const runId = f.runId();
    const tag = parseTag(f);
    await runs.setTag(runId, tag.key, tag.value);
    await renameFromTags(runId, [tag]);
    return {};
  });

  addMlflowRoute(app, 'POST', '/runs/delete-tag', 'editor', async (f) => {
    await runs.deleteTag(f.runId(), f.requiredString('key'));
    return {};
  });

  addMlflowRoute(app, 'POST', '/runs/log-batch', 'editor', async (f) => {
    const runId = f.runId();
    const [metrics, params, tags] = [f.messages('metrics'), f.messages('params'), f.messages('tags')];
    checkBatchFields(f, metrics, params, tags);
    checkBatchCounts(metrics.length, params.length, tags.length);
    const batch = { metrics: metrics.map(parseMetric), params: params.map(parseParam), tags: tags.map(parseTag) };
    await runs.logBatch(runId, batch);
    await renameFromTags(runId, batch.tags);
    return {};
  });

  addMlflowRoute(app, 'POST', '/runs/log-inputs', 'editor', async (f) => {
    const runId = f.runId();
    // MLflow requires the field (an empty list is accepted); a request without it is a client bug.
    if (f.rawValue('datasets') === undefined || f.rawValue('datasets') === null) throw f.missing('datasets');
    const datasets = f.messages('datasets');
    if (datasets.length > MLFLOW_LIMITS.batchDatasets) {
      throw new CairnError('INVALID_ARGUMENT', `A log-inputs request may hold at most ${MLFLOW_LIMITS.batchDatasets} datasets; got ${datasets.length}.`, {
        details: { field: 'datasets' },
      });
    }
    await runs.logInputs(runId, datasets.map(parseDatasetInput));
    return {};
  });

  addMlflowRoute(app, 'GET', '/metrics/get-history', 'reader', async (f) => {
    const { series, nextPageToken } = await runs.getMetricSeries(f.runId(), f.requiredString('metric_key'), {
      maxResults: f.int64('max_results'),
      pageToken: f.string('page_token'),
    });
    return metricPageJson(series, nextPageToken);
  });
}
