import { CairnError, isCairnError, type Platform, type RunStatus, type Tags } from '@cairn/core';
import type { CairnApp } from '../router.js';
import { PARENT_RUN_TAG, RUN_NAME_TAG, USER_TAG, pageJson, runInfoJson, runJson, runTags } from './convert.js';
import { MLFLOW_LIMITS, checkMaxResults } from './limits.js';
import { addMlflowRoute } from './mlflow-route.js';
import { parseTagMap } from './parse-entities.js';
import { VIEW_TYPES } from './routes-experiments.js';

/** MLflow's RunStatus enum: the name or its proto number. */
export const RUN_STATUSES: Record<number, RunStatus> = { 1: 'RUNNING', 2: 'SCHEDULED', 3: 'FINISHED', 4: 'FAILED', 5: 'KILLED' };

/** The run name from `run_name` and the `mlflow.runName` tag, which must agree when both are given. */
function runNameOf(runName: string | undefined, tags: Tags): string | undefined {
  const fromTag = tags[RUN_NAME_TAG] || undefined;
  if (runName !== undefined && fromTag !== undefined && runName !== fromTag) {
    throw new CairnError(
      'INVALID_ARGUMENT',
      `'run_name' is '${runName}' but the '${RUN_NAME_TAG}' tag is '${fromTag}'. Give the name once, or give both the same value.`,
      { details: { field: 'run_name' } },
    );
  }
  return runName ?? fromTag;
}

const LOGGED_MODELS_TAG = 'mlflow.log-model.history';
const MODEL_FIELDS = ['artifact_path', 'flavors', 'utc_time_created', 'run_id'];

/** `model_json` of runs/log-model: the MLmodel as JSON, with MLflow's mandatory fields. */
function parseModelJson(text: string): Record<string, unknown> {
  let model: unknown;
  try {
    model = JSON.parse(text);
  } catch {
    throw new CairnError('INVALID_ARGUMENT', `Malformed model info. \n ${text.slice(0, 1000)} \n is not a valid JSON.`, { details: { field: 'model_json' } });
  }
  if (typeof model !== 'object' || model === null || Array.isArray(model)) {
    throw new CairnError('INVALID_ARGUMENT', "Malformed model info: 'model_json' must be a JSON object.", { details: { field: 'model_json' } });
  }
  const missingFields = MODEL_FIELDS.filter((k) => !Object.hasOwn(model as object, k));
  if (missingFields.length) {
    throw new CairnError('INVALID_ARGUMENT', `Model json is missing mandatory fields: {${missingFields.map((k) => `'${k}'`).join(', ')}}`, { details: { field: 'model_json' } });
  }
  return model as Record<string, unknown>;
}

async function existingRun(platform: Platform, runId: string): Promise<string | null> {
  try {
    return (await platform.runs.getInfo(runId)).runId;
  } catch (e) {
    if (isCairnError(e, 'NOT_FOUND') || isCairnError(e, 'INVALID_ARGUMENT')) return null;
    throw e;
  }
}

/** runs/*: create, get, update, delete, restore, search. Paths are relative to `/mlflow`. */
export function runRoutes(app: CairnApp, platform: Platform): void {
  const runs = platform.runs;

  addMlflowRoute(app, 'POST', '/runs/create', 'editor', async (f) => {
    const experimentId = f.requiredString('experiment_id');
    const tags = parseTagMap(f.messages('tags'));
    const runName = runNameOf(f.string('run_name'), tags);
    if (runName !== undefined) tags[RUN_NAME_TAG] = runName;
    // MLflow stores `mlflow.parentRunId` as a tag without checking it (the parent may live on another
    // server): a run on this server makes this one its child; any other id is kept as the tag only.
    const parentRunId = tags[PARENT_RUN_TAG] ? await existingRun(platform, tags[PARENT_RUN_TAG]) : null;
    const run = await runs.create({
      experimentId,
      runName,
      userId: f.string('user_id') ?? (tags[USER_TAG] || undefined),
      startTime: f.int64('start_time'),
      tags,
      parentRunId,
    });
    // MLflow stores the run name as a tag too, so `tags.mlflow.runName` filters find generated names.
    if (runName === undefined) await runs.setTag(run.info.runId, RUN_NAME_TAG, run.info.runName);
    return { run: runJson(run) };
  });

  // mlflow.<flavor>.log_model records each logged model in the run's `mlflow.log-model.history` tag.
  addMlflowRoute(app, 'POST', '/runs/log-model', 'editor', async (f) => {
    const runId = f.runId();
    const model = parseModelJson(f.requiredString('model_json'));
    const info = await runs.get(runId);
    const previous = runTags(info)[LOGGED_MODELS_TAG];
    let history: unknown[] = [];
    if (previous) {
      try {
        const parsed = JSON.parse(previous) as unknown;
        if (Array.isArray(parsed)) history = parsed;
      } catch {
        // A hand-set tag that is not a JSON list is replaced, as nothing else could read it either.
      }
    }
    await runs.setTag(runId, LOGGED_MODELS_TAG, JSON.stringify([...history, model]));
    return {};
  });

  addMlflowRoute(app, 'GET', '/runs/get', 'reader', async (f) => ({ run: runJson(await runs.get(f.runId())) }));

  addMlflowRoute(app, 'POST', '/runs/update', 'editor', async (f) => {
    const runId = f.runId();
    const runName = f.string('run_name');
    const info = await runs.update(runId, { status: f.enumValue('status', RUN_STATUSES), endTime: f.int64('end_time'), runName });
    if (runName !== undefined) await runs.setTag(runId, RUN_NAME_TAG, runName);
    return { run_info: runInfoJson(info) };
  });

  addMlflowRoute(app, 'POST', '/runs/delete', 'editor', async (f) => {
    await runs.delete(f.runId());
    return {};
  });

  addMlflowRoute(app, 'POST', '/runs/restore', 'editor', async (f) => {
    await runs.restore(f.runId());
    return {};
  });

  addMlflowRoute(app, 'POST', '/runs/search', 'reader', async (f) => {
    const experimentIds = f.stringList('experiment_ids');
    const maxResults = checkMaxResults(f.int64('max_results'), MLFLOW_LIMITS.searchRunsDefault, MLFLOW_LIMITS.searchRunsMax);
    // MLflow answers a search over no experiments with no runs rather than an error.
    if (experimentIds.length === 0) return {};
    const page = await runs.search({
      experimentIds,
      filter: f.string('filter'),
      orderBy: f.stringList('order_by'),
      maxResults,
      pageToken: f.string('page_token'),
      viewType: f.enumValue('run_view_type', VIEW_TYPES) ?? 'ACTIVE_ONLY',
    });
    return pageJson('runs', page.items.map(runJson), page.nextPageToken);
  });
}
