import { sql } from 'kysely';
import { seedSearchRuns } from './lib/seed.js';
import { benchPlatform } from './lib/platforms.js';
import { timeIt, type BenchResult } from './lib/report.js';

const RUNS = 100_000;
const HISTORY = 100_000;

export default {
  name: 'tracking',
  async run(backends: string[]): Promise<BenchResult[]> {
    const out: BenchResult[] = [];
    for (const backend of backends) {
      // Search: 100k runs x (10 params + 10 metrics), seeded once and reused across bench runs.
      const { platform, existed } = await benchPlatform(backend, 'search-100k', false);
      let exp = await platform.experiments.findByName('search-bench');
      if (!existed || !exp) {
        exp = await platform.experiments.create({ name: 'search-bench' });
        const t0 = performance.now();
        await seedSearchRuns(platform.database.db, Number(exp.experimentId), RUNS);
        console.log(`seeded ${RUNS} runs on ${backend} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
        // Planner statistics, as autovacuum would gather on a long-lived server.
        await sql`analyze`.execute(platform.database.db);
      }
      const query = { experimentIds: [exp.experimentId], filter: "metrics.m1 > 0.5 and params.p1 = 'a'", orderBy: ['metrics.m1 DESC'], maxResults: 100 };
      const res = await platform.runs.search(query);
      if (res.items.length !== 100) throw new Error(`search returned ${res.items.length} runs`);
      const search = await timeIt(() => platform.runs.search(query), 50);
      out.push({ id: `2.search-100k.${backend}`, issue: '#2', title: 'Run search, 100k runs, in-process, p50', backend, figure: search.p50, unit: 'ms', target: '<= 50', notes: `p99 ${search.p99.toFixed(1)} ms` });

      // Metric history of 100k points.
      const histExp = (await platform.experiments.findByName('history-bench')) ?? (await platform.experiments.create({ name: 'history-bench' }));
      let runId = (await platform.runs.search({ experimentIds: [histExp.experimentId], maxResults: 1 })).items[0]?.info.runId;
      if (!runId) {
        runId = (await platform.runs.create({ experimentId: histExp.experimentId })).info.runId;
        for (let s = 0; s < HISTORY; s += 10_000) {
          const metrics = Array.from({ length: 10_000 }, (_, i) => ({ key: 'loss', value: Math.random(), timestamp: 1_700_000_000_000 + s + i, step: s + i }));
          await platform.runs.logBatch(runId, { metrics });
        }
      }
      const id = runId;
      const hist = await timeIt(async () => {
        const page = await platform.runs.getMetricHistory(id, 'loss');
        if (page.items.length !== HISTORY) throw new Error(`history has ${page.items.length} points`);
      }, 20);
      out.push({ id: `2.history-100k.${backend}`, issue: '#2', title: 'Metric history, 100k points, in-process', backend, figure: hist.p50, unit: 'ms', target: '<= 50', notes: `p50; p99 ${hist.p99.toFixed(1)} ms` });
      await platform.close();
    }
    return out;
  },
};
