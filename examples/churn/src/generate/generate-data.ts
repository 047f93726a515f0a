// Writes the example's raw data to data/*.parquet (run `npx tsx src/generate/generate-data.ts`).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Columns } from './write-parquet.js';

export interface GenerateOptions {
  customers?: number;
  seed?: number;
}

export const DEFAULT_CUSTOMERS = 3000;
export const DEFAULT_SEED = 42;
const MANIFEST = 'manifest.json';

const keyed: Columns = { customer_id: 'BIGINT', event_timestamp: 'TIMESTAMPTZ', created: 'TIMESTAMPTZ' };
const FILES = {
  'customers.parquet': { ...keyed, plan: 'VARCHAR', plan_tier: 'BIGINT', monthly_fee: 'DOUBLE', region: 'VARCHAR', status: 'VARCHAR' },
  'activity.parquet': { ...keyed, logins_7d: 'BIGINT', logins_28d: 'BIGINT', minutes_7d: 'DOUBLE', tenure_weeks: 'BIGINT' },
  'support.parquet': { ...keyed, support_tickets_30d: 'BIGINT', payment_failures_90d: 'BIGINT' },
  'labels.parquet': { customer_id: 'BIGINT', event_timestamp: 'TIMESTAMPTZ', churned: 'BOOLEAN' },
} satisfies Record<string, Columns>;

export interface Manifest {
  customers: number;
  seed: number;
  files: Record<string, { rows: number; sha256: string }>;
}

/** The manifest of the data in `dataDir`, or null when there is none (nothing generated yet). */
export function readManifest(dataDir: string): Manifest | null {
  const path = join(dataDir, MANIFEST);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Manifest) : null;
}

/**
 * Simulates the customers and writes customers, weekly activity, weekly support and billing
 * snapshots (with late corrections) and monthly churn labels to `dataDir`. Files are written to a
 * temporary folder and moved in place, and the manifest is written last: a half-written folder
 * never looks generated.
 */
export async function generateData(dataDir: string, options: GenerateOptions = {}): Promise<Manifest> {
  const customers = options.customers ?? DEFAULT_CUSTOMERS;
  const seed = options.seed ?? DEFAULT_SEED;
  // Loaded here, not at the top: checking existing data (ensureData) must stay instant.
  const [{ simulate }, { writeParquetFiles }] = await Promise.all([import('./simulate.js'), import('./write-parquet.js')]);
  const data = simulate(customers, seed);
  const rows = { 'customers.parquet': data.customers, 'activity.parquet': data.activity, 'support.parquet': data.support, 'labels.parquet': data.labels };
  const tmp = `${dataDir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  await writeParquetFiles(Object.entries(FILES).map(([name, columns]) => ({ path: join(tmp, name), columns, rows: rows[name as keyof typeof rows] })));
  mkdirSync(dataDir, { recursive: true });
  rmSync(join(dataDir, MANIFEST), { force: true });
  const manifest: Manifest = { customers, seed, files: {} };
  for (const name of Object.keys(FILES)) {
    renameSync(join(tmp, name), join(dataDir, name));
    manifest.files[name] = { rows: rows[name as keyof typeof rows].length, sha256: createHash('sha256').update(readFileSync(join(dataDir, name))).digest('hex') };
  }
  rmSync(tmp, { recursive: true, force: true });
  writeFileSync(join(dataDir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** Generates the data unless the folder already holds data of the same size and seed. */
export async function ensureData(dataDir: string, options: GenerateOptions = {}): Promise<{ manifest: Manifest; generated: boolean }> {
  const found = readManifest(dataDir);
  const wanted = { customers: options.customers ?? DEFAULT_CUSTOMERS, seed: options.seed ?? DEFAULT_SEED };
  if (found && found.customers === wanted.customers && found.seed === wanted.seed && Object.keys(FILES).every((f) => existsSync(join(dataDir, f)))) {
    return { manifest: found, generated: false };
  }
  return { manifest: await generateData(dataDir, wanted), generated: true };
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : undefined;
  };
  const dir = resolve(import.meta.dirname, '..', '..', 'data');
  const manifest = await generateData(dir, { customers: arg('customers'), seed: arg('seed') });
  for (const [name, f] of Object.entries(manifest.files)) process.stdout.write(`${name.padEnd(18)} ${String(f.rows).padStart(7)} rows  sha256:${f.sha256.slice(0, 12)}\n`);
  process.stdout.write(`Wrote ${dir} (${manifest.customers} customers, seed ${manifest.seed}).\n`);
}
