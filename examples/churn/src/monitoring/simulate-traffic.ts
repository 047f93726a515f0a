// Simulated traffic for the served churn model (docs/tutorial.md, "Close the loop"): a replay of
// 2024-12-01. Each request carries one customer's features as they were known that day (the
// point-in-time join the model trained on); from the second half on, a new price list reaches the
// callers: every request says monthly_fee = 29, a price no customer paid in training. That is the
// drift the monitor should find. A month later the billing system knows who cancelled: labels come
// back for part of the first half, as `POST /feedback` by request id.
//   npx tsx src/monitoring/simulate-traffic.ts --url http://127.0.0.1:5051 [--requests 600]
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_DIR, withPlatform } from '../lib/project.js';
import { ALL_FEATURES } from '../model/churn-model.js';

export const REPLAY_DAY = '2024-12-01T00:00:00Z';

export interface TrafficOptions {
  url: string;
  requests: number;
  /** Share of the first half that gets a label back. */
  labelShare: number;
}

export interface TrafficSummary {
  requests: number;
  failed: number;
  drifted: number;
  labelled: number;
  versions: string[];
}

const plain = (v: unknown): unknown => (typeof v === 'bigint' ? Number(v) : v);

/** The customers labelled on the replay day, their features as known then, and whether each cancelled within 30 days. */
async function replayRows(): Promise<Array<{ features: Record<string, unknown>; churned: boolean }>> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:', { threads: '1' });
  const con = await db.connect();
  let labels: Array<{ customer_id: number; churned: boolean }>;
  try {
    const file = resolve(PROJECT_DIR, 'data', 'labels.parquet').replaceAll("'", "''");
    const reader = await con.runAndReadAll(`select customer_id, churned from read_parquet('${file}') where event_timestamp = '${REPLAY_DAY}'::timestamptz order by customer_id`);
    labels = reader.getRowObjectsJS().map((r) => ({ customer_id: Number(r.customer_id), churned: Boolean(r.churned) }));
  } finally {
    con.closeSync();
    db.closeSync();
  }
  return withPlatform(async (p) => {
    const set = await p.features.getHistoricalFeatures({
      entities: labels.map((l) => ({ customer_id: l.customer_id, event_timestamp: REPLAY_DAY })), featureService: 'churn_features', filterByCreatedTimestamp: true, name: 'traffic-replay-2024-12-01',
    });
    try {
      const rows = await set.job.toRows();
      return rows.map((r, i) => ({ features: Object.fromEntries(ALL_FEATURES.map((f) => [f, plain(r[f]) ?? null])), churned: labels[i]!.churned }));
    } finally {
      await set.job.close();
    }
  });
}

export async function simulateTraffic(options: TrafficOptions, log: (line: string) => void = () => {}): Promise<TrafficSummary> {
  const customers = await replayRows();
  const summary: TrafficSummary = { requests: 0, failed: 0, drifted: 0, labelled: 0, versions: [] };
  const labels: Array<{ request_id: string; label: number }> = [];
  const half = Math.floor(options.requests / 2);
  for (let i = 0; i < options.requests; i++) {
    const c = customers[(i * 7919) % customers.length]!;
    const drifted = i >= half;
    const record = drifted ? { ...c.features, monthly_fee: 29 } : c.features;
    const res = await fetch(`${options.url}/invocations`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ dataframe_records: [record] }),
    });
    summary.requests++;
    if (!res.ok) {
      summary.failed++;
      log(`request ${i}: ${res.status} ${await res.text()}`);
      continue;
    }
    await res.json();
    const version = res.headers.get('x-cairn-model-version') ?? '?';
    if (!summary.versions.includes(version)) summary.versions.push(version);
    if (drifted) summary.drifted++;
    else if ((i * 37) % 100 < options.labelShare * 100) labels.push({ request_id: res.headers.get('x-request-id')!, label: c.churned ? 1 : 0 });
  }
  const fed = await fetch(`${options.url}/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ labels }) });
  if (!fed.ok) throw new Error(`posting labels failed: ${fed.status} ${await fed.text()}`);
  summary.labelled = labels.length;
  log(`${summary.requests} requests (${summary.drifted} with the new price), ${summary.failed} failed, ${summary.labelled} labels posted; answered by version ${summary.versions.join(', ')}`);
  return summary;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const { values } = parseArgs({ options: { url: { type: 'string', default: 'http://127.0.0.1:5051' }, requests: { type: 'string', default: '600' }, labels: { type: 'string', default: '0.5' } } });
  const summary = await simulateTraffic({ url: values.url!, requests: Number(values.requests), labelShare: Number(values.labels) }, (l) => console.log(l));
  if (summary.failed) process.exitCode = 1;
}
