import { execFile } from 'node:child_process';
import { closeSync, openSync, readdirSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { loadConfig } from '../packages/core/src/config/config.js';
import { openPlatform, type Platform } from '../packages/core/src/platform.js';
import { startCliServer } from '../packages/cli/src/testing/cli-process.js';
import { startPrivateRedis } from '../packages/core/src/testing/redis.js';
import { ensureFeatureData, MAT_ROWS, ONLINE_DRIVERS, ONLINE_FEATURES, PROJECT } from './lib/feature-bench-data.js';
import { timeIt, type BenchResult } from './lib/report.js';

const run = promisify(execFile);
const PREFIX = 'cairn-bench:features:';
const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);

let REDIS = '';

async function open(online: string): Promise<Platform> {
  const config = loadConfig({ cwd: PROJECT, env: {}, overrides: {
    store: { uri: `sqlite:${join(PROJECT, 'cairn.db')}` }, features: { online_store: { uri: online, key_prefix: PREFIX } },
  } });
  return openPlatform(config);
}

type HistoricalMode = 'cairn' | 'cairn-created' | 'asof';
interface HistoricalRun { seconds: number; peakRssMb: number; rows: number }

async function historical(mode: HistoricalMode): Promise<HistoricalRun> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'lib', 'feature-historical-child.ts'), mode], { maxBuffer: 1 << 20, timeout: 600_000 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

// Each mode runs ROUNDS times, interleaved, after every data file was read once: the first run to
// touch 1 GB of Parquet must not pay the disk reads the others then skip (a cold page cache once
// doubled Cairn's figure against the baseline that ran after it). The median run of each mode counts.
const ROUNDS = 3;

async function historicalMedians(): Promise<Record<HistoricalMode, HistoricalRun>> {
  for (const f of readdirSync(join(PROJECT, 'data'))) {
    const fd = openSync(join(PROJECT, 'data', f), 'r');
    const buf = Buffer.allocUnsafe(1 << 22);
    while (readSync(fd, buf, 0, buf.length, null) > 0);
    closeSync(fd);
  }
  const runs: Record<HistoricalMode, HistoricalRun[]> = { asof: [], cairn: [], 'cairn-created': [] };
  for (let i = 0; i < ROUNDS; i++) {
    for (const mode of ['asof', 'cairn', 'cairn-created'] as const) {
      const r = await historical(mode);
      if (r.rows !== 1_000_000) throw new Error(`historical ${mode}: ${r.rows} rows`);
      runs[mode].push(r);
    }
  }
  const median = (rs: HistoricalRun[]) => [...rs].sort((a, b) => a.seconds - b.seconds)[Math.floor(rs.length / 2)]!;
  return { asof: median(runs.asof), cairn: median(runs.cairn), 'cairn-created': median(runs['cairn-created']) };
}

// Open-loop load at a fixed rate from a separate process (see lib/http-load-child.ts), latency
// counted from each request's scheduled send time.
async function httpLoad(url: string, body: string, rps: number, seconds: number): Promise<{ p50: number; p99: number; errors: number; lateP99: number }> {
  const spec = JSON.stringify({ url, path: '/api/v1/features/online', body, rps, seconds, connections: 16 });
  const { stdout } = await run(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'lib', 'http-load-child.ts'), spec], { maxBuffer: 1 << 20, timeout: (seconds + 60) * 1000 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

/** Issue #5: historical retrieval, online serving (SQLite in-process, Redis over HTTP), materialization. */
export default {
  name: 'features',
  async run(): Promise<BenchResult[]> {
    const results: BenchResult[] = [];
    // Printed as they come: the whole suite takes minutes. CAIRN_BENCH_FEATURES_SKIP=historical skips a part.
    const out = { push: (r: BenchResult) => { console.log(`${r.id}: ${r.figure.toFixed(3)} ${r.unit}${r.notes ? ` (${r.notes})` : ''}`); results.push(r); } };
    const skip = (process.env.CAIRN_BENCH_FEATURES_SKIP ?? '').split(',');
    await ensureFeatureData();
    // A private redis-server (no persistence) unless CAIRN_BENCH_REDIS_URI names one: it runs at this
    // process's priority, so the figures measure Cairn rather than a Redis shared with other work.
    const own = process.env.CAIRN_BENCH_REDIS_URI ? null : await startPrivateRedis();
    REDIS = process.env.CAIRN_BENCH_REDIS_URI ?? own!.uri;
    const redisAdmin = new Redis(REDIS);
    const clean = async () => {
      let cursor = '0';
      do {
        const [next, keys] = await redisAdmin.scan(cursor, 'MATCH', `${PREFIX}*`, 'COUNT', 5000);
        if (keys.length) await redisAdmin.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    };
    const setup = await open('sqlite:online.db');
    await setup.features.apply({ force: true });
    await setup.close();

    // Historical retrieval: 1M entity rows x 3 views of 10M rows, in fresh processes.
    if (!skip.includes('historical')) {
      const { cairn, asof, 'cairn-created': created } = await historicalMedians();
      out.push({ id: '5.historical-1m-x-3x10m.duckdb', issue: '#5', title: 'Historical retrieval, 1M entity rows x 3 views x 10M rows', backend: 'duckdb', figure: cairn.seconds, unit: 's', target: '<= 15', notes: `median of ${ROUNDS} after a page-cache warm-up; peak RSS ${Math.round(cairn.peakRssMb)} MB; hand-written ASOF JOIN ${asof.seconds.toFixed(1)} s (${Math.round(asof.peakRssMb)} MB)` });
      out.push({ id: '5.historical-peak-memory.duckdb', issue: '#5', title: 'Historical retrieval, peak memory (RSS)', backend: 'duckdb', figure: cairn.peakRssMb / 1024, unit: 'GB', target: '<= 4' });
      out.push({ id: '5.historical-vs-asof.duckdb', issue: '#5', title: 'Historical retrieval / hand-written DuckDB ASOF JOIN (same TTL rule)', backend: 'duckdb', figure: cairn.seconds / asof.seconds, unit: 'x', target: '<= 1.5', notes: `${cairn.seconds.toFixed(1)} s vs ${asof.seconds.toFixed(1)} s, medians of ${ROUNDS} interleaved fresh processes. Like with like: both write the joined rows into a DuckDB temp table and read none into JavaScript; Cairn also loads the entity file, orders the result by entity row, digests entities and result and records the training set, while the plain ASOF JOIN leaves event-time ties unresolved and rows unordered` });
      out.push({ id: '5.historical-created-tiebreak.duckdb', issue: '#5', title: 'Historical retrieval, same data, views with a created-time field (exact tie-breaks)', backend: 'duckdb', figure: created.seconds, unit: 's', target: '<= 15', notes: `${(created.seconds / asof.seconds).toFixed(2)}x the plain ASOF JOIN, which leaves ties unresolved; peak RSS ${Math.round(created.peakRssMb)} MB` });
    }

    // Online, in-process on SQLite: 1 entity x 50 features (5 views x 10).
    const sqlite = await open('sqlite:online.db');
    await sqlite.features.materialize(T0 - DAY, T0 + DAY, { views: Array.from({ length: 5 }, (_, v) => `online_${v}`) });
    let n = 0;
    const one = await timeIt(() => sqlite.features.getOnlineFeatures({ entities: [{ driver_id: (n++ * 7919) % ONLINE_DRIVERS }], features: ONLINE_FEATURES, at: T0 }), 20_000, 500);
    out.push({ id: '5.online-1x50.sqlite-inprocess', issue: '#5', title: 'Online features, 1 entity x 50 features, in-process, p99', backend: 'sqlite', figure: one.p99, unit: 'ms', target: '<= 1', notes: `p50 ${one.p50.toFixed(3)} ms` });
    await sqlite.close();

    // Materialization into Redis: 10 features per row; windows of 0.5M, 1M and 2M rows (memory should stay flat).
    await clean();
    const redis = await open(REDIS);
    const perDay = MAT_ROWS / 100;
    const rates: string[] = [];
    let best = 0;
    for (const rows of [500_000, 1_000_000, 2_000_000]) {
      await clean();
      const base = process.memoryUsage.rss();
      let peak = base;
      const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, 50);
      const t0 = performance.now();
      const [r] = await redis.features.materialize(T0, T0 + (rows / perDay) * DAY - 1, { views: ['mat'], batchSize: 10_000 });
      const secs = (performance.now() - t0) / 1000;
      clearInterval(timer);
      if (r!.rows !== rows) throw new Error(`materialized ${r!.rows} rows, expected ${rows}`);
      best = rows / secs;
      rates.push(`${rows / 1e6}M rows: ${Math.round(rows / secs).toLocaleString('en-US')} rows/s, peak RSS +${Math.round((peak - base) / 2 ** 20)} MB`);
    }
    out.push({ id: '5.materialize-redis-2m.redis', issue: '#5', title: 'Materialization into Redis, 10 features per row, 2M rows', backend: 'redis', figure: best, unit: 'rows/s', target: '>= 100000', notes: rates.join('; ') });
    await clean();
    await redis.features.materialize(T0 - DAY, T0 + DAY, { views: Array.from({ length: 5 }, (_, v) => `online_${v}`) });
    await redis.close();

    // Online over HTTP with Redis: a `cairn server` child, open-loop load from another child process.
    writeFileSync(join(PROJECT, 'cairn.yaml'), `store:\n  uri: sqlite:cairn.db\nserver:\n  request_log: false\nfeatures:\n  online_store:\n    uri: ${REDIS}\n    key_prefix: "${PREFIX}"\n`);
    const server = await startCliServer({ cwd: PROJECT });
    try {
      const body1 = JSON.stringify({ entities: [{ driver_id: 42 }], features: ONLINE_FEATURES, at: T0 });
      // A long-running server is warm: JIT-compiled and past its first collections. Warm it at the
      // measured rate, then take the median p99 of three 10 s runs (all three are in the notes).
      await httpLoad(server.url, body1, 1000, 5);
      const runs1 = [await httpLoad(server.url, body1, 1000, 10), await httpLoad(server.url, body1, 1000, 10), await httpLoad(server.url, body1, 1000, 10)];
      const http1 = [...runs1].sort((a, b) => a.p99 - b.p99)[1]!;
      out.push({ id: '5.online-http-1x50-1000rps.redis', issue: '#5', title: 'Online features over HTTP, Redis, 1 entity x 50 features at 1,000 req/s, p99 (median of three 10 s runs)', backend: 'redis', figure: http1.p99, unit: 'ms', target: '<= 3', notes: `p99 of the three runs ${runs1.map((r) => r.p99.toFixed(2)).join(', ')} ms; p50 ${http1.p50.toFixed(2)} ms, ${runs1.reduce((n, r) => n + r.errors, 0)} errors; after a 5 s warm-up at the same rate; open-loop load from a separate process, latency from each request's scheduled send time (generator lateness p99 ${http1.lateP99.toFixed(2)} ms, included)` });
      const body100 = JSON.stringify({ entities: Array.from({ length: 100 }, (_, i) => ({ driver_id: i * 97 })), features: ONLINE_FEATURES, at: T0 });
      await httpLoad(server.url, body100, 50, 2);
      const http100 = await httpLoad(server.url, body100, 100, 10);
      out.push({ id: '5.online-http-100x50.redis', issue: '#5', title: 'Online features over HTTP, Redis, 100 entities x 50 features at 100 req/s, p99', backend: 'redis', figure: http100.p99, unit: 'ms', target: '<= 15', notes: `p50 ${http100.p50.toFixed(2)} ms, ${http100.errors} errors; open-loop load from a separate process (generator lateness p99 ${http100.lateP99.toFixed(2)} ms, included)` });
    } finally {
      await server.stop();
      await clean();
      redisAdmin.disconnect();
      await own?.stop();
    }
    return results;
  },
};
