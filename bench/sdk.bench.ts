import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Cairn } from '../packages/cli/src/index.js';
import { PG_BASE_URI } from '../packages/core/src/testing/postgres.js';
import { DATA_DIR } from './lib/platforms.js';
import type { BenchResult } from './lib/report.js';

const POINTS = 1_000_000;

/** Issue #2: the SDK, in-process, logs and flushes 1,000,000 metric points. */
export default {
  name: 'sdk',
  async run(backends: string[]): Promise<BenchResult[]> {
    const out: BenchResult[] = [];
    for (const backend of backends) {
      const dir = join(DATA_DIR, 'sdk-ingest');
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true }); // a SQLite store is created only in a folder that exists
      const uri = backend === 'sqlite' ? `sqlite:${join(dir, 'cairn.db')}` : `${PG_BASE_URI}?schema=bench_sdk_${Date.now()}`;
      const cairn = await Cairn.connect({ uri, cwd: dir, env: {}, captureSource: false, quiet: true });
      let logged = 0;
      const t0 = performance.now();
      await cairn.run({ experiment: 'sdk-bench' }, async (run) => {
        for (let i = 0; i < POINTS; i++) run.logMetric(`m${i % 10}`, i * 0.001, { step: i, timestamp: 1_700_000_000_000 + i });
        logged = performance.now() - t0;
      });
      const total = performance.now() - t0;
      await cairn.close();
      if (backend === 'postgres') {
        const pg = (await import('pg')).default;
        const client = new pg.Client({ connectionString: PG_BASE_URI });
        await client.connect();
        await client.query(`drop schema ${new URL(uri).searchParams.get('schema')} cascade`);
        await client.end();
      }
      out.push({ id: `2.sdk-ingest-1m.${backend}`, issue: '#2', title: 'SDK in-process: 1,000,000 metric points logged and flushed', backend, figure: total, unit: 'ms', target: '<= 5000', notes: `logging ${logged.toFixed(0)} ms, the rest is flushing` });
    }
    return out;
  },
};
