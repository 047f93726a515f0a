import { CairnError, invalid } from '../../../errors.js';
import type { FeatureViewSpec, PostgresSourceSpec } from '../../entities.js';
import { microsToMs, msToMicros } from '../../micro-time.js';
import { POSTGRES_TYPE } from '../../value-types.js';
import type { LatestRow } from '../offline-store.js';

/** The part of a `pg` client this reader uses (a pooled client, released by `release`). */
export interface PgClient {
  query(text: string, values?: unknown[]): Promise<{ rows: Array<Record<string, unknown>>; fields: Array<{ name: string; dataTypeID: number }> }>;
  release(err?: Error | boolean): void;
}
export interface PgPool { connect(): Promise<PgClient>; end(): Promise<void> }

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;
const INT_OIDS = new Set([20, 21, 23]);
const FLOAT_OIDS = new Set([700, 701, 1700]);

/** SQL for a timestamptz's epoch microseconds (exact: PostgreSQL's extract gives a numeric). */
const US = (expr: string) => `(extract(epoch from ${expr}) * 1000000)::bigint`;
/** SQL for the timestamptz of a bigint parameter of epoch microseconds. */
const FROM_US = (param: string) => `(timestamptz 'epoch' + ${param}::bigint * interval '1 microsecond')`;
const fromMicros = (v: unknown): number | null => (v === null || v === undefined ? null : microsToMs(BigInt(v as number | string | bigint)));

/** An entity batch for a pushed-down join: row numbers, join key columns, lookup times (epoch µs). */
export interface EntityBatch { rows: number[]; keys: unknown[][]; tsMicros: bigint[] }

/**
 * Runs a view's point-in-time join and its latest-per-entity reads inside PostgreSQL: the source is
 * never copied out whole, only the matching rows come back.
 */
export class PostgresSourceReader {
  constructor(private readonly pool: PgPool) {}

  private async relation(client: PgClient, view: FeatureViewSpec): Promise<string> {
    const s = view.source as PostgresSourceSpec;
    const rel = s.table ? s.table.split('.').map(q).join('.') : `(${s.query})`;
    let fields;
    try {
      fields = (await client.query(`SELECT * FROM ${rel} AS __src LIMIT 0`)).fields;
    } catch (e) {
      throw new CairnError('FAILED_PRECONDITION', `PostgreSQL source '${s.name}' cannot be read: ${(e as Error).message}`, { cause: e });
    }
    const oid = (name: string) => {
      const f = fields.find((x) => x.name === name);
      if (!f) throw invalid(`Source '${s.name}' has no column '${name}', which view '${view.name}' needs. Its columns: ${fields.map((x) => x.name).join(', ')}.`);
      return f.dataTypeID;
    };
    const ts = (name: string) => {
      const t = oid(name);
      return INT_OIDS.has(t) || FLOAT_OIDS.has(t) ? `to_timestamp(${q(name)}::double precision / 1000.0)` : `${q(name)}::timestamptz`;
    };
    const cols = [
      ...view.joinKeys.map((k) => `${q(k.name)}::${POSTGRES_TYPE[k.type]} AS ${q(k.name)}`),
      `${ts(s.timestampField)} AS __ts`,
      `${s.createdTimestampField ? ts(s.createdTimestampField) : 'NULL::timestamptz'} AS __created`,
      ...view.features.map((f) => { oid(f.name); return `${q(f.name)}::${POSTGRES_TYPE[f.type]} AS ${q(f.name)}`; }),
    ];
    return `(SELECT ${cols.join(', ')} FROM ${rel} AS __src WHERE ${q(s.timestampField)} IS NOT NULL)`;
  }

  private async withClient<T>(fn: (c: PgClient) => Promise<T>): Promise<T> {
    let client: PgClient;
    try {
      client = await this.pool.connect();
    } catch (e) {
      throw new CairnError('UNAVAILABLE', `Cannot reach PostgreSQL for feature sources (features.postgres_uri): ${(e as Error).message}`, { cause: e });
    }
    try {
      await client.query("BEGIN; SET LOCAL TIME ZONE 'UTC'");
      const out = await fn(client);
      await client.query('COMMIT');
      client.release();
      return out;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => {});
      client.release(true);
      throw e;
    }
  }

  /**
   * The point-in-time join for one view: uploads the entity keys and times into a temp table, joins
   * in PostgreSQL (LATERAL, newest row first), and hands back `[row, ...features]` in batches.
   */
  async pointInTime(
    view: FeatureViewSpec, features: string[], filterByCreated: boolean, entities: AsyncIterable<EntityBatch>,
    onRows: (rows: unknown[][]) => Promise<void>, batchSize = 10_000,
  ): Promise<void> {
    await this.withClient(async (c) => {
      const keys = view.joinKeys.map((k, i) => `k${i} ${POSTGRES_TYPE[k.type]}`);
      await c.query(`CREATE TEMP TABLE __cairn_e (row bigint, ${keys.join(', ')}${keys.length ? ', ' : ''}ts timestamptz) ON COMMIT DROP`);
      for await (const b of entities) {
        const arrays = [b.rows, ...view.joinKeys.map((_, i) => b.keys.map((k) => k[i] ?? null)), b.tsMicros.map(String)];
        const casts = ['bigint[]', ...view.joinKeys.map((k) => `${POSTGRES_TYPE[k.type]}[]`)];
        const params = arrays.map((_, i) => (i < casts.length ? `$${i + 1}::${casts[i]}` : `$${i + 1}::bigint[]`));
        const cols = params.map((p, i) => (i === params.length - 1 ? `timestamptz 'epoch' + ts_us * interval '1 microsecond'` : `c${i}`));
        const names = params.map((_, i) => (i === params.length - 1 ? 'ts_us' : `c${i}`));
        await c.query(`INSERT INTO __cairn_e SELECT ${cols.join(', ')} FROM unnest(${params.join(', ')}) AS u(${names.join(', ')})`, arrays);
      }
      await c.query('ANALYZE __cairn_e');
      const rel = await this.relation(c, view);
      const conds = [
        ...view.joinKeys.map((k, i) => `s.${q(k.name)} = e.k${i}`), 's.__ts <= e.ts',
        ...(view.ttlMs !== null ? [`s.__ts >= e.ts - ${view.ttlMs} * interval '1 millisecond'`] : []),
        ...(filterByCreated && view.source.createdTimestampField ? ['(s.__created IS NULL OR s.__created <= e.ts)'] : []),
      ];
      const isTime = features.map((f) => view.features.find((x) => x.name === f)?.type === 'timestamp');
      const sel = features.map((f, i) => (isTime[i] ? `${US(`f.${q(f)}`)} AS ${q(f)}` : `f.${q(f)}`)).join(', ');
      await c.query(`DECLARE __cairn_c NO SCROLL CURSOR FOR SELECT e.row, ${sel} FROM __cairn_e e LEFT JOIN LATERAL (
        SELECT ${features.map((f) => `s.${q(f)}`).join(', ')} FROM ${rel} s WHERE ${conds.join(' AND ')}
        ORDER BY s.__ts DESC, s.__created DESC NULLS LAST LIMIT 1) f ON true`);
      for (;;) {
        const { rows } = await c.query(`FETCH ${batchSize} FROM __cairn_c`);
        if (!rows.length) break;
        await onRows(rows.map((r) => [Number(r.row), ...features.map((f, i) => (isTime[i] ? fromMicros(r[f]) : r[f]))]));
      }
    });
  }

  /** For each entity, its newest row with start <= event time <= end (DISTINCT ON, in PostgreSQL; compared in microseconds). */
  async *latest(view: FeatureViewSpec, start: number, end: number, batchSize: number): AsyncIterable<LatestRow[]> {
    const client = await this.pool.connect().catch((e: Error) => {
      throw new CairnError('UNAVAILABLE', `Cannot reach PostgreSQL for feature sources: ${e.message}`, { cause: e });
    });
    let ok = false;
    try {
      await client.query("BEGIN; SET LOCAL TIME ZONE 'UTC'");
      const rel = await this.relation(client, view);
      const keys = view.joinKeys.map((k) => `s.${q(k.name)}`).join(', ');
      // Times come back as epoch microseconds (a JavaScript Date holds only milliseconds).
      const times = view.features.map((f, i) => (f.type === 'timestamp' ? `, ${US(`s.${q(f.name)}`)} AS __us${i}` : '')).join('');
      await client.query(`DECLARE __cairn_l NO SCROLL CURSOR FOR SELECT DISTINCT ON (${keys}) s.*, ${US('s.__ts')} AS __ts_us, ${US('s.__created')} AS __created_us${times} FROM ${rel} s
        WHERE s.__ts >= ${FROM_US('$1')} AND s.__ts <= ${FROM_US('$2')}${view.joinKeys.map((k) => ` AND s.${q(k.name)} IS NOT NULL`).join('')}
        ORDER BY ${keys}, s.__ts DESC, s.__created DESC NULLS LAST`, [String(msToMicros(start)), String(msToMicros(end))]);
      for (;;) {
        const { rows } = await client.query(`FETCH ${batchSize} FROM __cairn_l`);
        if (!rows.length) break;
        yield rows.map((r) => ({
          key: view.joinKeys.map((k) => r[k.name]),
          eventTs: fromMicros(r.__ts_us) as number,
          createdTs: fromMicros(r.__created_us),
          values: Object.fromEntries(view.features.map((f, i) => [f.name, f.type === 'timestamp' ? fromMicros(r[`__us${i}`]) : r[f.name]])),
        }));
      }
      await client.query('COMMIT');
      ok = true;
    } finally {
      if (!ok) await client.query('ROLLBACK').catch(() => {});
      client.release(!ok);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
