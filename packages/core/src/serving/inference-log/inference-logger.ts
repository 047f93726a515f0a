import type { InferenceRecord } from './entities.js';
import type { AppendOptions, InferenceLogStore } from './inference-log-store.js';
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
  /** Told when the spool cannot be written (rows are still logged, but would not survive a kill) or a dead process's rows were recovered. */
  onSpool?: (level: 'warn' | 'info', message: string) => void;
  random?: () => number;
}

export interface InferenceLoggerStats {
  /** Rows waiting to be written. */
  backlog: number;
  written: number;
  lost: number;
  /** The last write failure, or null once a write succeeded again. */
  lastError: string | null;
  /** Rows of killed serving processes recovered from the spool and written. */
  recovered: number;
  /** Why the spool cannot be written, or null when it works (or is off). */
  spoolError: string | null;
}

/**
 * Collects scored rows off the request path and writes them in batches. A request only pushes its
 * rows onto a buffer; a timer (or a full batch) writes them. A failed write (a full disk, the
 * database away) drops that batch, counts the rows as lost and reports it; a buffer past
 * `maxBufferRows` drops new rows the same way. Requests are never slowed or failed by the log.
 */
export class InferenceLogger {
  private buffer: InferenceRecord[] = [];
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> | null = null;
  private readonly random: () => number;
  private readonly counters = { written: 0, lost: 0, recovered: 0, lastError: null as string | null, spoolError: null as string | null };

  constructor(private readonly backend: Pick<InferenceLogStore, 'append' | 'close'>, private readonly options: InferenceLoggerOptions) {
    this.random = options.random ?? Math.random;
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
    return { backlog: this.buffer.length, written: c.written, lost: c.lost, lastError: c.lastError, recovered: c.recovered, spoolError: c.spoolError };
  }

  /**
   * Writes the rows of serving processes killed before they wrote them (their spool segments). A
   * segment that cannot be written now stays in the spool for the next start.
   */
  async recover(): Promise<number> {
    const spool = this.options.spool;
    if (!spool) return 0;
    let rows = 0;
    for (const segment of spool.recover()) {
      try {
        for (const b of this.batches(segment.records, batchName(segment.name))) await this.backend.append(b.rows, b.options);
        spool.remove(segment.name);
        rows += segment.records.length;
      } catch (e) {
        this.options.onSpool?.('warn', `inference log: ${segment.records.length} rows of a stopped server could not be written yet (${(e as Error).message}); they stay in the spool for the next start`);
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
      if (this.counters.spoolError === null) this.options.onSpool?.('warn', `inference log: the spool cannot be written (${(e as Error).message}); rows are still logged but would not survive the process being killed`);
      this.counters.spoolError = (e as Error).message;
    }
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
    if (this.writing || !this.buffer.length) return;
    this.writing = this.drain().finally(() => {
      this.writing = null;
      if (this.buffer.length >= this.options.batchRows) this.kick();
      else if (this.buffer.length && !this.timer) {
        this.timer = setTimeout(() => this.kick(), this.options.flushMs);
        this.timer.unref();
      }
    });
  }

  // Takes everything buffered: with a spool, exactly the rows of the segment closed now, removed
  // once they are stored (or counted lost).
  private async drain(): Promise<void> {
    const rows = this.buffer;
    this.buffer = [];
    const segment = this.options.spool?.rotate() ?? null;
    for (const batch of this.batches(rows, segment === null ? null : batchName(segment))) {
      try {
        await this.backend.append(batch.rows, batch.options);
        this.counters.written += batch.rows.length;
        this.counters.lastError = null;
      } catch (e) {
        this.counters.lastError = (e as Error).message;
        this.loss(batch.rows.length, `writing the inference log failed: ${(e as Error).message}`);
      }
    }
    if (segment !== null) this.options.spool!.remove(segment);
  }

  private loss(rows: number, reason: string): void {
    this.counters.lost += rows;
    this.options.onLoss?.(rows, reason);
  }

  /** Writes everything buffered (on shutdown, and in tests). */
  async flush(): Promise<void> {
    for (;;) {
      if (this.writing) await this.writing;
      else if (this.buffer.length) this.kick();
      else return;
    }
  }

  async close(): Promise<void> {
    await this.flush();
    if (this.timer) clearTimeout(this.timer);
    this.options.spool?.close();
    await this.backend.close();
  }
}
