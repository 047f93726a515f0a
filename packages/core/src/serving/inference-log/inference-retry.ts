/** The longest wait between two attempts to write failed batches again. */
const MAX_RETRY_DELAY_MS = 30_000;

/**
 * Attempts of one segment in a row that failed while other writes worked since its previous one,
 * after which it is set aside (the store is up, so something in these rows is what it refuses). A
 * failure with no write working in between (the store away) starts the count over, so a store
 * that fails now and then almost never sets a batch aside (a store failing half its writes: one
 * batch in a thousand), and one set aside is kept, not deleted.
 */
const STRIKES = 10;

/** A failed batch waiting in the spool: its segment, its rows, and how many of them are not stored yet. */
export interface Retained {
  name: string;
  rows: number;
  unwritten: number;
  /** A dead process's segment (counted as recovered once written). */
  recovered: boolean;
  /** The logger's count of working writes when its last attempt failed. */
  successesAtFailure: number;
  strikes: number;
}

/**
 * The failed batches the inference logger writes again: oldest first, one per round so new rows
 * keep being written while a backlog drains, a failing one moved to the back so it blocks no
 * other, and a wait that doubles (from `flush_ms` up to 30 s) while attempts fail and starts over
 * once one works. `onDue` is called when the next attempt is due.
 */
export class RetryQueue {
  private readonly queue: Retained[] = [];
  /** Rows in the spool waiting for another attempt (what `max_retry_rows` bounds). */
  rows = 0;
  /** Of those, rows not stored yet. */
  unwritten = 0;
  private at = 0;
  private delay: number;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly firstDelay: number, private readonly onDue: () => void) {
    this.delay = firstDelay;
  }

  get size(): number {
    return this.queue.length;
  }

  /** Whether an attempt is due now. */
  due(): boolean {
    return this.queue.length > 0 && Date.now() >= this.at;
  }

  /** The batch to try next. */
  head(): Retained | undefined {
    return this.queue[0];
  }

  /** Keeps a failed batch (`now`: try it as soon as the writer is free, e.g. a dead process's). */
  push(r: Omit<Retained, 'successesAtFailure' | 'strikes'>, successes: number, now: boolean): void {
    this.queue.push({ ...r, successesAtFailure: successes, strikes: 0 });
    this.rows += r.rows;
    this.unwritten += r.unwritten;
    if (now) this.at = 0;
    else if (this.at <= Date.now()) this.at = Date.now() + this.delay;
    this.arm();
  }

  /** The head was stored (or given up): removes it; the next is due at once. */
  done(r: Retained): void {
    const i = this.queue.indexOf(r);
    if (i < 0) return;
    this.queue.splice(i, 1);
    this.rows -= r.rows;
    this.unwritten -= r.unwritten;
    this.delay = this.firstDelay;
    this.at = 0;
    if (this.queue.length) this.arm();
  }

  /**
   * The head failed again: to the back of the queue, and the wait doubles. Returns true when it
   * should be set aside: `STRIKES` failures in a row, each with other writes working since the one
   * before (`successes`: the logger's count of working writes).
   */
  failed(r: Retained, successes: number): boolean {
    r.strikes = successes > r.successesAtFailure ? r.strikes + 1 : 0;
    r.successesAtFailure = successes;
    if (r.strikes >= STRIKES) return true;
    const i = this.queue.indexOf(r);
    if (i >= 0) this.queue.push(...this.queue.splice(i, 1));
    this.delay = Math.min(this.delay * 2, MAX_RETRY_DELAY_MS);
    this.at = Date.now() + this.delay;
    this.arm();
    return false;
  }

  /** Makes the next attempt due now (a flush tries once more before it returns). */
  now(): void {
    if (this.queue.length) this.at = 0;
  }

  /** Another write just worked: the store is back, so the wait starts over and the next attempt is due. */
  storeWorks(): void {
    this.delay = this.firstDelay;
    this.now();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      // The timer is the clock here: it may fire a millisecond before Date.now() reaches `at`.
      this.at = Math.min(this.at, Date.now());
      this.onDue();
    }, Math.max(0, this.at - Date.now()));
    this.timer.unref();
  }
}

export const firstRetryDelay = (flushMs: number): number => Math.min(Math.max(flushMs, 1), MAX_RETRY_DELAY_MS);
