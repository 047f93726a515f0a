import { expect, it } from 'vitest';
import { H, T0, writeFeatureProject } from '../../core/src/features/testing/feature-project.js';
import { call, describeEachBackend } from './helpers.js';

describeEachBackend('feature routes', (ctx) => {
  const api = (method: string, url: string, body?: unknown) => call(ctx().app, method, url, body);
  let ready: Promise<void> | null = null;
  const setup = () => (ready ??= (async () => {
    await writeFeatureProject(ctx().dir);
    await ctx().platform.features.apply();
    await ctx().platform.features.materialize(T0, T0 + 5 * H);
  })());

  it('serves online features with a status per value, and on-demand features', async () => {
    await setup();
    const res = await api('POST', '/api/v1/features/online', {
      entities: [{ driver_id: 1, bonus: 1 }, { driver_id: 99, bonus: 1 }], features: ['driver_stats:conv_rate', 'adjusted:conv_plus_bonus'], at: T0 + 5 * H,
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      featureNames: ['conv_rate', 'conv_plus_bonus'],
      results: [
        { values: [0.0105, null], statuses: ['PRESENT', 'NOT_FOUND'], eventTimestamps: [T0 + 5 * H, null] },
        // On-demand outputs carry their inputs' status.
        { values: [1.0105, null], statuses: ['PRESENT', 'NOT_FOUND'], eventTimestamps: [null, null] },
      ],
    });
    const stale = await api('POST', '/api/v1/features/online', { entities: [{ driver_id: 1 }], featureService: 'ranking', at: new Date(T0 + 9 * H).toISOString() });
    expect(stale.status).toBe(400);
    expect(stale.body.message).toContain("'bonus'");
    const late = await api('POST', '/api/v1/features/online', { entities: [{ driver_id: 1 }], features: ['driver_stats:trips'], at: new Date(T0 + 9 * H).toISOString() });
    expect(late.body.results[0].statuses).toEqual(['OUTSIDE_MAX_AGE']);
  });

  it('refuses unknown views (404) and malformed requests (400), naming what is wrong', async () => {
    await setup();
    const unknown = await api('POST', '/api/v1/features/online', { entities: [{ driver_id: 1 }], features: ['nope:x'] });
    expect([unknown.status, unknown.body.error_code]).toEqual([404, 'NOT_FOUND']);
    expect(unknown.body.message).toContain("'nope'");
    for (const body of [{ entities: [], features: ['driver_stats:trips'] }, { entities: [{ driver_id: 1 }] }, { entities: [{ driver_id: [1] }], features: ['driver_stats:trips'] }, { entities: [{ driver_id: 'x' }], features: ['driver_stats:trips'] }]) {
      const res = await api('POST', '/api/v1/features/online', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
  });

  it('pushes rows and lists the applied definitions', async () => {
    await setup();
    const pushed = await api('POST', '/api/v1/features/push', { source: 'clicks', rows: [{ driver_id: 3, event_timestamp: T0, clicks: 7 }] });
    expect(pushed.body).toEqual({ rows: 1, views: ['driver_clicks'] });
    const read = await api('POST', '/api/v1/features/online', { entities: [{ driver_id: 3 }], features: ['driver_clicks:clicks'] });
    expect(read.body.results[0].values).toEqual([7]);
    const views = await api('GET', '/api/v1/features/objects?kind=featureView');
    expect(views.body.objects.map((o: { name: string }) => o.name)).toEqual(['driver_clicks', 'driver_stats']);
    const one = await api('GET', '/api/v1/features/objects/ranking');
    expect(one.body.objects[0]).toMatchObject({ kind: 'featureService', version: 1 });
    expect((await api('GET', '/api/v1/features/objects/nothing')).status).toBe(404);
  });
});
