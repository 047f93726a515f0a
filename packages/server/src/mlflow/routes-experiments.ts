import { CairnError, type Platform, type ViewType } from '@cairn/core';
import type { CairnApp } from '../router.js';
import { experimentJson, pageJson } from './convert.js';
import { MLFLOW_LIMITS, checkMaxResults } from './limits.js';
import { addMlflowRoute } from './mlflow-route.js';
import { parseTag, parseTagMap } from './parse-entities.js';
import type { RequestFields } from './request-fields.js';

const SEARCH_DATASETS_MAX_EXPERIMENTS = 20;

/** MLflow's ViewType enum: the name or its proto number. */
export const VIEW_TYPES: Record<number, ViewType> = { 1: 'ACTIVE_ONLY', 2: 'DELETED_ONLY', 3: 'ALL' };

/** experiments/*: create, get, get-by-name, search, update, delete, restore, tags. Paths are relative to `/mlflow`. */
export function experimentRoutes(app: CairnApp, platform: Platform): void {
  const experiments = platform.experiments;

  // The datasets runs of these experiments used, for the web UI's dataset filter (MLflow's limits and messages).
  addMlflowRoute(app, 'POST', '/experiments/search-datasets', 'reader', async (f) => {
    const ids = f.stringList('experiment_ids');
    if (!ids.length) throw new CairnError('INVALID_ARGUMENT', 'SearchDatasets request must specify at least one experiment_id.', { details: { field: 'experiment_ids' } });
    if (ids.length > SEARCH_DATASETS_MAX_EXPERIMENTS) {
      throw new CairnError('INVALID_ARGUMENT', `SearchDatasets request cannot specify more than ${SEARCH_DATASETS_MAX_EXPERIMENTS} experiment_ids. Received ${ids.length} experiment_ids.`, {
        details: { field: 'experiment_ids' },
      });
    }
    const summaries = await platform.runs.datasetSummaries(ids);
    return { dataset_summaries: summaries.map((s) => ({ experiment_id: s.experimentId, name: s.name, digest: s.digest, context: s.context })) };
  });

  addMlflowRoute(app, 'POST', '/experiments/create', 'editor', async (f) => {
    const experiment = await experiments.create({
      name: f.requiredString('name'),
      artifactLocation: f.string('artifact_location') ?? null,
      tags: parseTagMap(f.messages('tags')),
    });
    return { experiment_id: experiment.experimentId };
  });

  addMlflowRoute(app, 'GET', '/experiments/get', 'reader', async (f) => ({
    experiment: experimentJson(await experiments.get(f.requiredString('experiment_id'))),
  }));

  addMlflowRoute(app, 'GET', '/experiments/get-by-name', 'reader', async (f) => ({
    experiment: experimentJson(await experiments.getByName(f.requiredString('experiment_name'))),
  }));

  const search = async (f: RequestFields) => {
    const page = await experiments.search({
      filter: f.string('filter'),
      orderBy: f.stringList('order_by'),
      maxResults: checkMaxResults(f.int64('max_results'), MLFLOW_LIMITS.searchExperimentsDefault, MLFLOW_LIMITS.searchExperimentsMax),
      pageToken: f.string('page_token'),
      viewType: f.enumValue('view_type', VIEW_TYPES) ?? 'ACTIVE_ONLY',
      // MLflow's SQL store breaks ties of an order that lacks experiment_id by experiment_id DESC.
      tieBreak: 'mlflow',
    });
    return pageJson('experiments', page.items.map(experimentJson), page.nextPageToken);
  };
  addMlflowRoute(app, 'POST', '/experiments/search', 'reader', search);
  addMlflowRoute(app, 'GET', '/experiments/search', 'reader', search);

  addMlflowRoute(app, 'POST', '/experiments/update', 'editor', async (f) => {
    await experiments.rename(f.requiredString('experiment_id'), f.requiredString('new_name'));
    return {};
  });

  addMlflowRoute(app, 'POST', '/experiments/delete', 'editor', async (f) => {
    await experiments.delete(f.requiredString('experiment_id'));
    return {};
  });

  addMlflowRoute(app, 'POST', '/experiments/restore', 'editor', async (f) => {
    await experiments.restore(f.requiredString('experiment_id'));
    return {};
  });

  addMlflowRoute(app, 'POST', '/experiments/set-experiment-tag', 'editor', async (f) => {
    const experimentId = f.requiredString('experiment_id');
    const { key, value } = parseTag(f);
    await experiments.setTag(experimentId, key, value);
    return {};
  });

  addMlflowRoute(app, 'POST', '/experiments/delete-experiment-tag', 'editor', async (f) => {
    await experiments.deleteTag(f.requiredString('experiment_id'), f.requiredString('key'));
    return {};
  });
}
