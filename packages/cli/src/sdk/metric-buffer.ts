import type { Metric } from '@cairn/core';
import { LIMITS, invalid } from '@cairn/core';

export interface MetricBufferOptions {
  /** The most points one write may carry. */
  maxBatch: number;
  /** Start a flush once this many points wait. Default 10,000. */
  threshold?: number;
  /** Flush whatever waits this often, in ms. Default 1000; 0 turns the timer off. */
  intervalMs?: number;
}

// Control characters, or a UTF-16 surrogate without its partner: neither database can store them.
const BAD_KEY_CHARS = /[\u0000-\u001f\u007f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Collects metric points in memory and writes them in batches, one write at a time so points reach
 * the store in the order they were logged. `add` only pushes onto an array; the writes happen in the
 * background (threshold or timer) or on `flush`. A failed write keeps its points buffered and its
 * error is thrown by the next `add` or `flush`, so nothing is dropped silently.
 */
export class MetricBuffer {
  private points: Metric[] = [];
  private tail: Promise<void> = Promise.resolve();
  private queued = false;
  private failure: { error: unknown } | null = null;
  private readonly timer: NodeJS.Timeout | null;
  private readonly threshold: number;
  // Keys repeat, so each distinct key is validated once rather than on every point.
  private readonly checkedKeys = new Set<string>();

  constructor(private readonly write: (batch: Metric[]) => Promise<void>, private readonly options: MetricBufferOptions) {
    this.threshold = options.threshold ?? 10_000;
    const interval = options.intervalMs ?? 1000;
    this.timer = interval > 0 ? setInterval(() => this.tick(), interval).unref() : null;
  }

  /** Points waiting to be written. */
  get size(): number {
    return this.points.length;
  }

  add(key: string, value: number, step: number, timestamp: number): void {
    if (this.failure) this.rethrow();
    if (!this.checkedKeys.has(key)) this.checkKey(key);
    if (typeof value !== 'number') throw invalid(`Metric '${key}' must be a number (NaN and ±Infinity are allowed), got ${typeof value}.`);
    if (!Number.isSafeInteger(step)) throw invalid(`Metric '${key}': step must be an integer, got ${String(step)}.`);
    if (!Number.isSafeInteger(timestamp)) throw invalid(`Metric '${key}': timestamp must be integer epoch milliseconds, got ${String(timestamp)}.`);
    this.points.push({ key, value, timestamp, step });
    if (this.points.length >= this.threshold && !this.queued) void this.schedule();
  }

  /** Writes everything buffered so far; rejects with the error of any failed write. */
  async flush(): Promise<void> {
    if (this.failure) this.rethrow();
    if (this.points.length && !this.queued) void this.schedule();
    await this.tail;
    if (this.failure) this.rethrow();
  }

  /** Stops the timer. Buffered points stay until `flush`. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private tick(): void {
    if (this.points.length && !this.queued) void this.schedule();
  }

  private schedule(): Promise<void> {
    this.queued = true;
    this.tail = this.tail.then(() => this.drain());
    return this.tail;
  }

  // Never rejects, so the chain stays usable; a failure is parked for the next caller to see.
  private async drain(): Promise<void> {
    this.queued = false;
    const taken = this.points;
    this.points = [];
    const max = this.options.maxBatch;
    let sent = 0;
    try {
      while (sent < taken.length) {
        const batch = sent === 0 && taken.length <= max ? taken : taken.slice(sent, sent + max);
        await this.write(batch);
        sent += batch.length;
      }
    } catch (error) {
      // Each write is atomic, so exactly the points from `sent` on are unsaved: keep them first in line.
      this.points = sent === 0 && this.points.length === 0 ? taken : taken.slice(sent).concat(this.points);
      this.failure = { error };
    }
  }

  private rethrow(): never {
    const { error } = this.failure!;
    this.failure = null;
    throw error;
  }

  private checkKey(key: string): void {
    if (typeof key !== 'string' || key.length === 0) throw invalid(`A metric key must be a non-empty string, got ${JSON.stringify(key)}.`);
    if (key.length > LIMITS.keyLength) throw invalid(`Metric key '${key.slice(0, 40)}…' is ${key.length} characters long; the limit is ${LIMITS.keyLength}.`);
    if (BAD_KEY_CHARS.test(key)) throw invalid(`Metric key ${JSON.stringify(key)} contains control characters or broken Unicode.`);
    this.checkedKeys.add(key);
  }
}
