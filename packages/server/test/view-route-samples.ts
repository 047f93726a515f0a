// Well-formed requests for the /api/v1 reads the web UI's model, feature, pipeline and lineage pages
// use (spread into route-samples.ts).
export const VIEW_SAMPLES: Record<string, { query?: string; body?: unknown; headers?: Record<string, string> }> = {
  'GET /api/v1/lineage': { query: 'kind=alias&key=nobody%40champion&depth=2' },
  'GET /api/v1/features/freshness': {},
  'GET /api/v1/features/views/:name': {},
  'GET /api/v1/features/services/:name': {},
  'GET /api/v1/features/objects/:name/versions': { query: 'kind=source' },
  'GET /api/v1/features/materializations': { query: 'maxResults=5' },
  'GET /api/v1/features/training-sets/:datasetId': {},
  'GET /api/v1/models/:name/versions/:version/artifacts/preview': { query: 'path=model.json' },
  'GET /api/v1/pipelines/runs/:runId/steps/:step/logs': { query: 'maxLines=10' },
  'POST /api/v1/pipelines/runs/:runId/resume': {},
};
