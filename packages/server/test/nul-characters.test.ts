import { afterAll, expect, it } from 'vitest';
import { listRoutes } from '../src/auth/policy.js';
import { AVAILABLE, call, describeEachBackend, seedRun, type ApiResponse } from './helpers.js';
import { sampleRequest } from './route-samples.js';

// PostgreSQL text cannot hold NUL, so a NUL that reached a query was a 500 there and a quiet miss on
// SQLite. Every name, key, value and filter with a NUL now gets the same 4xx on both databases.

const NUL = '\u0000';
// `${backend}` → label of the request → status, compared across backends at the end.
const statuses: Record<string, Map<string, number>> = { sqlite: new Map(), postgres: new Map() };

/** Every variant of `body` with one string leaf carrying a NUL, labelled by the leaf's path. */
function withNul(body: unknown, path = 'body'): Array<[string, unknown]> {
  if (typeof body === 'string') return [[path, `${body}${NUL}x`]];
  if (Array.isArray(body)) return body.flatMap((item, i) => withNul(item, `${path}[${i}]`).map(([p, v]): [string, unknown] => [p, body.map((x, j) => (j === i ? v : x))]));
  if (typeof body === 'object' && body !== null) {
    return Object.entries(body).flatMap(([k, item]) => withNul(item, `${path}.${k}`).map(([p, v]): [string, unknown] => [p, { ...body, [k]: v }]));
  }
  return [];
}

describeEachBackend('NUL characters', (ctx) => {
  const api = (method: string, url: string, body?: unknown, headers?: Record<string, string>) => call(ctx().app, method, url, body, headers);
  const record = (label: string, res: ApiResponse) => {
    expect(res.status, `${label} → ${res.raw.slice(0, 200)}`).toBeLessThan(500);
    if (res.status >= 400 && !label.startsWith('HEAD')) expect(res.body, label).toEqual({ error_code: expect.any(String), message: expect.any(String) });
    statuses[ctx().backend]!.set(label, res.status);
  };

  it('refuses a NUL in a filter or order_by of every search with a 400 that says so', async () => {
    const { experimentId } = await seedRun(ctx().app, 'nul-search');
    const searches: Array<[string, (filter?: string, orderBy?: string) => Promise<ApiResponse>]> = [
      ['v1 runs', (filter, orderBy) => api('POST', '/api/v1/runs/search', { experimentIds: [experimentId], filter, orderBy: orderBy && [orderBy] })],
      ['v1 experiments', (filter, orderBy) => api('GET', `/api/v1/experiments?${new URLSearchParams({ ...(filter && { filter }), ...(orderBy && { orderBy }) })}`)],
      ['v1 models', (filter, orderBy) => api('GET', `/api/v1/models?${new URLSearchParams({ ...(filter && { filter }), ...(orderBy && { orderBy }) })}`)],
      ['MLflow runs', (filter, orderBy) => api('POST', '/api/2.0/mlflow/runs/search', { experiment_ids: [experimentId], filter, order_by: orderBy && [orderBy] })],
      ['MLflow experiments', (filter, orderBy) => api('POST', '/api/2.0/mlflow/experiments/search', { filter, order_by: orderBy && [orderBy] })],
      ['MLflow models', (filter, orderBy) => api('GET', `/api/2.0/mlflow/registered-models/search?${new URLSearchParams({ ...(filter && { filter }), ...(orderBy && { order_by: orderBy }) })}`)],
      ['MLflow versions', (filter, orderBy) => api('GET', `/api/2.0/mlflow/model-versions/search?${new URLSearchParams({ ...(filter && { filter }), ...(orderBy && { order_by: orderBy }) })}`)],
    ];
    for (const [name, search] of searches) {
      for (const filter of [`tags.k = 'x${NUL}y'`, `tags.\`k${NUL}\` = 'x'`, `tags.k IN ('a', 'b${NUL}')`, `name = 'x' ${NUL}`]) {
        const res = await search(filter);
        record(`${name} filter ${JSON.stringify(filter)}`, res);
        expect(res.status, `${name} ${JSON.stringify(filter)}: ${res.raw}`).toBe(400);
        expect(res.body.message).toMatch(/NUL|unexpected character/);
      }
      const res = await search(undefined, `tags.\`a${NUL}\``);
      expect(res.status, `${name} order_by: ${res.raw}`).toBe(400);
    }
  });

  it('answers a NUL in any name, key, value, path or query parameter of any route the same on both databases', async () => {
    const { runId, experimentId } = await seedRun(ctx().app, 'nul-routes');
    await api('POST', '/api/v1/models', { name: 'nul-model' });
    const ids = { runId, experimentId, tokenId: 'x', name: 'nul-model' };
    for (const route of listRoutes(ctx().app)) {
      const req = sampleRequest(route, ids);
      const jsonBody = typeof req.body === 'object' && req.body !== null;
      for (const [leaf, body] of jsonBody ? withNul(req.body) : []) {
        record(`${req.method} ${route.url} ${leaf}`, await api(req.method, req.url, body, req.headers));
      }
      const [path, query] = req.url.split('?') as [string, string | undefined];
      for (const [key] of new URLSearchParams(query ?? '')) {
        const params = new URLSearchParams(query);
        params.set(key, `${params.get(key)}${NUL}`);
        record(`${req.method} ${route.url} ?${key}`, await api(req.method, `${path}?${params}`, req.body, req.headers));
      }
      for (const param of route.url.match(/:\w+/g) ?? []) {
        const url = req.url.replace(encodeURIComponent(ids[param.slice(1) as keyof typeof ids] ?? 'x'), 'a%00b');
        record(`${req.method} ${route.url} ${param}`, await api(req.method, url, req.body, req.headers));
      }
    }
    // Names, keys and values that the route samples leave out.
    const batch = (body: unknown) => api('POST', `/api/v1/runs/${runId}/batch`, body);
    const mlflow = (path: string, body: unknown) => api('POST', `/api/2.0/mlflow/${path}`, body);
    const cases: Array<[string, () => Promise<ApiResponse>]> = [
      ['batch metric key', () => batch({ metrics: [{ key: `m${NUL}`, value: 1, timestamp: 1 }] })],
      ['batch param value', () => batch({ params: [{ key: 'p', value: `v${NUL}` }] })],
      ['inputs dataset name', () => api('POST', `/api/v1/runs/${runId}/inputs`, { datasets: [{ dataset: { name: `d${NUL}`, digest: 'x', sourceType: 'local', source: 's' } }] })],
      ['experiment tag key', () => api('POST', '/api/v1/experiments', { name: 'nul-tags', tags: { [`k${NUL}`]: 'v' } })],
      ['model tag value', () => api('POST', '/api/v1/models', { name: 'nul-tags', tags: { k: `v${NUL}` } })],
      ['MLflow log-batch metric key', () => mlflow('runs/log-batch', { run_id: runId, metrics: [{ key: `m${NUL}`, value: 1, timestamp: 1 }] })],
      ['MLflow log-inputs tag', () => mlflow('runs/log-inputs', { run_id: runId, datasets: [{ dataset: { name: 'd', digest: 'x', source_type: 'local', source: 's' }, tags: [{ key: `k${NUL}`, value: 'v' }] }] })],
      ['MLflow model version tag', () => mlflow('model-versions/create', { name: 'nul-model', source: 'runs:/x/model', tags: [{ key: 'k', value: `v${NUL}` }] })],
      ['MLflow alias', () => mlflow('registered-models/alias', { name: 'nul-model', alias: `a${NUL}`, version: '1' })],
    ];
    for (const [label, send] of cases) {
      const res = await send();
      record(label, res);
      expect(res.status, `${label}: ${res.raw}`).toBeGreaterThanOrEqual(400);
    }
  });
});

afterAll(() => {
  if (!AVAILABLE.postgres) return;
  const differ = [...statuses.sqlite!].filter(([label, status]) => statuses.postgres!.has(label) && statuses.postgres!.get(label) !== status);
  expect(differ.map(([label, s]) => `${label}: sqlite ${s}, postgres ${statuses.postgres!.get(label)}`)).toEqual([]);
});
