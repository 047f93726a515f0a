import { mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { CairnError, invalid } from '../../../errors.js';
import type { Field, FeatureViewSpec, PushSourceSpec } from '../../entities.js';
import { DUCKDB_TYPE, type ValueType } from '../../value-types.js';
import type { EntityBatch, PostgresSourceReader } from '../postgres/postgres-source-reader.js';
import type { HistoricalQuery, LatestRow, OfflineStore, PullLatestQuery, RetrievalJob } from '../offline-store.js';
import { appendValue } from './duckdb-append.js';
import { loadEntities } from './duckdb-entities.js';
import { latestRows } from './duckdb-latest.js';
import { pitSql, type JoinedView, type PrecomputedView } from './duckdb-pit-sql.js';
import { DuckDBRetrievalJob, tableDigest } from './duckdb-retrieval-job.js';
import { normalizedRows, pushFolder, type SourcePaths } from './duckdb-sources.js';
import { duckError, fromDuck, id, lit, timestampExpr } from './duckdb-sql.js';

export interface DuckDBOfflineStoreOptions extends SourcePaths {
  /** A database file, or `:memory:` (the default: nothing is kept but pushed rows, which are files). */
  path?: string;
  threads?: number;
  memoryLimit?: string;
  /** Where DuckDB spills when a join outgrows memory. */
  tempDirectory?: string;
  /** Reads views on PostgreSQL sources; absent when `features.postgres_uri` is not set. */
  postgres?: PostgresSourceReader;
}

/**
 * The embedded offline store: DuckDB reads the CSV and Parquet sources in place and runs the
 * point-in-time join as ASOF joins; views on PostgreSQL sources are joined inside PostgreSQL.
 *
 * @example
 * ```ts
 * const store = await DuckDBOfflineStore.open({ baseDir: projectDir, pushDir: '.cairn/feature-push' });
 * const job = await store.getHistoricalFeatures(query);
 * ```
 */
export class DuckDBOfflineStore implements OfflineStore {
  private constructor(private readonly instance: DuckDBInstance, private readonly options: DuckDBOfflineStoreOptions) {}

  static async open(options: DuckDBOfflineStoreOptions): Promise<DuckDBOfflineStore> {
    // Extensions are never downloaded: Parquet, JSON and ICU are built in.
    const config: Record<string, string> = { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' };
    if (options.threads) config.threads = String(options.threads);
    if (options.memoryLimit) config.memory_limit = options.memoryLimit;
    if (options.tempDirectory) {
      mkdirSync(options.tempDirectory, { recursive: true });
      config.temp_directory = options.tempDirectory;
    }
    if (options.path && options.path !== ':memory:') mkdirSync(join(options.path, '..'), { recursive: true });
    const instance = await DuckDBInstance.create(options.path ?? ':memory:', config);
    return new DuckDBOfflineStore(instance, options);
  }

  private async connect(): Promise<DuckDBConnection> {
    const conn = await this.instance.connect();
    await conn.run(`SET TimeZone = 'UTC'`);
    return conn;
  }

  async getHistoricalFeatures(query: HistoricalQuery): Promise<RetrievalJob> {
    const conn = await this.connect();
    const tag = randomBytes(4).toString('hex');
    try {
      const keyTypes = new Map<string, ValueType>();
      for (const v of query.views) for (const k of v.view.joinKeys) keyTypes.set(k.name, k.type);
      const entityTable = `__entities_${tag}`;
      const entityColumns = await loadEntities(conn, entityTable, query.entities, keyTypes, query.timestampColumn, this.options.baseDir);
      const reserved = entityColumns.find((c) => c.name.startsWith('__'));
      if (reserved) throw invalid(`Entity column '${reserved.name}': names starting with '__' are reserved.`);
      const tsType = entityColumns.find((c) => c.name === query.timestampColumn)!.type;
      const nullTs = await conn.runAndReadAll(`SELECT min(rowid) AS r FROM ${id(entityTable)} WHERE ${id(query.timestampColumn)} IS NULL`);
      const missing = nullTs.getRowObjectsJS()[0]?.r;
      if (missing !== null && missing !== undefined) throw invalid(`Entity row ${String(missing)} has no '${query.timestampColumn}': every row needs the time to look features up at.`);
      const entityDigest = await tableDigest(conn, entityTable, true);
      const joined: JoinedView[] = [];
      const precomputed: PrecomputedView[] = [];
      for (const [i, v] of query.views.entries()) {
        if (v.view.source.type === 'postgres') {
          precomputed.push(await this.pushDown(conn, v.view, v.features, query, entityTable, tsType, `__pg_${tag}_${i}`));
        } else {
          joined.push({ view: v.view, rowsSql: await normalizedRows(conn, v.view, this.options), features: v.features });
        }
      }
      const order = [...entityColumns.map((c) => c.name), ...(query.featureOrder ?? query.views.flatMap((v) => v.features.map((f) => f.column)))];
      const clash = order.find((c, i) => order.indexOf(c) !== i);
      if (clash) throw invalid(`A feature column has the name of an entity column ('${clash}'). Set fullFeatureNames or rename the entity column.`);
      const resultTable = `__result_${tag}`;
      const sql = pitSql({ entityTable, entityColumns, timestampColumn: query.timestampColumn, joined, precomputed, filterByCreatedTimestamp: query.filterByCreatedTimestamp, order }, resultTable);
      try {
        await conn.run(sql);
      } catch (e) {
        throw duckError(e, 'Historical retrieval');
      }
      await conn.run([entityTable, ...precomputed.map((p) => p.table)].map((t) => `DROP TABLE ${id(t)};`).join(' '));
      return await DuckDBRetrievalJob.open(conn, resultTable, entityDigest);
    } catch (e) {
      conn.closeSync();
      throw e;
    }
  }

  private async pushDown(conn: DuckDBConnection, view: FeatureViewSpec, features: Array<{ feature: string; column: string }>, query: HistoricalQuery, entityTable: string, tsType: string, table: string): Promise<PrecomputedView> {
    const pg = this.options.postgres;
    if (!pg) throw new CairnError('FAILED_PRECONDITION', `View '${view.name}' reads PostgreSQL source '${view.source.name}', but features.postgres_uri is not set. Set it (or CAIRN_FEATURES_POSTGRES_URI).`);
    const keys = view.joinKeys.map((k) => `CAST(${id(k.name)} AS ${DUCKDB_TYPE[k.type]})`).join(', ');
    const reader = await conn.runAndReadAll(`SELECT rowid AS r, epoch_us(${timestampExpr(id(query.timestampColumn), tsType)}) AS t${keys ? `, ${keys}` : ''} FROM ${id(entityTable)} ORDER BY rowid`).catch((e: unknown) => {
      throw duckError(e, `Entity join keys for view '${view.name}'`);
    });
    const all = reader.getRowsJS();
    async function* batches(): AsyncIterable<EntityBatch> {
      for (let i = 0; i < all.length; i += 20_000) {
        const slice = all.slice(i, i + 20_000);
        yield { rows: slice.map((r) => Number(r[0])), tsMicros: slice.map((r) => r[1] as bigint), keys: slice.map((r) => r.slice(2).map(fromDuck)) };
      }
    }
    const names = features.map((f) => f.feature);
    const fields = names.map((n) => view.features.find((f) => f.name === n)!);
    await conn.run(`CREATE TEMP TABLE ${id(table)} (__row BIGINT, ${fields.map((f) => `${id(f.name)} ${DUCKDB_TYPE[f.type]}`).join(', ')})`);
    await pg.pointInTime(view, names, query.filterByCreatedTimestamp, batches(), async (rows) => {
      const app = await conn.createAppender(table, 'main', 'temp');
      try {
        for (const r of rows) {
          app.appendBigInt(BigInt(r[0] as number));
          fields.forEach((f, i) => appendValue(app, f.type, r[i + 1]));
          app.endRow();
        }
        app.flushSync();
      } finally {
        app.closeSync();
      }
    });
    return { table, features };
  }

  async *pullLatest(query: PullLatestQuery): AsyncIterable<LatestRow[]> {
    const { view, start, end, batchSize } = query;
    if (view.source.type === 'postgres') {
      if (!this.options.postgres) throw new CairnError('FAILED_PRECONDITION', `View '${view.name}' reads a PostgreSQL source, but features.postgres_uri is not set.`);
      yield* this.options.postgres.latest(view, start, end, batchSize);
      return;
    }
    const conn = await this.connect();
    try {
      yield* latestRows(conn, view, await normalizedRows(conn, view, this.options), start, end, batchSize);
    } catch (e) {
      throw duckError(e, `Reading view '${view.name}' for materialization`);
    } finally {
      conn.closeSync();
    }
  }

  async writePushed(source: PushSourceSpec, columns: Field[], rows: Array<Record<string, unknown>>): Promise<void> {
    const dir = pushFolder(source, this.options);
    mkdirSync(dir, { recursive: true });
    const conn = await this.connect();
    const table = `__push_${randomBytes(4).toString('hex')}`;
    try {
      await conn.run(`CREATE TEMP TABLE ${id(table)} (${columns.map((c) => `${id(c.name)} ${DUCKDB_TYPE[c.type]}`).join(', ')})`);
      const app = await conn.createAppender(table, 'main', 'temp');
      try {
        for (const r of rows) {
          for (const c of columns) appendValue(app, c.type, r[c.name]);
          app.endRow();
        }
        app.flushSync();
      } finally {
        app.closeSync();
      }
      // Time-ordered names keep folder listings in push order.
      const file = join(dir, `${Date.now().toString().padStart(15, '0')}-${randomBytes(4).toString('hex')}.parquet`);
      await conn.run(`COPY ${id(table)} TO ${lit(file)} (FORMAT parquet)`);
    } finally {
      conn.closeSync();
    }
  }

  async close(): Promise<void> {
    await this.options.postgres?.close();
    this.instance.closeSync();
  }
}

