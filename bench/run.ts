// `npm run bench [-- NAME...]`: runs the benchmark suites (all, or those whose name contains NAME)
// and records their figures in BENCHMARKS.md. Set CAIRN_BENCH_BACKENDS=sqlite to skip PostgreSQL.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { record, type BenchResult } from './lib/report.js';

export interface BenchSuite { name: string; run(backends: string[]): Promise<BenchResult[]> }

const filters = process.argv.slice(2);
const backends = (process.env.CAIRN_BENCH_BACKENDS ?? 'sqlite,postgres').split(',');
const files = readdirSync(import.meta.dirname).filter((f) => f.endsWith('.bench.ts')).sort();
for (const file of files) {
  const suite = ((await import(join(import.meta.dirname, file))) as { default: BenchSuite }).default;
  if (filters.length && !filters.some((f) => suite.name.includes(f))) continue;
  console.log(`== ${suite.name}`);
  const results = await suite.run(backends);
  for (const r of results) console.log(`${r.id}: ${r.figure.toFixed(2)} ${r.unit} (target ${r.target})`);
  record(results, `npm run bench -- ${suite.name}`);
}
