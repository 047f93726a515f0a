import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { registerFiles } from '../serving/testing/model-fixtures.js';
import { T0, tripRows, writeFeatureProject } from '../features/testing/feature-project.js';
import { verifySignature, SIGNATURE_HEADER } from '../registry/webhooks/deliver.js';
import type { InferenceRecord } from '../serving/inference-log/entities.js';
import { LabelStore } from '../serving/inference-log/sql/label-store.js';
import { describeEachPlatform } from '../testing/describe-platforms.js';

const H = 3_600_000;
const NOW = Date.UTC(2025, 0, 10);

// Training: 40 drivers x 24 hours; conv_rate = (driver * 100 + hour) / 10000, trips = driver * 1000 + hour.
// Live traffic is drawn from the same grid, then shifted. SQLite keeps the log as Parquet in the
// artifact store, PostgreSQL in the database: both stores, one suite.
describeEachPlatform('cairn monitor against the training set', (t) => {
  const deliveries: Array<{ body: string; signature: string | undefined }> = [];
  let receiver: http.Server;
  let secret = '';

  beforeAll(async () => {
    const p = t().platform;
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        deliveries.push({ body, signature: req.headers[SIGNATURE_HEADER] as string | undefined });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const hook = await p.registry.webhooks.create({ url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/alerts`, events: ['monitoring.*'] });
    secret = hook.secret;
    await writeFeatureProject(t().dir, tripRows(40, 24), { ttl: '100000d' });
    await p.features.apply();
    const exp = await p.experiments.create({ name: 'training' });
    const run = await p.runs.create({ experimentId: exp.experimentId });
    const entities = [];
    for (let d = 1; d <= 40; d++) for (let h = 0; h < 24; h++) entities.push({ driver_id: d, event_timestamp: T0 + h * H + 60_000, bonus: 0 });
    const set = await p.features.getHistoricalFeatures({ entities, features: ['driver_stats:conv_rate', 'driver_stats:trips'], runId: run.info.runId });
    await set.job.close();
    await registerFiles(p, 'watched', { 'model.json': JSON.stringify({ format: 'cairn-logistic@1', encoder: { numeric: [{ name: 'conv_rate', mean: 0.2, std: 0.1 }], categorical: [] }, weights: [0, 1] }) }, {
      format: 'cairn-json', runId: run.info.runId, signature: { inputs: [{ name: 'conv_rate', type: 'double' }, { name: 'trips', type: 'long' }], outputs: [{ type: 'double' }] },
    });
    await p.registry.aliases.set('watched', 'champion', 1);
  }, 60_000);
  afterAll(async () => {
    await new Promise((r) => receiver?.close(r));
  });

  const traffic = (from: number, n: number, shift: number): InferenceRecord[] => Array.from({ length: n }, (_, i) => {
    const d = 1 + (i % 40);
    const h = Math.floor(i / 40) % 24;
    const conv = (d * 100 + h) / 10_000 + shift;
    return { requestId: `${from}-${i}`, row: 0, model: 'watched', version: 1, time: from + i * 1000, entity: JSON.stringify({ driver_id: d }), inputs: { conv_rate: conv, trips: d * 1000 + h }, output: 1 / (1 + Math.exp(-(conv - 0.2) / 0.1)), latencyMs: 1 };
  });

  it('finds no drift in traffic like the training set, and records the run', async () => {
    const p = t().platform;
    await p.inferenceLog.append(traffic(NOW - 2 * H, 960, 0));
    const report = await p.monitoring.run({ model: 'watched@champion', window: '3h', until: NOW });
    expect(report.rows).toBe(960);
    expect(report.note).toBeNull();
    const conv = report.features.find((f) => f.feature === 'conv_rate')!;
    expect(conv.psi).toBeLessThan(0.05);
    expect(conv.ks).toBeLessThan(0.05);
    expect(conv.drift).toBe(false);
    expect(report.alerts).toEqual([]);
    const run = await p.runs.get(report.runId!);
    expect(run.data.metrics.find((m) => m.key === 'drift.conv_rate.psi')?.value).toBeCloseTo(conv.psi!, 12);
    expect((await p.runs.listArtifacts(report.runId!)).map((a) => a.path).sort()).toEqual(['report.json', 'report.md']);
    expect(deliveries).toEqual([]);
  });

  it('finds drift in shifted traffic, measures live performance from labels, and alerts through a signed webhook', async () => {
    const p = t().platform;
    const shifted = traffic(NOW + H, 960, 0.3);
    await p.inferenceLog.append(shifted);
    // Labels for half the rows by request id, a few more by entity and time.
    await p.monitoring.label('watched', shifted.slice(0, 480).map((r, i) => ({ requestId: r.requestId, label: i % 3 === 0 ? 1 : 0 })));
    await p.monitoring.label('watched', [{ entity: { driver_id: 40 }, time: NOW + 20 * H, label: true }]);
    const report = await p.monitoring.run({ model: 'watched@champion', window: '2h', until: NOW + 2 * H });
    const conv = report.features.find((f) => f.feature === 'conv_rate')!;
    expect(conv.psi).toBeGreaterThan(1);
    expect(conv.ks).toBeGreaterThan(0.7);
    expect(conv.outOfRangeRate).toBeGreaterThan(0.5);
    expect(conv.drift).toBe(true);
    expect(report.features.find((f) => f.feature === 'trips')!.drift).toBe(false);
    expect(report.alerts.map((a) => `${a.kind}:${a.feature}:${a.statistic}`)).toEqual(expect.arrayContaining(['drift:conv_rate:psi', 'drift:conv_rate:ks', 'data_quality:conv_rate:out_of_range_rate', 'prediction_drift:null:psi']));
    expect(report.prediction).toMatchObject({ reference: 'the window before', drift: true });
    // Driver 40's rows in the second half are labelled by entity (those in the first half by request id already).
    expect(report.labelled).toBe(480 + 12);
    expect(report.performance?.kind).toBe('classification');
    expect(report.performance?.auc).toBeGreaterThanOrEqual(0);
    expect(deliveries.length).toBe(1);
    const delivery = deliveries[0]!;
    expect(verifySignature(secret, delivery.body, delivery.signature)).toBe(true);
    const payload = JSON.parse(delivery.body);
    expect(payload).toMatchObject({ event: 'monitoring.alert', model: 'watched', version: 1, after: { runId: report.runId } });
    expect(payload.after.alerts.length).toBe(report.alerts.length);
    const latest = await p.monitoring.latest('watched');
    expect(latest.runId).toBe(report.runId);
  });

  it('reads the labels that can judge its window: by request id whatever time they claim, but none posted long before it', async () => {
    const p = t().platform;
    const rows = traffic(NOW + 30 * H, 200, 0);
    await p.inferenceLog.append(rows);
    // A client's own time (an outcome's event time, a backfill) does not hide a label by request id.
    await p.monitoring.label('watched', rows.slice(0, 50).map((r) => ({ requestId: r.requestId, time: NOW + 29 * H, label: 1 })));
    // Labels posted a day before the window (this store's clock) are not even read.
    await new LabelStore(p.database.db as never, () => NOW + 5 * H).add(rows.slice(50, 100).map((r) => ({ model: 'watched', requestId: r.requestId, row: null, entity: null, time: NOW + 31 * H, label: 1 })));
    const report = await p.monitoring.run({ model: 'watched/1', window: '1h', until: NOW + 31 * H, record: false });
    expect(report.labelled).toBe(50);
  });

  it('refuses labels for a model the registry does not have (a typo), storing none', async () => {
    await expect(t().platform.monitoring.label('wacthed', [{ requestId: 'r', label: 1 }])).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/wacthed/) });
  });

  it('says why drift is not judged when there is too little traffic', async () => {
    const report = await t().platform.monitoring.run({ model: 'watched/1', window: '1h', until: NOW - 5 * H, record: false });
    expect(report.rows).toBe(0);
    expect(report.note).toMatch(/fewer than monitoring.min_rows/);
    expect(report.alerts).toEqual([]);
  });

  it("gives the model's overview: the served version, traffic and latency, the monitor's runs and alerts over time", async () => {
    const p = t().platform;
    const o = await p.monitoring.overview('watched', { from: NOW - 3 * H, to: NOW + 3 * H, buckets: 6 });
    expect(o.served).toEqual({ version: 1, lastRequestTime: NOW + H + 959_000, aliases: ['champion'] });
    expect(o.versions).toEqual([{ version: 1, requests: 1920, rows: 1920 }]);
    expect(o.totals).toMatchObject({ requests: 1920, rows: 1920, p50: 1, p99: 1 });
    expect(o.totals.perMinute).toBeCloseTo(1920 / 360, 9);
    expect(o.bucketMs).toBe(H);
    expect(o.traffic.map((b) => b.requests)).toEqual([0, 960, 0, 0, 960, 0]);
    expect(o.traffic[0]!.p50).toBeNull();
    expect(o.reports.map((r) => [r.time, r.rows, r.alerts > 0])).toEqual([[NOW, 960, false], [NOW + 2 * H, 960, true]]);
    expect(o.reports[1]!.metrics['drift.conv_rate.psi']).toBeGreaterThan(1);
    expect(o.alerts.length).toBe(o.reports[1]!.alerts);
    expect(o.alerts[0]).toMatchObject({ time: NOW + 2 * H, version: 1, runId: o.reports[1]!.runId });
    expect(o.alerts.map((a) => a.kind)).toContain('drift');
    // A window before any of it: nothing served, nothing judged.
    const quiet = await p.monitoring.overview('watched', { from: NOW - 9 * H, to: NOW - 6 * H });
    expect([quiet.served, quiet.totals.requests, quiet.reports.length, quiet.alerts.length]).toEqual([null, 0, 0, 0]);
    await expect(p.monitoring.overview('watched', { from: NOW, to: NOW })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(p.monitoring.overview('nobody', { from: NOW - H, to: NOW })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
}, (backend) => ({ registry: { webhooks_allow_private: true, webhook_backoff_seconds: 0.05, webhook_secret_key: 'ab'.repeat(32) }, serving: { inference_log: { store: backend === 'sqlite' ? 'artifacts' : 'database' } } }));
