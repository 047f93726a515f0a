import type { OnlineReadRequest, OnlineRecord, OnlineStore, OnlineWrite } from '../online-store.js';

/** The subset of better-sqlite3 this store uses. */
export interface SqliteStatement {
  run(...params: unknown[]): unknown;
  get(...params: unknown[]): unknown;
}
export interface SqliteHandle {
  prepare(sql: string): SqliteStatement;
  exec(sql: string): unknown;
  transaction(fn: (view: string, rows: OnlineWrite[]) => void): (view: string, rows: OnlineWrite[]) => void;
  close(): unknown;
}

interface Row { event_ts: number; created_ts: number | null; payload: string }

/**
 * The embedded online store: one SQLite table keyed by (view, entity key). Reads are point lookups
 * on the primary key; writes are upserts guarded so an older row never replaces a newer one.
 *
 * @example
 * ```ts
 * const store = new SqliteOnlineStore(new BetterSqlite3('.cairn/online.db'));
 * ```
 */
export class SqliteOnlineStore implements OnlineStore {
  private readonly upsert: SqliteStatement;
  private readonly select: SqliteStatement;
  private readonly remove: SqliteStatement;
  private readonly writeMany: (view: string, rows: OnlineWrite[]) => void;

  constructor(private readonly db: SqliteHandle) {
    db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 60000;
      CREATE TABLE IF NOT EXISTS online_features (
        view TEXT NOT NULL, entity_key TEXT NOT NULL, event_ts INTEGER NOT NULL, created_ts INTEGER, payload TEXT NOT NULL,
        PRIMARY KEY (view, entity_key)) WITHOUT ROWID`);
    this.upsert = db.prepare(`INSERT INTO online_features (view, entity_key, event_ts, created_ts, payload) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (view, entity_key) DO UPDATE SET event_ts = excluded.event_ts, created_ts = excluded.created_ts, payload = excluded.payload
      WHERE excluded.event_ts > online_features.event_ts OR (excluded.event_ts = online_features.event_ts
        AND coalesce(excluded.created_ts, -9007199254740991) >= coalesce(online_features.created_ts, -9007199254740991))`);
    this.select = db.prepare('SELECT event_ts, created_ts, payload FROM online_features WHERE view = ? AND entity_key = ?');
    this.remove = db.prepare('DELETE FROM online_features WHERE view = ?');
    this.writeMany = db.transaction((view: string, rows: OnlineWrite[]) => {
      for (const r of rows) this.upsert.run(view, r.key, r.eventTs, r.createdTs, r.valuesJson);
    });
  }

  async write(view: string, _keyspace: string, rows: OnlineWrite[]): Promise<void> {
    this.writeMany(view, rows);
  }

  async read(requests: OnlineReadRequest[]): Promise<Array<Array<OnlineRecord | null>>> {
    return requests.map((r) => r.keys.map((k) => {
      const row = this.select.get(r.view, k) as Row | undefined;
      return row ? { eventTs: row.event_ts, createdTs: row.created_ts, valuesJson: row.payload } : null;
    }));
  }

  async deleteView(view: string): Promise<void> {
    this.remove.run(view);
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
