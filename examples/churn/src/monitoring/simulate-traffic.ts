// Simulated traffic for the served churn model (docs/tutorial.md, "Close the loop"): customers
// scored by id, their features looked up online as of 2025-01-01; from the second half on, a new
// price list reaches the callers (every request carries monthly_fee = 29, a price no customer paid in
// training), which is the drift the monitor should find. Labels (did they cancel?) come back for
// part of the first half, as they would from the billing system weeks later.
//   npx tsx src/monitoring/simulate-traffic.ts --url http://127.0.0.1:5051 [--requests 600]
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { AS_OF, PROJECT_DIR } from '../lib/project.js';

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

/**
 * The customers labelled on the last label date who are still active on 2025-01-01 (the ones a
 * caller would score), and whether each cancelled in the 30 days after that label date.
 */
async function lastLabels(): Promise<Array<{ customer_id: number; churned: boolean }>> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:', { threads: '1' });
  const con = await db.connect();
  try {
    const file = (name: string) => `read_parquet('${resolve(PROJECT_DIR, 'data', name).replaceAll("'", "''")}')`;
    const reader = await con.runAndReadAll(`
      with latest as (select customer_id, arg_max(status, event_timestamp) as status from ${file('customers.parquet')} where event_timestamp <= '${AS_OF}'::timestamptz group by customer_id)
      select l.customer_id, l.churned from ${file('labels.parquet')} l join latest using (customer_id)
      where latest.status = 'active' and l.event_timestamp = (select max(event_timestamp) from ${file('labels.parquet')})
      order by l.customer_id`);
    return reader.getRowObjectsJS().map((r) => ({ customer_id: Number(r.customer_id), churned: Boolean(r.churned) }));
  } finally {
    con.closeSync();
    db.closeSync();
  }
}

export async function simulateTraffic(options: TrafficOptions, log: (line: string) => void = () => {}): Promise<TrafficSummary> {
  const customers = await lastLabels();
  const summary: TrafficSummary = { requests: 0, failed: 0, drifted: 0, labelled: 0, versions: [] };
  const labels: Array<{ request_id: string; label: number }> = [];
  const half = Math.floor(options.requests / 2);
  for (let i = 0; i < options.requests; i++) {
    const c = customers[(i * 7919) % customers.length]!;
    const drifted = i >= half;
    const record: Record<string, unknown> = { customer_id: c.customer_id };
    if (drifted) record.monthly_fee = 29;
    const res = await fetch(`${options.url}/invocations?at=${encodeURIComponent(AS_OF)}`, {
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
