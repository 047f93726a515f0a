import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { ArtifactStore } from '../../../artifacts/artifact-store.js';
import { emptyRequests, emptyRows, type InferenceLogQuery, type InferenceRecord, type LoggedRequests, type LoggedRows, type ReadOptions } from '../entities.js';
import type { InputSummary, InputSummarySpec } from '../input-summary.js';
import type { AppendOptions, InferenceLogStore } from '../inference-log-store.js';
import { CairnError } from '../../../errors.js';
import { copyDoubles } from './duckdb-vectors.js';
import { summarizeInDuckDb } from './summarize-inputs.js';

/** Where the log lives in the artifact store (a reserved folder: only serving writes there). */
export const INFERENCE_LOG_PREFIX = 'monitoring/inference-log';
const INPUT = 'in:';
const DAY = 86_400_000;
const BATCH_NAME = /^[A-Za-z0-9_-]{1,200}$/;

/** A model name as a path segment: itself when plain, else base64url (so no key needs escaping). */
export function modelSegment(name: string): string {
  return /^[A-Za-z0-9._-]{1,200}$/.test(name) && !/^\.+$/.test(name) ? name : `b64-${Buffer.from(name).toString('base64url')}`;
}

const dayOf = (ms: number): string => new Date(Math.floor(ms / DAY) * DAY).toISOString().slice(0, 10);
const quote = (s: string): string => `'${s.replaceAll("'", "''")}'`;
const ident = (s: string): string => `"${s.replaceAll('"', '""')}"`;

export interface ParquetInferenceLogOptions {
  /** The local file behind a key when the artifact store is a local folder (read in place); else files are copied to a temp folder. */
  localPath?: (key: string) => string | null;
}

/**
 * The inference log as Parquet files in the artifact store, partitioned
 * `monitoring/inference-log/model=NAME/version=N/day=YYYY-MM-DD/<time>-<pid>-<random>.parquet`.
 * Each batch is one file per partition, written with DuckDB to a temp file and stored with the
 * artifact store's atomic put. Inputs are columns `in:<name>` (DOUBLE when every value is a number,
 * else VARCHAR), the output `output` (DOUBLE) or `output_json`. Reads scan the days of the window
 * with DuckDB (`union_by_name`, so batches with other columns read together).
 */
export class ParquetInferenceLogStore implements InferenceLogStore {
  private readonly instances: Partial<Record<'write' | 'read', Promise<DuckDBInstance>>> = {};
  private seq = 0;

  constructor(private readonly artifacts: ArtifactStore, private readonly options: ParquetInferenceLogOptions = {}) {}

  // Writes use one DuckDB thread (they run beside requests being served); reads use every core.
  private async connect(kind: 'write' | 'read'): Promise<DuckDBConnection> {
    this.instances[kind] ??= import('@duckdb/node-api').then(({ DuckDBInstance }) => DuckDBInstance.create(':memory:', {
      autoinstall_known_extensions: 'false', autoload_known_extensions: 'false', ...(kind === 'write' ? { threads: '1' } : {}),
    }));
    const conn = await (await this.instances[kind]!).connect();
    await conn.run(`SET TimeZone = 'UTC'`);
    return conn;
  }

  async append(records: InferenceRecord[], options: AppendOptions = {}): Promise<void> {
    if (options.batch !== undefined && !BATCH_NAME.test(options.batch)) throw new CairnError('INVALID_ARGUMENT', `An inference log batch name is 1-200 characters of A-Za-z0-9_- (got '${options.batch.slice(0, 40)}').`);
    const groups = new Map<string, InferenceRecord[]>();
    for (const r of records) {
      const key = `${INFERENCE_LOG_PREFIX}/model=${modelSegment(r.model)}/version=${r.version}/day=${dayOf(r.time)}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = []));
      g.push(r);
    }
    const dir = await mkdtemp(join(tmpdir(), 'cairn-inference-log-'));
    const conn = await this.connect('write');
    try {
      let group = 0;
      for (const [prefix, rows] of groups) {
        const file = join(dir, `${this.seq}.parquet`);
        await this.writeParquet(conn, rows, file);
        // A named batch has the same file names each time it is stored: storing it again replaces them.
        const name = options.batch !== undefined ? `${options.batch}-${group++}.parquet` : `${Date.now()}-${process.pid}-${this.seq}-${randomBytes(3).toString('hex')}.parquet`;
        this.seq++;
        await this.artifacts.putFile(`${prefix}/${name}`, file);
      }
    } finally {
      conn.closeSync();
      await rm(dir, { recursive: true, force: true });
    }
  }

  private async writeParquet(conn: DuckDBConnection, rows: InferenceRecord[], file: string): Promise<void> {
    const names: string[] = [];
    const numeric = new Map<string, boolean>();
    for (const r of rows) {
      for (const k in r.inputs) {
        const v = r.inputs[k];
        if (!numeric.has(k)) {
          names.push(k);
          numeric.set(k, true);
        }
        if (v !== null && v !== undefined && typeof v !== 'number' && typeof v !== 'bigint') numeric.set(k, false);
      }
    }
    const outputNumeric = rows.every((r) => r.output === null || typeof r.output === 'number');
    const table = `batch_${this.seq}`;
    const columns = [
      'request_id VARCHAR', 'row_index INTEGER', 'model VARCHAR', 'version INTEGER', 'time BIGINT', 'entity VARCHAR', 'latency_ms DOUBLE',
      outputNumeric ? 'output DOUBLE' : 'output_json VARCHAR',
      ...names.map((n) => `${ident(INPUT + n)} ${numeric.get(n) ? 'DOUBLE' : 'VARCHAR'}`),
    ];
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${table} (${columns.join(', ')})`);
    const app = await conn.createAppender(table);
    let n = 0;
    for (const r of rows) {
      // Appending is synchronous work on the event loop that serves requests: yield every 100 rows,
      // so a 1,000-row batch delays no request by more than a slice of it.
      if (++n % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
      app.appendVarchar(r.requestId);
      app.appendInteger(r.row);
      app.appendVarchar(r.model);
      app.appendInteger(r.version);
      app.appendBigInt(BigInt(Math.floor(r.time)));
      if (r.entity === null) app.appendNull();
      else app.appendVarchar(r.entity);
      app.appendDouble(r.latencyMs);
      if (outputNumeric) {
        if (r.output === null) app.appendNull();
        else app.appendDouble(r.output as number);
      } else app.appendVarchar(JSON.stringify(r.output) ?? 'null');
      for (const n of names) {
        const v = r.inputs[n];
        if (v === null || v === undefined) app.appendNull();
        else if (numeric.get(n)) app.appendDouble(Number(v));
        else app.appendVarchar(typeof v === 'string' ? v : JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? Number(x) : x)));
      }
      app.endRow();
    }
    app.closeSync();
    await conn.run(`COPY ${table} TO ${quote(file)} (FORMAT parquet, COMPRESSION zstd)`);
    await conn.run(`DROP TABLE ${table}`);
  }

  async read(q: InferenceLogQuery, options: ReadOptions = {}): Promise<LoggedRows> {
    return this.scan(q, emptyRows, async (conn, source, where) => {
      const total = Number((await conn.runAndReadAll(`SELECT count(*) AS n FROM ${source} WHERE ${where}`)).getRowObjectsJS()[0]!.n);
      // Unordered: sorting every column of a million rows costs more than the monitor's work; it
      // orders what it needs by `times`.
      const columns = options.inputs === false ? `COLUMNS(c -> NOT starts_with(c, ${quote(INPUT)}) AND c NOT IN ('model', 'latency_ms'))` : '* EXCLUDE (model, latency_ms)';
      // Whole numbers as doubles: a DOUBLE vector is copied in bulk, a BIGINT one value by value.
      const doubles = '* REPLACE (row_index::DOUBLE AS row_index, version::DOUBLE AS version, time::DOUBLE AS time)';
      return readColumns(conn, `SELECT ${doubles} FROM (SELECT ${columns} FROM ${source} WHERE ${where})`, total);
    });
  }

  // In DuckDB, where the files are: one aggregate pass and one sample of rows, so a million rows x
  // 50 features never cross into Node (moving them costs ~150 ms per column).
  async summarizeInputs(q: InferenceLogQuery, spec: InputSummarySpec): Promise<InputSummary> {
    return this.scan(q, () => ({ rows: 0, features: new Map() }), (conn, source, where) => summarizeInDuckDb(conn, source, where, INPUT, spec));
  }

  async requests(q: InferenceLogQuery): Promise<LoggedRequests> {
    return this.scan(q, emptyRequests, async (conn, source, where) => {
      const result = await conn.runAndReadAll(`SELECT min(time) AS t, max(latency_ms) AS l, min(version) AS v, count(*) AS n FROM ${source} WHERE ${where} GROUP BY request_id`);
      const out = emptyRequests();
      for (const [t, l, v, n] of result.getRows()) {
        out.times.push(Number(t));
        out.latencyMs.push(Number(l));
        out.versions.push(Number(v));
        out.rows.push(Number(n));
      }
      out.count = out.times.length;
      return out;
    });
  }

  // The Parquet files of the window's days (copied to a temp folder unless the store is local),
  // handed to `query` as one DuckDB source with the window's WHERE clause.
  private async scan<T>(q: InferenceLogQuery, empty: () => T, query: (conn: DuckDBConnection, source: string, where: string) => Promise<T>): Promise<T> {
    const base = `${INFERENCE_LOG_PREFIX}/model=${modelSegment(q.model)}`;
    const first = dayOf(q.from);
    const last = dayOf(Math.max(q.from, q.to - 1));
    const keys: string[] = [];
    for await (const f of this.artifacts.listRecursive(base)) {
      const m = /\/version=(\d+)\/day=(\d{4}-\d{2}-\d{2})\/[^/]+\.parquet$/.exec(f.path);
      if (!m || (q.version !== undefined && Number(m[1]) !== q.version) || m[2]! < first || m[2]! > last) continue;
      keys.push(f.path);
    }
    if (!keys.length) return empty();
    let temp: string | null = null;
    const files: string[] = [];
    for (const key of keys) {
      const local = this.options.localPath?.(key);
      if (local) {
        files.push(local);
        continue;
      }
      temp ??= await mkdtemp(join(tmpdir(), 'cairn-inference-read-'));
      const target = join(temp, `${files.length}.parquet`);
      const { stream } = await this.artifacts.get(key);
      const { createWriteStream } = await import('node:fs');
      const { pipeline } = await import('node:stream/promises');
      await pipeline(stream, createWriteStream(target));
      files.push(target);
    }
    const conn = await this.connect('read');
    try {
      const where = `time >= ${Math.floor(q.from)} AND time < ${Math.ceil(q.to)}${q.version !== undefined ? ` AND version = ${q.version}` : ''}`;
      return await query(conn, await distinctRows(conn, `[${files.map(quote).join(', ')}]`, where), where);
    } finally {
      conn.closeSync();
      if (temp) await rm(temp, { recursive: true, force: true });
    }
  }

  async close(): Promise<void> {
    for (const kind of ['write', 'read'] as const) {
      const instance = this.instances[kind];
      delete this.instances[kind];
      if (instance) (await instance.catch(() => null))?.closeSync();
    }
  }
}

// A request id keys its rows, as in the database log: a caller that sends one X-Request-Id twice
// (a retry) has its rows counted once, the first (by time, then file). Files hold both, so reads
// pick; one pass over the two key columns (~70 ms for a million rows) finds whether there is
// anything to pick at all. The files of one model and window are read as one source.
async function distinctRows(conn: DuckDBConnection, files: string, where: string): Promise<string> {
  const source = `read_parquet(${files}, union_by_name = true)`;
  const reused = await conn.runAndReadAll(`SELECT 1 FROM ${source} WHERE ${where} GROUP BY request_id, row_index HAVING count(*) > 1 LIMIT 1`);
  if (!reused.getRows().length) return source;
  return `(SELECT * EXCLUDE (filename) FROM read_parquet(${files}, union_by_name = true, filename = true) WHERE ${where} QUALIFY row_number() OVER (PARTITION BY request_id, row_index ORDER BY time, filename) = 1)`;
}

// Reads a result chunk by chunk straight into columns: DOUBLE columns into a Float64Array (NaN for
// null), which is what the monitor computes over; 1M rows x 50 features stay a few hundred MB and
// no per-value objects are made.
async function readColumns(conn: DuckDBConnection, sql: string, total: number): Promise<LoggedRows> {
  const result = await conn.run(sql);
  const names = result.columnNames();
  const types = result.columnTypes().map((t) => t.toString());
  const cols: Array<Float64Array | unknown[]> = names.map((_, j) => (types[j] === 'DOUBLE' ? new Float64Array(total) : new Array<unknown>(total)));
  let at = 0;
  for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    const n = chunk.rowCount;
    for (let j = 0; j < names.length; j++) {
      const vector = chunk.getColumnVector(j) as unknown as { getItem(i: number): unknown };
      const col = cols[j]!;
      if (col instanceof Float64Array) {
        copyDoubles(vector, col, at, n);
      } else {
        for (let i = 0; i < n; i++) {
          const v = vector.getItem(i);
          col[at + i] = typeof v === 'bigint' ? Number(v) : v;
        }
      }
    }
    at += n;
  }
  const col = (name: string): Float64Array | unknown[] => cols[names.indexOf(name)] ?? [];
  const out = emptyRows();
  out.count = at;
  out.requestIds = col('request_id') as string[];
  out.rows = Array.from(col('row_index') as number[]);
  out.times = Array.from(col('time') as number[]);
  out.versions = Array.from(col('version') as number[]);
  out.entities = col('entity') as Array<string | null>;
  const numericOut = names.includes('output') ? (col('output') as Float64Array) : null;
  const jsonOut = names.includes('output_json') ? (col('output_json') as Array<string | null>) : null;
  out.outputs = Array.from({ length: at }, (_, i) => {
    if (numericOut && numericOut[i] === numericOut[i]) return numericOut[i];
    const j = jsonOut?.[i];
    return j != null ? (JSON.parse(j) as unknown) : null;
  });
  names.forEach((n, j) => {
    if (n.startsWith(INPUT)) out.inputs.set(n.slice(INPUT.length), cols[j]!);
  });
  return out;
}
