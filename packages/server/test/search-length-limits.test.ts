import { expect, it } from 'vitest';
import { call, describeEachBackend, seedRun } from './helpers.js';

// Over 1 MiB of filter (a 20,000-term OR, 458 KB, ran for minutes on PostgreSQL; the term limit refuses that one).
const HUGE = Array.from({ length: 50_000 }, (_, i) => `params.p = 'value-${i}'`).join(' OR ');

describeEachBackend('search limits', (ctx) => {
  it('refuses an oversized filter with 400 naming the limit on /api/v1 and the MLflow routes, without running it', async () => {
    const { experimentId } = await seedRun(ctx().app);
    const v1 = await call(ctx().app, 'POST', '/api/v1/runs/search', { experimentIds: [experimentId], filter: HUGE });
    expect([v1.status, v1.body.error_code], v1.raw).toEqual([400, 'INVALID_ARGUMENT']);
    expect(v1.body.message).toBe(`The filter is ${HUGE.length} characters long; the limit is 1048576. Split the search into several smaller ones (e.g. fewer values per IN list).`);
    for (const [url, body] of [['/api/2.0/mlflow/runs/search', { experiment_ids: [experimentId], filter: HUGE }], ['/api/2.0/mlflow/experiments/search', { filter: HUGE }]] as const) {
      const res = await call(ctx().app, 'POST', url, body);
      // MLflow's routes take bodies up to 1 MiB (as MLflow does), so a filter over 1 MiB never gets parsed there.
      expect([res.status, res.body.error_code], res.raw).toEqual([400, 'INVALID_PARAMETER_VALUE']);
      expect(res.body.message).toContain('larger than 1048576 bytes');
    }
    const ordered = await call(ctx().app, 'POST', '/api/2.0/mlflow/runs/search', { experiment_ids: [experimentId], order_by: Array.from({ length: 21 }, () => 'metrics.m DESC') });
    expect([ordered.status, ordered.body.message]).toEqual([400, 'order_by has 21 clauses; the limit is 20. Order by fewer keys.']);
  });
});
