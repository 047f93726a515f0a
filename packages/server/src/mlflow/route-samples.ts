import { MLFLOW_REGISTRY_SAMPLES } from '../mlflow-registry/route-samples.js';
import { MLFLOW_API_BASES } from './index.js';

/** A well-formed request for one route, for tests that walk the route table. */
export interface MlflowSampleRequest {
  method: string;
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface MlflowSampleIds {
  experimentId: string;
  runId: string;
}

type Sample = (ids: MlflowSampleIds) => { query?: Record<string, string>; body?: unknown; path?: string; headers?: Record<string, string> };

const file = (ids: MlflowSampleIds) => `${ids.experimentId}/${ids.runId}/artifacts/sample.txt`;

// One sample per MLflow route, keyed `METHOD <path below the API base>`. A route added without a
// sample makes the route-walking tests fail, so no route escapes the policy and garbage checks.
const SAMPLES: Record<string, Sample> = {
  'POST /mlflow/experiments/create': () => ({ body: { name: `sample-${Date.now()}-${Math.random()}` } }),
  'GET /mlflow/experiments/get': (ids) => ({ query: { experiment_id: ids.experimentId } }),
  'GET /mlflow/experiments/get-by-name': () => ({ query: { experiment_name: 'Default' } }),
  'POST /mlflow/experiments/search': () => ({ body: { max_results: 5 } }),
  'GET /mlflow/experiments/search': () => ({ query: { max_results: '5' } }),
  'POST /mlflow/experiments/update': (ids) => ({ body: { experiment_id: ids.experimentId, new_name: `renamed-${Date.now()}-${Math.random()}` } }),
  'POST /mlflow/experiments/delete': (ids) => ({ body: { experiment_id: ids.experimentId } }),
  'POST /mlflow/experiments/restore': (ids) => ({ body: { experiment_id: ids.experimentId } }),
  'POST /mlflow/experiments/set-experiment-tag': (ids) => ({ body: { experiment_id: ids.experimentId, key: 'k', value: 'v' } }),
  'POST /mlflow/experiments/delete-experiment-tag': (ids) => ({ body: { experiment_id: ids.experimentId, key: 'k' } }),
  'POST /mlflow/runs/create': (ids) => ({ body: { experiment_id: ids.experimentId, start_time: 1 } }),
  'GET /mlflow/runs/get': (ids) => ({ query: { run_id: ids.runId } }),
  'POST /mlflow/runs/update': (ids) => ({ body: { run_id: ids.runId, status: 'FINISHED' } }),
  'POST /mlflow/runs/delete': (ids) => ({ body: { run_id: ids.runId } }),
  'POST /mlflow/runs/restore': (ids) => ({ body: { run_id: ids.runId } }),
  'POST /mlflow/runs/search': (ids) => ({ body: { experiment_ids: [ids.experimentId] } }),
  'POST /mlflow/runs/log-metric': (ids) => ({ body: { run_id: ids.runId, key: 'm', value: 1, timestamp: 1 } }),
  'POST /mlflow/runs/log-parameter': (ids) => ({ body: { run_id: ids.runId, key: 'p', value: 'v' } }),
  'POST /mlflow/runs/log-batch': (ids) => ({ body: { run_id: ids.runId, tags: [{ key: 't', value: 'v' }] } }),
  'POST /mlflow/runs/log-inputs': (ids) => ({ body: { run_id: ids.runId, datasets: [] } }),
  'POST /mlflow/runs/log-model': (ids) => ({
    body: { run_id: ids.runId, model_json: JSON.stringify({ artifact_path: 'model', flavors: {}, utc_time_created: '2024-01-01 00:00:00.000000', run_id: ids.runId }) },
  }),
  'POST /mlflow/runs/set-tag': (ids) => ({ body: { run_id: ids.runId, key: 't', value: 'v' } }),
  'POST /mlflow/runs/delete-tag': (ids) => ({ body: { run_id: ids.runId, key: 't' } }),
  'GET /mlflow/metrics/get-history': (ids) => ({ query: { run_id: ids.runId, metric_key: 'm' } }),
  'GET /mlflow/metrics/get-history-bulk': (ids) => ({ query: { run_id: ids.runId, metric_key: 'm' } }),
  'GET /mlflow/metrics/get-history-bulk-interval': (ids) => ({ query: { run_ids: ids.runId, metric_key: 'm' } }),
  'POST /mlflow/experiments/search-datasets': (ids) => ({ body: { experiment_ids: [ids.experimentId] } }),
  'GET /mlflow/artifacts/list': (ids) => ({ query: { run_id: ids.runId } }),
  'GET /mlflow-artifacts/artifacts': (ids) => ({ query: { path: `${ids.experimentId}/${ids.runId}/artifacts` } }),
  'GET /mlflow-artifacts/artifacts/*': (ids) => ({ path: file(ids) }),
  'PUT /mlflow-artifacts/artifacts/*': (ids) => ({ path: file(ids), body: 'bytes', headers: { 'content-type': 'application/octet-stream' } }),
  'DELETE /mlflow-artifacts/artifacts/*': (ids) => ({ path: file(ids) }),
  // The model registry's routes (packages/server/src/mlflow-registry).
  ...MLFLOW_REGISTRY_SAMPLES,
};

/** The path of an MLflow route below its API base (`/api/2.0/mlflow/runs/get` → `/mlflow/runs/get`), or null. */
export function mlflowRelativePath(url: string): string | null {
  for (const base of MLFLOW_API_BASES) {
    if (url.startsWith(`${base}/mlflow/`) || url.startsWith(`${base}/mlflow-artifacts/`)) return url.slice(base.length);
  }
  return null;
}

/** The paths (below the API base) of every MLflow route, as `METHOD path`. */
export const MLFLOW_ROUTE_KEYS = Object.keys(SAMPLES);

/**
 * A well-formed request for an MLflow route of the route table (HEAD routes sample their GET).
 * Throws for a route without a sample.
 */
export function mlflowSampleRequest(route: { method: string; url: string }, ids: MlflowSampleIds): MlflowSampleRequest {
  const relative = mlflowRelativePath(route.url);
  const key = `${route.method === 'HEAD' ? 'GET' : route.method} ${relative}`;
  const sample = relative === null ? undefined : SAMPLES[key];
  if (!sample) throw new Error(`No sample request for ${route.method} ${route.url}: add one to src/mlflow/route-samples.ts.`);
  const { query, body, path, headers } = sample(ids);
  const url = path === undefined ? route.url : route.url.replace(/\*$/, path);
  const search = query ? `?${new URLSearchParams(query).toString()}` : '';
  return { method: route.method, url: `${url}${search}`, body: route.method === 'HEAD' ? undefined : body, headers };
}
