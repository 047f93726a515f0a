import type { Kysely } from 'kysely';
import { emptyRequests, emptyRows, type InferenceLogQuery, type InferenceRecord, type LoggedRequests, type LoggedRows, type ReadOptions } from '../entities.js';
import { summarizeRows, type InputSummary, type InputSummarySpec } from '../input-summary.js';
import type { InferenceLogStore } from '../inference-log-store.js';
import type { ServingTables } from './rows.js';

// SQLite binds at most 32,766 variables per statement and PostgreSQL 65,535; nine columns a row.
const ROWS_PER_INSERT = 1000;

const json = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? Number(x) : x)) ?? 'null';

/** The inference log in the metadata database (`serving.inference_log.store: database`): one row per scored row. */
export class SqlInferenceLogStore implements InferenceLogStore {
  constructor(private readonly db: Kysely<ServingTables>) {}

  async append(records: InferenceRecord[]): Promise<void> {
    if (!records.length) return;
    // One transaction: a batch is stored whole or not at all. A row already stored (a batch written
    // again from the spool, a request id sent twice) is skipped whatever the key's columns are, so a
    // server started before a migration that changes them keeps writing.
    await this.db.transaction().execute(async (trx) => {
      for (let i = 0; i < records.length; i += ROWS_PER_INSERT) {
        await trx.insertInto('inference_log').values(records.slice(i, i + ROWS_PER_INSERT).map((r) => ({
          request_id: r.requestId, row_index: r.row, model: r.model, version: r.version, time: Math.floor(r.time),
          entity: r.entity, inputs: json(r.inputs), output: json(r.output), latency_ms: r.latencyMs,
        }))).onConflict((oc) => oc.doNothing()).execute();
      }
    });
  }

  async read(q: InferenceLogQuery, options: ReadOptions = {}): Promise<LoggedRows> {
    const withInputs = options.inputs !== false;
    let query = this.db.selectFrom('inference_log').select(['request_id', 'row_index', 'version', 'time', 'entity', 'output'])
      .$if(withInputs, (qb) => qb.select('inputs'))
      .where('model', '=', q.model).where('time', '>=', q.from).where('time', '<', q.to);
    if (q.version !== undefined) query = query.where('version', '=', q.version);
    const rows = await query.orderBy('time').orderBy('request_id').orderBy('row_index').execute();
    const out = emptyRows();
    for (const r of rows) {
      out.requestIds.push(r.request_id);
      out.rows.push(Number(r.row_index));
      out.times.push(Number(r.time));
      out.versions.push(Number(r.version));
      out.entities.push(r.entity);
      out.outputs.push(JSON.parse(r.output));
    }
    if (withInputs) out.inputs = inputColumns(rows as Array<{ inputs: string }>);
    out.count = rows.length;
    return out;
  }

  // In memory: the database log is for modest traffic (the Parquet log summarizes in DuckDB). Only
  // the inputs are read (the monitor has read ids, times and outputs already).
  async summarizeInputs(q: InferenceLogQuery, spec: InputSummarySpec): Promise<InputSummary> {
    let query = this.db.selectFrom('inference_log').select('inputs').where('model', '=', q.model).where('time', '>=', q.from).where('time', '<', q.to);
    if (q.version !== undefined) query = query.where('version', '=', q.version);
    const rows = await query.execute();
    return summarizeRows({ ...emptyRows(), inputs: inputColumns(rows), count: rows.length }, spec);
  }

  async requests(q: InferenceLogQuery): Promise<LoggedRequests> {
    let query = this.db.selectFrom('inference_log')
      .select((eb) => [eb.fn.min('time').as('time'), eb.fn.max('latency_ms').as('latency'), eb.fn.min('version').as('version'), eb.fn.countAll().as('rows')])
      .where('model', '=', q.model).where('time', '>=', q.from).where('time', '<', q.to);
    if (q.version !== undefined) query = query.where('version', '=', q.version);
    const rows = await query.groupBy('request_id').execute();
    const out = emptyRequests();
    for (const r of rows) {
      out.times.push(Number(r.time));
      out.latencyMs.push(Number(r.latency));
      out.versions.push(Number(r.version));
      out.rows.push(Number(r.rows));
    }
    out.count = rows.length;
    return out;
  }

  async close(): Promise<void> {}
}

/** Logged inputs (one JSON object per row) as one column per name, null where a row had none. */
function inputColumns(rows: Array<{ inputs: string }>): Map<string, unknown[]> {
  const inputs = new Map<string, unknown[]>();
  rows.forEach((r, i) => {
    for (const [k, v] of Object.entries(JSON.parse(r.inputs) as Record<string, unknown>)) {
      let col = inputs.get(k);
      if (!col) inputs.set(k, (col = new Array<unknown>(i).fill(null)));
      col.push(v);
    }
    for (const col of inputs.values()) if (col.length === i) col.push(null);
  });
  return inputs;
}
