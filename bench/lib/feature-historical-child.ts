// Runs one historical retrieval in a fresh process and prints {seconds, peakRssMb, rows} as JSON, so
// the peak memory is that of the retrieval alone. Argument: `cairn`, `cairn-created` (views with a
// created-time field) or `asof` (hand-written SQL).
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { loadConfig } from '../../packages/core/src/config/config.js';
import { openPlatform } from '../../packages/core/src/platform.js';
import { handWrittenAsof, histFeatures, PROJECT } from './feature-bench-data.js';

const mode = process.argv[2];
let peak = 0;
const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, 50);
const t0 = performance.now();
let rows = 0;
if (mode === 'asof') {
  const db = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false', memory_limit: '3GB' });
  const conn = await db.connect();
  await conn.run(`SET TimeZone = 'UTC'`);
  await conn.run(handWrittenAsof(join(PROJECT, 'data')));
  rows = Number((await conn.runAndReadAll('SELECT count(*) AS n FROM baseline')).getRowObjectsJS()[0]!.n);
} else {
  const config = loadConfig({ cwd: PROJECT, env: {}, overrides: { store: { uri: `sqlite:${join(PROJECT, 'cairn.db')}` }, features: { offline_store: { memory_limit: '3GB' } } } });
  const platform = await openPlatform(config);
  const set = await platform.features.getHistoricalFeatures({ entities: { file: join(PROJECT, 'data', 'entities.parquet') }, features: histFeatures(mode === 'cairn-created' ? 'hist' : 'histnc') });
  rows = set.job.rowCount;
  await set.job.close();
  await platform.close();
}
const seconds = (performance.now() - t0) / 1000;
clearInterval(timer);
peak = Math.max(peak, process.memoryUsage.rss(), process.resourceUsage().maxRSS * 1024);
console.log(JSON.stringify({ seconds, peakRssMb: peak / 2 ** 20, rows }));
process.exit(0);
