import { buildApp } from '../packages/server/src/app.js';
import { benchPlatform } from './lib/platforms.js';
import { timeIt, type BenchResult } from './lib/report.js';
import { seedSearchRuns } from './lib/seed.js';

const BASE = '/api/2.0/mlflow';

// The few response fields the benchmark reads.
interface Reply {
  experiment_id: string;
  run: { info: { run_id: string } };
  runs: unknown[];
  metrics: unknown[];
}

/** Issue #3's targets, measured through the MLflow REST API on loopback with one keep-alive client. */
export default {
  name: 'mlflow',
  async run(backends: string[]): Promise<BenchResult[]> {
    const out: BenchResult[] = [];
    for (const backend of backends) {
      const { platform, existed } = await benchPlatform(backend, 'search-100k', false);
      const app = buildApp(platform, { logger: false });
      const url = await app.listen({ host: '127.0.0.1', port: 0 });
      const call = async (method: string, path: string, body?: unknown) => {
        const res = await fetch(`${url}${path}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
        if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
        return res.json() as Promise<Reply>;
      };
      try {
        // log-batch: 100 batches of 1,000 points into one run.
        const exp = await call('POST', `${BASE}/experiments/create`, { name: `ingest-${Date.now()}` });
        const run = await call('POST', `${BASE}/runs/create`, { experiment_id: exp.experiment_id, start_time: Date.now() });
        const runId = run.run.info.run_id;
        const batches = Array.from({ length: 100 }, (_, b) => ({
          run_id: runId,
          metrics: Array.from({ length: 1000 }, (_, i) => ({ key: `m${i % 10}`, value: Math.random(), timestamp: 1_700_000_000_000 + b * 1000 + i, step: b * 1000 + i })),
        }));
        await call('POST', `${BASE}/runs/log-batch`, batches[0]); // warm-up (the point set is deduplicated)
        const t0 = performance.now();
        for (const batch of batches) await call('POST', `${BASE}/runs/log-batch`, batch);
        const pointsPerSecond = 100_000 / ((performance.now() - t0) / 1000);
        out.push({ id: `3.log-batch.${backend}`, issue: '#3', title: 'MLflow log-batch ingest, 1,000-point batches, 100k points', backend, figure: Math.round(pointsPerSecond), unit: 'points/s', target: '>= 200000', ...(backend === 'sqlite' ? {} : { reference: 'the target is for SQLite' }) });

        // runs/search over the 100k-run data set the tracking bench seeds (seeded here if missing).
        let searchExp = await platform.experiments.findByName('search-bench');
        if (!existed || !searchExp) {
          searchExp = await platform.experiments.create({ name: 'search-bench' });
          await seedSearchRuns(platform.database.db, Number(searchExp.experimentId), 100_000);
        }
        const query = { experiment_ids: [searchExp.experimentId], filter: "metrics.m1 > 0.5 and params.p1 = 'a'", order_by: ['metrics.m1 DESC'], max_results: 100 };
        const search = await timeIt(async () => {
          const r = await call('POST', `${BASE}/runs/search`, query);
          if (r.runs.length !== 100) throw new Error(`runs/search returned ${r.runs.length}`);
        }, 50);
        out.push({ id: `3.search-100k.${backend}`, issue: '#3', title: 'MLflow runs/search, 100k runs, p50', backend, figure: search.p50, unit: 'ms', target: '<= 50', notes: `p99 ${search.p99.toFixed(1)} ms` });

        // metrics/get-history of 100k points (the tracking bench's history run).
        const histExp = await platform.experiments.findByName('history-bench');
        const histRun = histExp && (await platform.runs.search({ experimentIds: [histExp.experimentId], maxResults: 1 })).items[0];
        if (histRun) {
          const path = `${BASE}/metrics/get-history?run_id=${histRun.info.runId}&metric_key=loss`;
          // The figure is the server's: request sent → last byte of the 8 MB reply received. Parsing
          // that JSON is the client's own cost (about 60 ms in Node, more in Python); it is measured
          // separately and reported in the notes.
          const bytes = async () => {
            const res = await fetch(`${url}${path}`);
            if (!res.ok) throw new Error(`get-history: ${res.status} ${await res.text()}`);
            return Buffer.from(await res.arrayBuffer());
          };
          const first = JSON.parse((await bytes()).toString('utf8')) as Reply;
          if (first.metrics.length !== 100_000) throw new Error(`get-history returned ${first.metrics.length}`);
          const hist = await timeIt(bytes, 10);
          const parsed = await timeIt(async () => {
            const r = await call('GET', path);
            if (r.metrics.length !== 100_000) throw new Error(`get-history returned ${r.metrics.length}`);
          }, 10);
          out.push({ id: `3.history-100k.${backend}`, issue: '#3', title: 'MLflow metrics/get-history, 100k points, p50 (request to last byte of the reply)', backend, figure: hist.p50, unit: 'ms', target: '<= 100', notes: `p99 ${hist.p99.toFixed(1)} ms; with the client's JSON.parse of the 8 MB reply: p50 ${parsed.p50.toFixed(1)} ms` });
        } else {
          console.log('metrics/get-history skipped: run `npm run bench -- tracking` first to create the 100k-point run');
        }
      } finally {
        await app.close();
        await platform.close();
      }
    }
    return out;
  },
};
