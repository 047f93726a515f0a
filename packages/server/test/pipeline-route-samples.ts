// Well-formed requests for the pipeline /api/v1 routes (spread into route-samples.ts). Path
// parameters other than the shared ids (:step, :name of a schedule) are filled with 'x' or the shared name.
export const PIPELINE_SAMPLES: Record<string, { query?: string; body?: unknown; headers?: Record<string, string> }> = {
  'GET /api/v1/pipelines': {},
  'GET /api/v1/pipelines/runs': { query: 'maxResults=5' },
  'GET /api/v1/pipelines/runs/:runId': {},
  'GET /api/v1/pipelines/runs/:runId/logs': { query: 'maxLines=10' },
  'GET /api/v1/pipelines/runs/:runId/steps/:step/explain': {},
  'GET /api/v1/pipelines/runs/:runId/lineage': {},
  'POST /api/v1/pipelines/runs/:runId/cancel': {},
  'GET /api/v1/pipelines/schedules': {},
  'GET /api/v1/pipelines/schedules/:name': {},
  'POST /api/v1/pipelines/schedules/:name/pause': {},
  'POST /api/v1/pipelines/schedules/:name/resume': {},
  'DELETE /api/v1/pipelines/schedules/:name': {},
};
