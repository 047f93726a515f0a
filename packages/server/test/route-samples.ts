import type { RouteEntry } from '../src/auth/policy.js';
import { mlflowRelativePath, mlflowSampleRequest } from '../src/mlflow/route-samples.js';
import { REGISTRY_SAMPLES } from './registry-route-samples.js';
import { PIPELINE_SAMPLES } from './pipeline-route-samples.js';
import { VIEW_SAMPLES } from './view-route-samples.js';

export interface Ids {
  experimentId: string;
  runId: string;
  tokenId: string;
  name: string;
}

export interface SampleRequest {
  method: string;
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
}

// A minimal well-formed request for every route of the table. A route added without a sample here
// makes the route-walking tests fail, so new routes cannot skip the auth and bad-input checks.
const SAMPLES: Record<string, { query?: string; body?: unknown; headers?: Record<string, string> }> = {
  'GET /health': {},
  'GET /metrics': {},
  'GET /api/v1/openapi.json': {},
  'POST /api/v1/experiments': { body: { name: 'sample' } },
  'GET /api/v1/experiments': { query: 'maxResults=5' },
  'GET /api/v1/experiments/:experimentId': {},
  'GET /api/v1/experiments-by-name/:name': {},
  'PATCH /api/v1/experiments/:experimentId': { body: { name: 'sample-renamed' } },
  'DELETE /api/v1/experiments/:experimentId': {},
  'POST /api/v1/experiments/:experimentId/restore': {},
  'PUT /api/v1/experiments/:experimentId/tags': { body: { key: 'k', value: 'v' } },
  'DELETE /api/v1/experiments/:experimentId/tags': { query: 'key=k' },
  'POST /api/v1/runs': { body: { experimentId: '0' } },
  'GET /api/v1/runs/:runId': {},
  'PATCH /api/v1/runs/:runId': { body: { runName: 'renamed' } },
  'DELETE /api/v1/runs/:runId': {},
  'POST /api/v1/runs/:runId/restore': {},
  'POST /api/v1/runs/search': { body: { experimentIds: ['0'] } },
  'POST /api/v1/runs/:runId/batch': { body: {} },
  'DELETE /api/v1/runs/:runId/tags': { query: 'key=k' },
  'POST /api/v1/runs/:runId/heartbeat': {},
  'GET /api/v1/runs/:runId/metrics/history': { query: 'key=k' },
  'POST /api/v1/runs/:runId/inputs': { body: { datasets: [] } },
  'GET /api/v1/runs/:runId/artifacts': {},
  'GET /api/v1/runs/:runId/artifacts/content': { query: 'path=a.txt' },
  'PUT /api/v1/runs/:runId/artifacts/content': { query: 'path=a.txt', body: 'bytes', headers: { 'content-type': 'application/octet-stream' } },
  'DELETE /api/v1/runs/:runId/artifacts/content': { query: 'path=a.txt' },
  'GET /api/v1/runs/:runId/artifacts/preview': { query: 'path=a.txt' },
  'GET /api/v1/runs/:runId/artifacts/archive': {},
  'GET /api/v1/whoami': {},
  'GET /api/v1/experiments/stats': { query: 'experimentId=0' },
  'GET /api/v1/experiments/keys': { query: 'experimentId=0' },
  'GET /api/v1/metrics/sampled': { query: 'runId=x&key=k' },
  'POST /api/v1/tokens': { body: { name: 'sample', role: 'reader' } },
  'GET /api/v1/tokens': {},
  'DELETE /api/v1/tokens/:tokenId': {},
  'POST /api/v1/features/online': { body: { entities: [{ driver_id: 1 }], features: ['driver_stats:conv_rate'] } },
  'POST /api/v1/features/push': { body: { source: 'clicks', rows: [{ driver_id: 1, event_timestamp: 0, clicks: 1 }] } },
  'GET /api/v1/features/objects': {},
  'GET /api/v1/features/objects/:name': {},
  ...REGISTRY_SAMPLES,
  ...PIPELINE_SAMPLES,
  ...VIEW_SAMPLES,
};

/** A well-formed request for a route of the table, with its path parameters filled from `ids`. */
export function sampleRequest(route: RouteEntry, ids: Ids): SampleRequest {
  if (mlflowRelativePath(route.url) !== null) return mlflowSampleRequest(route, ids);
  const key = `${route.method === 'HEAD' ? 'GET' : route.method} ${route.url}`;
  let sample = SAMPLES[key];
  // Routers mounted elsewhere (the MLflow adapter) are walked with a bare request: auth runs first.
  if (!sample && !route.url.startsWith('/api/v1/') && route.url !== '/health') sample = {};
  if (!sample) throw new Error(`No sample request for ${key}: add one to test/route-samples.ts.`);
  const path = route.url.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(ids[name as keyof Ids] ?? 'x')).replace(/\*$/, 'x');
  return {
    method: route.method,
    url: sample.query ? `${path}?${sample.query}` : path,
    body: route.method === 'HEAD' ? undefined : sample.body,
    headers: sample.headers,
  };
}

/** The routes in the agreed table (docs-route-table.md), as `METHOD path` strings. */
export const AGREED_ROUTES = Object.keys(SAMPLES);
