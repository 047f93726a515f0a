import type { InferenceRecord } from './entities.js';
import type { InferenceLogStore } from './inference-log-store.js';

export interface InferenceLoggerOptions {
  /** Fraction of requests kept (decided per request). */
  sampleRate: number;
  batchRows: number;
  flushMs: number;
  maxBufferRows: number;
  /** Told about every loss (the serving process logs it); never silent. */
  onLoss?: (rows: number, reason: string) => void;
  random?: () => number;
}

export interface InferenceLoggerStats {
  /** Rows waiting to be written. */
  backlog: number;
  written: number;
  lost: number;
  /** The last write failure, or null once a write succeeded again. */
  lastError: string | null;
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
  private readonly counters = { written: 0, lost: 0, lastError: null as string | null };

  constructor(private readonly store: Pick<InferenceLogStore, 'append' | 'close'>, private readonly options: InferenceLoggerOptions) {
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
    for (const r of records) this.buffer.push(r);
    if (this.buffer.length >= this.options.batchRows) this.kick();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.kick(), this.options.flushMs);
      this.timer.unref();
    }
  }

  stats(): InferenceLoggerStats {
    return { backlog: this.buffer.length, written: this.counters.written, lost: this.counters.lost, lastError: this.counters.lastError };
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

  private async drain(): Promise<void> {
    const batch = this.buffer.splice(0, this.options.batchRows);
    try {
      await this.store.append(batch);
      this.counters.written += batch.length;
      this.counters.lastError = null;
    } catch (e) {
      this.counters.lastError = (e as Error).message;
      this.loss(batch.length, `writing the inference log failed: ${(e as Error).message}`);
    }
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
    await this.store.close();
  }
}
