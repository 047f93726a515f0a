import { SEARCH_LIMITS } from '@cairn/core';
import { expect, it } from 'vitest';
import { call, describeEachBackend, seedRun, type ApiResponse } from './helpers.js';

// Every search endpoint, on both APIs, takes filters up to SEARCH_LIMITS and refuses larger ones with
// a 400 that names the limit, before anything is parsed recursively or sent to the database.

type Target = 'runs' | 'experiments' | 'models' | 'versions';
interface Endpoint {
  name: string;
  target: Target;
  mlflow: boolean;
  send(filter: string | undefined, orderBy?: string[]): Promise<ApiResponse>;
}

const { maxTerms, maxNesting, maxListValues, maxOrderBy } = SEARCH_LIMITS;

/** The i-th comparison of a target's filter. */
function term(target: Target, i: number): string {
  return target === 'runs' ? `params.p${i} = 'x'` : `tags.t${i} = 'x'`;
}

/** `n` comparisons joined by OR. */
const wide = (target: Target, n: number, from = 0) => Array.from({ length: n }, (_, i) => term(target, from + i)).join(' OR ');

/** Parentheses nested `depth` deep, alternating AND and OR so that nothing flattens (depth + 1 comparisons). */
function deep(target: Target, depth: number): string {
  let filter = term(target, 0);
  for (let k = 1; k <= depth; k++) filter = `${term(target, k)} ${k % 2 ? 'AND' : 'OR'} (${filter})`;
  return filter;
}

const list = (target: Target, n: number) => `${target === 'runs' ? 'params.a' : 'tags.a'} IN (${Array.from({ length: n }, (_, i) => `'v${i}'`).join(',')})`;

/** Sort keys a target accepts, `n` of them (runs: one join per key, the expensive kind). */
function orderKeys(target: Target, n: number): string[] {
  const cycle: Record<Target, string[]> = {
    runs: [],
    experiments: ['name', 'creation_time DESC', 'last_update_time'],
    models: ['name', 'creation_timestamp DESC', 'last_updated_timestamp'],
    versions: ['name', 'version_number DESC', 'creation_timestamp'],
  };
  return Array.from({ length: n }, (_, i) => (target === 'runs' ? `params.p${i} DESC` : cycle[target][i % 3]!));
}

describeEachBackend('search limits', (ctx) => {
  const api = (method: string, url: string, body?: unknown) => call(ctx().app, method, url, body);
  const query = (filter: string | undefined, orderBy: string[] | undefined, orderName: string) =>
    new URLSearchParams([...(filter === undefined ? [] : [['filter', filter] as [string, string]]), ...(orderBy ?? []).map((o): [string, string] => [orderName, o])]).toString();
  let experimentId = '';
  const endpoints: Endpoint[] = [
    { name: 'v1 runs', target: 'runs', mlflow: false, send: (filter, orderBy) => api('POST', '/api/v1/runs/search', { experimentIds: [experimentId], filter, orderBy }) },
    { name: 'v1 experiments', target: 'experiments', mlflow: false, send: (filter, orderBy) => api('GET', `/api/v1/experiments?${query(filter, orderBy, 'orderBy')}`) },
    { name: 'v1 models', target: 'models', mlflow: false, send: (filter, orderBy) => api('GET', `/api/v1/models?${query(filter, orderBy, 'orderBy')}`) },
    { name: 'v1 model versions', target: 'versions', mlflow: false, send: (filter, orderBy) => api('GET', `/api/v1/model-versions?${query(filter, orderBy, 'orderBy')}`) },
    { name: 'MLflow runs/search', target: 'runs', mlflow: true, send: (filter, orderBy) => api('POST', '/api/2.0/mlflow/runs/search', { experiment_ids: [experimentId], filter, order_by: orderBy }) },
    { name: 'MLflow experiments/search', target: 'experiments', mlflow: true, send: (filter, orderBy) => api('POST', '/api/2.0/mlflow/experiments/search', { filter, order_by: orderBy }) },
    { name: 'MLflow registered-models/search', target: 'models', mlflow: true, send: (filter, orderBy) => api('GET', `/api/2.0/mlflow/registered-models/search?${query(filter, orderBy, 'order_by')}`) },
    { name: 'MLflow model-versions/search', target: 'versions', mlflow: true, send: (filter, orderBy) => api('GET', `/api/2.0/mlflow/model-versions/search?${query(filter, orderBy, 'order_by')}`) },
  ];

  const expectRefused = (res: ApiResponse, e: Endpoint, limit: number, what: string) => {
    expect(res.status, `${e.name} ${what}: ${res.raw.slice(0, 300)}`).toBe(400);
    expect(res.body.error_code).toBe(e.mlflow ? 'INVALID_PARAMETER_VALUE' : 'INVALID_ARGUMENT');
    expect(res.body.message, `${e.name} ${what}`).toContain(String(limit));
    expect(res.body.message).toContain('limit');
  };

  it('answers filters at every limit, all at once, on both databases', async () => {
    ({ experimentId } = await seedRun(ctx().app));
    for (const e of endpoints) {
      // The widest filter allowed: every comparison, the deepest nesting and every list value.
      const nested = deep(e.target, maxNesting);
      const filter = `${list(e.target, maxListValues)} OR ${wide(e.target, maxTerms - maxNesting - 2, 1000)} OR ${nested}`;
      const res = await e.send(filter, orderKeys(e.target, maxOrderBy));
      expect(res.status, `${e.name}: ${res.raw.slice(0, 300)}`).toBe(200);
    }
  });

  it('refuses one comparison, one level, one value or one order_by clause more with a 400 naming the limit', async () => {
    for (const e of endpoints) {
      expectRefused(await e.send(wide(e.target, maxTerms + 1)), e, maxTerms, 'terms');
      expectRefused(await e.send(deep(e.target, maxNesting + 1)), e, maxNesting, 'nesting');
      expectRefused(await e.send(list(e.target, maxListValues + 1)), e, maxListValues, 'list values');
      expectRefused(await e.send(undefined, orderKeys(e.target, maxOrderBy + 1)), e, maxOrderBy, 'order_by');
    }
  });

  it('refuses pathological filters (10,000 nested parentheses, 20,000 ORs) without overflowing anything', async () => {
    for (const e of endpoints) {
      const parens = `${'('.repeat(10_000)}${term(e.target, 0)}${')'.repeat(10_000)}`;
      expectRefused(await e.send(parens), e, maxNesting, 'parentheses');
      const ors = e.mlflow && e.target !== 'runs' && e.target !== 'experiments' ? wide(e.target, 2_000) : wide(e.target, 20_000);
      expectRefused(await e.send(ors), e, maxTerms, 'ORs');
    }
  });
});
