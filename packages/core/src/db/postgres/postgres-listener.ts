import type { Socket } from 'node:net';
import pg from 'pg';
import { parsePostgresUri } from './postgres-database.js';

export interface ListenerHandlers {
  /** A notification arrived on one of the channels. */
  notification(channel: string, payload: string): void;
  /**
   * `false` as soon as the connection is lost (notifications may be missed from then on), `true`
   * once it listens again. Called with `true` first when the initial LISTEN succeeds.
   */
  listening(up: boolean): void;
}

export interface PostgresListenerOptions {
  /** The store URI (`postgres://…`; channels are per database, `?schema=` only names the connection). */
  uri: string;
  channels: string[];
  handlers: ListenerHandlers;
  /** First delay before reconnecting; it doubles up to `maxRetryMs`. */
  retryMs?: number;
  maxRetryMs?: number;
}

/**
 * A dedicated connection that LISTENs on PostgreSQL notification channels, outside the query pool
 * (a pooled connection is shared, and would miss notifications while another query holds it). It
 * reconnects with backoff after any error and says when it is (not) listening, so callers can stop
 * trusting what notifications keep fresh. Its socket is unref'd: it never keeps a process alive.
 */
export class PostgresListener {
  private client: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private delay: number;
  private readonly retryMs: number;
  private readonly maxRetryMs: number;

  constructor(private readonly options: PostgresListenerOptions) {
    this.retryMs = options.retryMs ?? 100;
    this.maxRetryMs = options.maxRetryMs ?? 5000;
    this.delay = this.retryMs;
  }

  /** Whether the connection is up and listening. */
  get listening(): boolean {
    return this.client !== null;
  }

  /** The server process id of the listening connection (tests, diagnostics), or null when down. */
  get backendPid(): number | null {
    return (this.client as unknown as { processID?: number } | null)?.processID ?? null;
  }

  /** Connects and listens in the background; the promise settles after the first try (never rejects). */
  start(): Promise<void> {
    return this.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.connecting;
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => {});
  }

  private connect(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.connecting ??= this.tryConnect().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async tryConnect(): Promise<void> {
    const { connectionString, schema } = parsePostgresUri(this.options.uri);
    // Named after the store's schema, so an operator (or a test) can tell whose listener it is.
    const client = new pg.Client({ connectionString, keepAlive: true, connectionTimeoutMillis: 5000, application_name: `cairn-listener${schema ? `:${schema}` : ''}`.slice(0, 63) });
    let lost = false;
    const onLost = () => {
      if (lost) return;
      lost = true;
      const wasListening = this.client === client;
      if (wasListening) this.client = null;
      client.end().catch(() => {});
      if (wasListening) this.options.handlers.listening(false);
      this.schedule();
    };
    client.on('error', onLost);
    client.on('end', onLost);
    client.on('notification', (n) => {
      if (!lost) this.options.handlers.notification(n.channel, n.payload ?? '');
    });
    try {
      await client.connect();
      (client as unknown as { connection: { stream: Socket } }).connection.stream.unref?.();
      for (const channel of this.options.channels) await client.query(`listen ${client.escapeIdentifier(channel)}`);
    } catch {
      onLost();
      return;
    }
    if (lost) return;
    if (this.closed) {
      lost = true;
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    this.delay = this.retryMs;
    this.options.handlers.listening(true);
  }

  private schedule(): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.connect();
    }, this.delay);
    this.timer.unref();
    this.delay = Math.min(this.delay * 2, this.maxRetryMs);
  }
}
