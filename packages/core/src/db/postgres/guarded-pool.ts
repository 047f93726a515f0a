import { AsyncLocalStorage } from 'node:async_hooks';
import { connect, type Socket } from 'node:net';
import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import type pg from 'pg';
import type { CairnError } from '../../errors.js';
import { databaseUnavailable, isConnectionFailure, isQueryCanceled, poolExhausted, queryAbandoned, statementTimedOut } from './postgres-failure.js';

export interface GuardedPoolOptions {
  /** `host:port/db` for messages (never the password). */
  where: string;
  maxConnections: number;
  /** PostgreSQL's statement_timeout, also enforced by the client when the server stops answering; 0: none. */
  statementTimeoutMs: number;
  /** How long `connect()` may wait for a pooled connection (a free one or a new one). */
  connectTimeoutMs: number;
}

// After the server's statement_timeout, how long the client waits for the server's own cancellation
// before it gives up on the connection (the server, or the path to it, is not answering).
const CLIENT_GRACE_MS = 1000;
// After a cancel request, how long the query may take to stop before its connection is dropped.
const CANCEL_GRACE_MS = 1000;

/**
 * pg's pool as Kysely uses it, made safe against a database that goes away or hangs:
 * - every failure to reach the database is a CairnError UNAVAILABLE (503), never a crash or a 500;
 * - a statement gets the server's `statement_timeout`; when the server does not answer even then
 *   (stalled, or the network path is lost) the client drops the connection, so a request fails in
 *   bounded time and the pool slot comes back;
 * - waiting for a connection is bounded by the acquire timeout;
 * - queries started under {@link withSignal} are cancelled on the server when the signal aborts
 *   (an HTTP client that disconnected), so an abandoned search stops running.
 */
export class GuardedPool implements PostgresPool {
  private readonly signals = new AsyncLocalStorage<AbortSignal>();
  private scopes = 0;

  constructor(private readonly pool: pg.Pool, readonly options: GuardedPoolOptions) {}

  /**
   * Runs `fn`; queries it starts (however deep) until its promise settles are cancelled when
   * `signal` aborts. On Node 20 an enabled AsyncLocalStorage costs about 100 ns on every await in
   * the process, so it is switched off again whenever no such work is running.
   */
  withSignal<T>(signal: AbortSignal, fn: () => T): T {
    this.scopes++;
    let result: T;
    try {
      result = this.signals.run(signal, fn);
    } catch (e) {
      this.leave();
      throw e;
    }
    if (!(result instanceof Promise)) {
      this.leave();
      return result;
    }
    return result.finally(() => this.leave()) as T;
  }

  private leave(): void {
    if (--this.scopes === 0) this.signals.disable();
  }

  /** The abort signal of the work running now, if any. */
  get currentSignal(): AbortSignal | undefined {
    return this.signals.getStore();
  }

  async connect(): Promise<GuardedClient> {
    const signal = this.currentSignal;
    if (signal?.aborted) throw queryAbandoned();
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (e) {
      const { where, maxConnections, connectTimeoutMs } = this.options;
      throw /^timeout exceeded when trying to connect/.test((e as Error).message) ? poolExhausted(where, maxConnections, connectTimeoutMs, e) : databaseUnavailable(where, e);
    }
    if (signal?.aborted) {
      client.release();
      throw queryAbandoned();
    }
    return new GuardedClient(client, this);
  }

  end(): Promise<void> {
    return this.pool.end();
  }
}

/** One checked-out connection; see {@link GuardedPool}. */
export class GuardedClient implements PostgresPoolClient {
  private broken: CairnError | null = null;
  private readonly onError = (e: Error) => this.break(databaseUnavailable(this.owner.options.where, e));

  constructor(private readonly inner: pg.PoolClient, private readonly owner: GuardedPool) {
    // pg emits 'error' on a checked-out client whose connection breaks; unheard, it would crash the process.
    inner.on('error', this.onError);
  }

  query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>>;
  query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  query<R>(sql: string | PostgresCursor<R>, parameters?: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
    // Cursors (streaming) pass through; Kysely sends everything else as (text, values).
    if (typeof sql !== 'string') return (this.inner.query as unknown as (c: PostgresCursor<R>) => PostgresCursor<R>)(sql);
    return this.run(sql, parameters ?? []) as Promise<PostgresQueryResult<R>>;
  }

  release(destroy?: boolean): void {
    this.inner.off('error', this.onError);
    // A broken connection is closed instead of going back to the pool.
    this.inner.release(this.broken ?? destroy ?? undefined);
  }

  private async run(text: string, values: ReadonlyArray<unknown>): Promise<unknown> {
    if (this.broken) throw this.broken;
    const { where, statementTimeoutMs } = this.owner.options;
    const signal = this.owner.currentSignal;
    if (signal?.aborted) throw queryAbandoned();
    let abandoned = false;
    let grace: NodeJS.Timeout | undefined;
    const onAbort = () => {
      abandoned = true;
      sendCancelRequest(this.inner);
      grace = setTimeout(() => this.break(queryAbandoned()), CANCEL_GRACE_MS);
    };
    const timer = statementTimeoutMs > 0 ? setTimeout(() => this.break(statementTimedOut(where, statementTimeoutMs, new Error('no answer from the server'))), statementTimeoutMs + CLIENT_GRACE_MS) : undefined;
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await this.inner.query(text, values as unknown[]);
    } catch (e) {
      if (this.broken) throw this.broken;
      if (isQueryCanceled(e)) throw abandoned ? queryAbandoned(e) : statementTimedOut(where, statementTimeoutMs, e);
      if (isConnectionFailure(e)) throw (this.broken = databaseUnavailable(where, e));
      throw e;
    } finally {
      clearTimeout(timer);
      clearTimeout(grace);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  // Gives up on the connection: its socket is destroyed, which fails the pending query at once. A
  // server that is alive but slow would go on running the query, so it is asked to cancel it too.
  private break(reason: CairnError): void {
    if (this.broken) return;
    this.broken = reason;
    sendCancelRequest(this.inner);
    (this.inner as unknown as { connection?: { stream?: Socket } }).connection?.stream?.destroy();
  }
}

/**
 * Asks PostgreSQL to cancel what a connection is running: the protocol's CancelRequest, sent on a
 * connection of its own (no pool slot, no authentication), with the key the server gave at login.
 */
function sendCancelRequest(client: pg.PoolClient): void {
  const c = client as unknown as { processID?: number | null; secretKey?: number | null; host?: string; port?: number };
  if (c.processID == null || c.secretKey == null || !c.host || !c.port) return;
  const message = Buffer.alloc(16);
  message.writeInt32BE(16, 0);
  message.writeInt32BE(80877102, 4);
  message.writeInt32BE(c.processID, 8);
  message.writeInt32BE(c.secretKey, 12);
  const socket = c.host.startsWith('/') ? connect(`${c.host}/.s.PGSQL.${c.port}`) : connect(c.port, c.host);
  socket.setTimeout(CANCEL_GRACE_MS, () => socket.destroy());
  socket.on('error', () => {});
  socket.on('connect', () => socket.end(message));
}
