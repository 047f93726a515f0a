import type { InferenceRecord } from './entities.js';
import type { AppendOptions, InferenceLogStore } from './inference-log-store.js';
import { firstRetryDelay, RetryQueue, type Retained } from './inference-retry.js';
import { batchName, type InferenceSpool } from './inference-spool.js';

export interface InferenceLoggerOptions {
  /** Fraction of requests kept (decided per request). */
  sampleRate: number;
  batchRows: number;
  flushMs: number;
  maxBufferRows: number;
  /** Told about every loss (the serving process logs it); never silent. */
  onLoss?: (rows: number, reason: string) => void;
  /** The write-ahead spool (rows survive the process being killed); none keeps rows only in memory until written. */
  spool?: InferenceSpool;
  /** Told when the spool cannot be written (rows are still logged, but would not survive a kill), when rows wait in it for a failed write to work again, and when they were written. */
  onSpool?: (level: 'warn' | 'info', message: string) => void;
  /** Rows of failed writes kept in the spool to be written again, at most (default 1,000,000); past it a failed batch is counted lost. */
  maxRetryRows?: number;
  random?: () => number;
}

export interface InferenceLoggerStats {
  /** Rows waiting to be written: buffered, and kept in the spool after a failed write. */
  backlog: number;
  /** Of those, rows of failed writes waiting in the spool to be written again. */
  retrying: number;
  written: number;
  lost: number;
  /** The last write failure, or null once writes work and no failed batch waits. */
  lastError: string | null;
  /** Rows of killed serving processes recovered from the spool and written. */
  recovered: number;
  /** Why the spool cannot be written, or null when it works (or is off). */
  spoolError: string | null;
}

/**
 * Collects scored rows off the request path and writes them in batches. A request only pushes its
 * rows onto a buffer; a timer (or a full batch) writes them. A failed write (a full disk, the
 * database away) keeps the batch's spool segment and writes it again, backing off, until it works
 * (named batches make that idempotent), so an outage loses nothing; without a whole segment, or
 * past `maxRetryRows`, the batch is dropped, counted as lost and reported. A buffer past
 * `maxBufferRows` drops new rows the same way. Requests are never slowed or failed by the log.
 */
export class InferenceLogger {
  private buffer: InferenceRecord[] = [];
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> | null = null;
  private readonly random: () => number;
  private readonly counters = { written: 0, lost: 0, recovered: 0, lastError: null as string | null, spoolError: null as string | null };
  /** Whether every spool write of the open segment worked (only then does it hold the whole batch). */
  private segmentWhole = true;
  private readonly retries: RetryQueue;
  /** Writes that worked so far (a batch failing again and again while this grows is what the store refuses). */
  private successes = 0;
  /** Failed attempts to write a batch again (a flush stops trying once one fails). */
  private retryFailures = 0;
  /** Rows written again since the queue was last empty (reported once it is). */
  private caughtUp = 0;

  constructor(private readonly backend: Pick<InferenceLogStore, 'append' | 'close'>, private readonly options: InferenceLoggerOptions) {
    this.random = options.random ?? Math.random;
    this.retries = new RetryQueue(firstRetryDelay(options.flushMs), () => this.kick());
  }

  /** Whether to log this request (sampling is per request, so a request's rows stay together). */
  sample(): boolean {
    return this.options.sampleRate >= 1 || (this.options.sampleRate > 0 && this.random() < this.options.sampleRate);
  }

  add(records: InferenceRecord[]): void {
    if (this.buffer.length + records.length > this.options.maxBufferRows) {
      this.loss(records.length, `the buffer holds ${this.buffer.length} rows waiting to be written (serving.inference_log.max_buffer_rows)`);
      return;
    }
    this.spoolWrite(records);
    for (const r of records) this.buffer.push(r);
    if (this.buffer.length >= this.options.batchRows) this.kick();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.kick(), this.options.flushMs);
      this.timer.unref();
    }
  }

  stats(): InferenceLoggerStats {
    const c = this.counters;
    const retrying = this.retries.unwritten;
    return { backlog: this.buffer.length + retrying, retrying, written: c.written, lost: c.lost, lastError: c.lastError, recovered: c.recovered, spoolError: c.spoolError };
  }

  /**
   * Writes the rows of serving processes killed before they wrote them (their spool segments). A
   * segment that cannot be written now is written again later, as a failed batch is.
   */
  async recover(): Promise<number> {
    const spool = this.options.spool;
    if (!spool) return 0;
    let rows = 0;
    for (const segment of spool.recover()) {
      try {
        await this.storeSegment(segment.name, segment.records);
        rows += segment.records.length;
      } catch (e) {
        this.counters.lastError = (e as Error).message;
        this.options.onSpool?.('warn', `inference log: ${segment.records.length} rows of a stopped server could not be written yet (${(e as Error).message}); they stay in the spool and are written again until it works`);
        this.retries.push({ name: segment.name, rows: segment.records.length, unwritten: segment.records.length, recovered: true }, this.successes, true);
      }
    }
    this.counters.recovered += rows;
    this.counters.written += rows;
    if (rows) this.options.onSpool?.('info', `inference log: wrote ${rows} rows a stopped serving process had not written (from the spool)`);
    return rows;
  }

  private spoolWrite(records: InferenceRecord[]): void {
    if (!this.options.spool) return;
    try {
      this.options.spool.write(records);
      this.counters.spoolError = null;
    } catch (e) {
      this.segmentWhole = false;
      this.spoolFailed(e);
    }
  }

  private spoolFailed(e: unknown): void {
    if (this.counters.spoolError === null) this.options.onSpool?.('warn', `inference log: the spool cannot be written (${(e as Error).message}); rows are still logged but would not survive the process being killed`);
    this.counters.spoolError = (e as Error).message;
  }

  /** Removes a stored segment; one that cannot be removed (a disk turned read-only) is reported, never thrown. */
  private removeSegment(name: string): void {
    try {
      this.options.spool!.remove(name);
    } catch (e) {
      this.spoolFailed(e);
    }
  }

  /** Stores a spool segment's rows under its batch names (storing them again replaces them), then removes it. */
  private async storeSegment(name: string, records: InferenceRecord[]): Promise<void> {
    for (const b of this.batches(records, batchName(name))) await this.backend.append(b.rows, b.options);
    this.successes++;
    this.removeSegment(name);
  }

  /** `rows` in batches of at most `batchRows`, each named after `name` when given (so the same rows always get the same names). */
  private batches(rows: InferenceRecord[], name: string | null): Array<{ rows: InferenceRecord[]; options: AppendOptions }> {
    const size = this.options.batchRows;
    const out: Array<{ rows: InferenceRecord[]; options: AppendOptions }> = [];
    for (let i = 0, k = 0; i < rows.length; i += size, k++) {
      out.push({ rows: rows.slice(i, i + size), options: name === null ? {} : { batch: rows.length > size ? `${name}-${k}` : name } });
    }
    return out;
  }

  private kick(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.writing || (!this.buffer.length && !this.retries.due())) return;
    this.writing = this.drain()
      .catch((e: unknown) => this.options.onSpool?.('warn', `inference log: writing stopped on an unexpected error: ${(e as Error).message}`))
      .finally(() => {
        this.writing = null;
        if (this.buffer.length >= this.options.batchRows || this.retries.due()) this.kick();
        else if (this.buffer.length && !this.timer) {
          this.timer = setTimeout(() => this.kick(), this.options.flushMs);
          this.timer.unref();
        }
      });
  }

  // One failed batch written again when its time has come (one per round, so new rows are not held
  // up while a backlog drains), then everything buffered: with a spool, exactly the rows of the
  // segment closed now, removed once they are stored, kept for another attempt if they are not.
  private async drain(): Promise<void> {
    if (this.retries.due()) await this.retryOne();
    const rows = this.buffer;
    this.buffer = [];
    if (!rows.length) return;
    let whole = this.segmentWhole;
    this.segmentWhole = true;
    let segment: string | null = null;
    try {
      segment = this.options.spool?.rotate() ?? null;
    } catch (e) {
      this.spoolFailed(e);
      whole = false;
    }
    let unwritten = 0;
    let error = '';
    for (const batch of this.batches(rows, segment === null ? null : batchName(segment))) {
      try {
        await this.backend.append(batch.rows, batch.options);
        this.counters.written += batch.rows.length;
        this.successes++;
        if (!this.retries.size) this.counters.lastError = null;
        else this.retries.storeWorks();
      } catch (e) {
        error = (e as Error).message;
        this.counters.lastError = error;
        unwritten += batch.rows.length;
      }
    }
    if (segment !== null && unwritten && whole && this.retries.rows + rows.length <= (this.options.maxRetryRows ?? 1_000_000)) {
      if (!this.retries.size) this.options.onSpool?.('warn', `inference log: writing failed (${error}); the rows wait in the spool and are written again until it works`);
      this.retries.push({ name: segment, rows: rows.length, unwritten, recovered: false }, this.successes, false);
      return;
    }
    if (unwritten) {
      const why = segment === null || !whole ? '' : ` (serving.inference_log.max_retry_rows: ${this.retries.rows} rows already wait to be written again)`;
      this.loss(unwritten, `writing the inference log failed: ${error}${why}`);
    }
    if (segment !== null) this.removeSegment(segment);
  }

  // The segment is read again (asynchronously, in slices: it may hold a whole buffer) and stored
  // under its batch names, so batches stored before are replaced, not added twice.
  private async retryOne(): Promise<void> {
    const r = this.retries.head();
    if (!r) return;
    try {
      await this.writeAgain(r);
    } finally {
      if (!this.retries.size) {
        this.counters.lastError = null;
        if (this.caughtUp) this.options.onSpool?.('info', `inference log: wrote ${this.caughtUp} rows that had waited in the spool for a failed write to work`);
        this.caughtUp = 0;
      }
    }
  }

  private async writeAgain(r: Retained): Promise<void> {
    const spool = this.options.spool!;
    let records: InferenceRecord[];
    try {
      records = await spool.readAsync(r.name);
    } catch (e) {
      this.retries.done(r);
      // Gone: after this spool was closed, another server took the segment and stores it.
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.loss(r.unwritten, `rows waiting in the spool cannot be read again: ${(e as Error).message}`);
      return;
    }
    try {
      await this.storeSegment(r.name, records);
    } catch (e) {
      const message = (e as Error).message;
      this.counters.lastError = message;
      this.retryFailures++;
      if (this.retries.failed(r, this.successes)) {
        this.retries.done(r);
        let kept = 'it could not be set aside either, and was left in the spool';
        try {
          kept = `kept in ${spool.setAside(r.name)}`;
        } catch (err) {
          this.spoolFailed(err);
        }
        this.loss(r.unwritten, `the store keeps refusing a batch while other writes work (${message}); ${kept}`);
      }
      return;
    }
    this.retries.done(r);
    this.counters.written += r.unwritten;
    if (r.recovered) this.counters.recovered += r.rows;
    this.caughtUp += r.unwritten;
  }

  private loss(rows: number, reason: string): void {
    this.counters.lost += rows;
    this.options.onLoss?.(rows, reason);
  }

  /**
   * Writes everything buffered, and tries once more the failed batches waiting, until one fails
   * again (the store still away: a shutdown does not wait out an attempt per batch). On shutdown,
   * and in tests.
   */
  async flush(): Promise<void> {
    let tries = this.retries.size;
    const failures = this.retryFailures;
    for (;;) {
      if (this.writing) await this.writing;
      else if (this.buffer.length) this.kick();
      else if (tries-- > 0 && this.retryFailures === failures) {
        this.retries.now();
        this.kick();
      } else return;
    }
  }

  /** Flushes and stops; failed batches still waiting stay in the spool, for the next server started with it. */
  async close(): Promise<void> {
    await this.flush();
    if (this.timer) clearTimeout(this.timer);
    this.retries.stop();
    if (this.retries.size) this.options.onSpool?.('warn', `inference log: ${this.retries.unwritten} rows could not be written (${this.counters.lastError}); they stay in the spool for the next server started with it`);
    try {
      this.options.spool?.close();
    } catch (e) {
      this.spoolFailed(e);
    }
    await this.backend.close();
  }
}
