// One well-formed request per MLflow registry route, keyed `METHOD <path below the API base>`, for
// the tests that walk every route (auth, garbage). The model does not exist, so nothing changes.
type Sample = (ids: { experimentId: string; runId: string }) => { query?: Record<string, string>; body?: unknown };

const name = 'sample-model';

export const MLFLOW_REGISTRY_SAMPLES: Record<string, Sample> = {
  'POST /mlflow/registered-models/create': () => ({ body: { name: `sample-${Date.now()}-${Math.random().toString(36).slice(2)}` } }),
  'GET /mlflow/registered-models/get': () => ({ query: { name } }),
  'POST /mlflow/registered-models/rename': () => ({ body: { name, new_name: `${name}-2` } }),
  'PATCH /mlflow/registered-models/update': () => ({ body: { name, description: 'd' } }),
  'DELETE /mlflow/registered-models/delete': () => ({ body: { name } }),
  'GET /mlflow/registered-models/search': () => ({ query: { max_results: '5' } }),
  'POST /mlflow/registered-models/get-latest-versions': () => ({ body: { name } }),
  'GET /mlflow/registered-models/get-latest-versions': () => ({ query: { name } }),
  'POST /mlflow/registered-models/set-tag': () => ({ body: { name, key: 'k', value: 'v' } }),
  'DELETE /mlflow/registered-models/delete-tag': () => ({ body: { name, key: 'k' } }),
  'POST /mlflow/registered-models/alias': () => ({ body: { name, alias: 'champion', version: '1' } }),
  'DELETE /mlflow/registered-models/alias': () => ({ body: { name, alias: 'champion' } }),
  'GET /mlflow/registered-models/alias': () => ({ query: { name, alias: 'champion' } }),
  'POST /mlflow/model-versions/create': (ids) => ({ body: { name, source: `runs:/${ids.runId}/model`, run_id: ids.runId } }),
  'GET /mlflow/model-versions/get': () => ({ query: { name, version: '1' } }),
  'PATCH /mlflow/model-versions/update': () => ({ body: { name, version: '1', description: 'd' } }),
  'POST /mlflow/model-versions/transition-stage': () => ({ body: { name, version: '1', stage: 'Staging', archive_existing_versions: false } }),
  'DELETE /mlflow/model-versions/delete': () => ({ body: { name, version: '1' } }),
  'GET /mlflow/model-versions/search': () => ({ query: { filter: `name = '${name}'` } }),
  'GET /mlflow/model-versions/get-download-uri': () => ({ query: { name, version: '1' } }),
  'POST /mlflow/model-versions/set-tag': () => ({ body: { name, version: '1', key: 'k', value: 'v' } }),
  'DELETE /mlflow/model-versions/delete-tag': () => ({ body: { name, version: '1', key: 'k' } }),
};
