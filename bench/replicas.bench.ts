// Issue #14: the MLflow log-batch, search and history figures on PostgreSQL with two `cairn server`
// replicas (real processes on one store) no worse than with one. The same client load runs against
// one replica, then against two with the client going round-robin: CONCURRENCY requests in flight
// (CAIRN_BENCH_REPLICAS_CONCURRENCY, default 4). Each row is the two-replica figure divided by the
// one-replica figure (throughput; >= 1 is "no worse"), the absolute figures in its notes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { startCliServer, type CliServer } from '../packages/cli/src/testing/cli-process.js';
import { benchPlatform } from './lib/platforms.js';
import type { BenchResult } from './lib/report.js';
import { seedSearchRuns } from './lib/seed.js';

const BASE = '/api/2.0/mlflow';
const CONCURRENCY = Number(process.env.CAIRN_BENCH_REPLICAS_CONCURRENCY ?? 4);
// CAIRN_BENCH_SMALL=1: a smoke run (1k runs, a 10k-point history, a tenth of the requests), in a schema of its own.
const SMALL = process.env.CAIRN_BENCH_SMALL === '1';
const SEARCH_RUNS = SMALL ? 1_000 : 100_000;
const HISTORY_POINTS = SMALL ? 10_000 : 100_000;
const REQUESTS = SMALL ? 20 : 200;

interface Load { perSecond: number; p50: number; p99: number }

/** Runs `total` requests, CONCURRENCY at a time, the i-th against `urls[i % urls.length]`. */
async function load(urls: string[], total: number, request: (url: string, i: number) => Promise<void>): Promise<Load> {
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    for (let i = next++; i < total; i = next++) {
      const start = performance.now();
      await request(urls[i % urls.length]!, i);
      latencies.push(performance.now() - start);
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
  return { perSecond: total / seconds, p50: pct(50), p99: pct(99) };
}

async function post(url: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, unknown>;
}

export default {
  name: 'replicas',
  async run(backends: string[]): Promise<BenchResult[]> {
    if (!backends.includes('postgres')) return [];
    // The data set: 100k runs to search and one run with a 100k-point history (seeded once, kept).
    const { platform, existed } = await benchPlatform('postgres', SMALL ? 'replicas-small' : 'replicas', false);
    const storeUri = platform.config.store.uri;
    let searchExp = await platform.experiments.findByName('search-bench');
    if (!existed || !searchExp) {
      searchExp = await platform.experiments.create({ name: 'search-bench' });
      await seedSearchRuns(platform.database.db, Number(searchExp.experimentId), SEARCH_RUNS);
    }
    const histExp = (await platform.experiments.findByName('history-bench')) ?? (await platform.experiments.create({ name: 'history-bench' }));
    let histRunId = (await platform.runs.search({ experimentIds: [histExp.experimentId], maxResults: 1 })).items[0]?.info.runId;
    if (!histRunId) {
      histRunId = (await platform.runs.create({ experimentId: histExp.experimentId })).info.runId;
      for (let s = 0; s < HISTORY_POINTS; s += 10_000) {
        await platform.runs.logBatch(histRunId, { metrics: Array.from({ length: 10_000 }, (_, i) => ({ key: 'loss', value: Math.random(), timestamp: 1_700_000_000_000 + s + i, step: s + i })) });
      }
    }
    // Planner statistics for data seeded by an earlier run too (autovacuum is off on this machine).
    await sql`analyze`.execute(platform.database.db);
    const ingestExp = await platform.experiments.create({ name: `replicas-ingest-${Date.now()}` });
    await platform.close();

    const dir = mkdtempSync(join(tmpdir(), 'cairn-bench-replicas-'));
    const env = { CAIRN_STORE_URI: storeUri, CAIRN_ARTIFACT_URI: join(dir, 'artifacts') };
    const servers: CliServer[] = [];
    try {
      servers.push(...(await Promise.all([startCliServer({ cwd: dir, env }), startCliServer({ cwd: dir, env })])));
      const setups = { one: [servers[0]!.url], two: servers.map((s) => s.url) };

      const figures: Record<'logBatch' | 'search' | 'history', Record<'one' | 'two', Load>> = { logBatch: {} as never, search: {} as never, history: {} as never };
      for (const [shape, urls] of Object.entries(setups) as Array<['one' | 'two', string[]]>) {
        // log-batch: 1,000-point batches, each request into a run of its own slot (CONCURRENCY runs).
        const runs = await Promise.all(Array.from({ length: CONCURRENCY }, async () => ((await post(urls[0]!, `${BASE}/runs/create`, { experiment_id: ingestExp.experimentId, start_time: Date.now() })).run as { info: { run_id: string } }).info.run_id));
        figures.logBatch[shape] = await load(urls, REQUESTS, (url, i) => post(url, `${BASE}/runs/log-batch`, {
          run_id: runs[i % runs.length],
          metrics: Array.from({ length: 1000 }, (_, j) => ({ key: `m${j % 10}`, value: Math.random(), timestamp: 1_700_000_000_000 + i * 1000 + j, step: i * 1000 + j })),
        }).then(() => undefined));
        const query = { experiment_ids: [searchExp.experimentId], filter: "metrics.m1 > 0.5 and params.p1 = 'a'", order_by: ['metrics.m1 DESC'], max_results: 100 };
        figures.search[shape] = await load(urls, REQUESTS, async (url) => {
          const r = await post(url, `${BASE}/runs/search`, query);
          if (!(r.runs as unknown[] | undefined)?.length) throw new Error('runs/search returned no runs');
        });
        figures.history[shape] = await load(urls, REQUESTS / 5, async (url) => {
          const res = await fetch(`${url}${BASE}/metrics/get-history?run_id=${histRunId}&metric_key=loss`);
          if (!res.ok) throw new Error(`get-history: ${res.status}`);
          await res.arrayBuffer();
        });
      }
      const row = (id: string, title: string, f: Record<'one' | 'two', Load>, unit: string, scale = 1): BenchResult => ({
        id: `14.replicas-${id}.postgres`, issue: '#14', backend: 'postgres', unit: 'x', target: '>= 1',
        title: `${title}: two replicas ÷ one (throughput, ${CONCURRENCY} requests in flight, round-robin)`,
        figure: f.two.perSecond / f.one.perSecond,
        notes: `one replica ${(f.one.perSecond * scale).toFixed(0)} ${unit}, p50 ${f.one.p50.toFixed(1)} ms; two ${(f.two.perSecond * scale).toFixed(0)} ${unit}, p50 ${f.two.p50.toFixed(1)} ms`,
      });
      return [
        row('log-batch', 'MLflow log-batch, 1,000-point batches', figures.logBatch, 'points/s', 1000),
        row('search', `MLflow runs/search, ${SEARCH_RUNS / 1000}k runs, page of 100`, figures.search, 'searches/s'),
        row('history', `MLflow metrics/get-history, ${HISTORY_POINTS / 1000}k points`, figures.history, 'histories/s'),
      ];
    } finally {
      for (const s of servers) await s.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
