import { AsyncLocalStorage } from 'node:async_hooks';
import { format } from 'node:util';
import type { StepLogRow } from '../sql/pipeline-tables.js';

const FLUSH_MS = 200;
/** An attempt's log stops (with a note) past this many bytes, so a chatty step cannot fill the database. */
export const MAX_LOG_BYTES = 8 * 1024 * 1024;
const MAX_LINE = 16_384;

export type LogStream = 'stdout' | 'stderr';

/**
 * Collects one attempt's output as lines and writes them in batches (every 200 ms and at close).
 * Sequence numbers continue from what the attempt already logged (a redelivered attempt appends).
 */
export class StepLogSink {
  private pending: StepLogRow[] = [];
  private partial: Record<LogStream, string> = { stdout: '', stderr: '' };
  private seq: number | null = null;
  private bytes = 0;
  private truncated = false;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private closed = false;
  /** The last stderr lines, for error messages of failed commands. */
  readonly tail: string[] = [];

  constructor(
    private readonly stepRunId: string,
    private readonly attempt: number,
    private readonly store: { append(rows: StepLogRow[]): Promise<void>; nextSeq(stepRunId: string, attempt: number): Promise<number> },
    private readonly now: () => number = Date.now,
  ) {}

  write(stream: LogStream, chunk: string | Uint8Array): void {
    if (this.closed) return;
    const text = this.partial[stream] + (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const lines = text.split('\n');
    this.partial[stream] = lines.pop()!;
    for (const line of lines) this.line(stream, line.replace(/\r$/, ''));
    if (this.partial[stream].length > MAX_LINE) {
      this.line(stream, this.partial[stream]);
      this.partial[stream] = '';
    }
  }

  /** A line from `ctx.log()`. */
  log(...args: unknown[]): void {
    this.write('stdout', `${format(...args)}\n`);
  }

  private line(stream: LogStream, text: string): void {
    if (stream === 'stderr') {
      this.tail.push(text);
      if (this.tail.length > 20) this.tail.shift();
    }
    if (this.truncated) return;
    this.bytes += text.length + 1;
    if (this.bytes > MAX_LOG_BYTES) {
      this.truncated = true;
      text = `[cairn: log truncated after ${MAX_LOG_BYTES} bytes]`;
    }
    this.pending.push({ step_run_id: this.stepRunId, attempt: this.attempt, seq: -1, stream, time: this.now(), text: text.slice(0, MAX_LINE) });
    this.timer ??= setTimeout(() => {
      this.timer = null;
      void this.flush().catch(() => {});
    }, FLUSH_MS);
  }

  /** Writes what is buffered. Flushes never overlap, so lines keep their order. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (!this.pending.length) return;
      const rows = this.pending;
      this.pending = [];
      this.seq ??= await this.store.nextSeq(this.stepRunId, this.attempt);
      for (const r of rows) r.seq = this.seq++;
      await this.store.append(rows);
    });
    return this.flushing;
  }

  async close(): Promise<void> {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream]) this.line(stream, this.partial[stream]);
      this.partial[stream] = '';
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.closed = true;
    await this.flush();
  }
}

// In-process steps share the process's stdout and stderr. While a step runs, writes made from its
// async context are sent to its sink instead (AsyncLocalStorage follows the step's promises).
const current = new AsyncLocalStorage<StepLogSink>();
let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  for (const stream of ['stdout', 'stderr'] as const) {
    const target = process[stream];
    const original = target.write.bind(target) as (...a: unknown[]) => boolean;
    target.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const sink = current.getStore();
      if (!sink) return original(chunk, ...rest);
      sink.write(stream, chunk);
      const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      cb?.();
      return true;
    }) as typeof target.write;
  }
  // Test runners and some hosts replace `console` with one that does not write to process.stdout.
  const methods = { log: 'stdout', info: 'stdout', debug: 'stdout', warn: 'stderr', error: 'stderr' } as const;
  for (const [name, stream] of Object.entries(methods) as Array<[keyof typeof methods, LogStream]>) {
    const original = console[name].bind(console);
    console[name] = (...args: unknown[]) => {
      const sink = current.getStore();
      if (sink) sink.write(stream, `${format(...args)}\n`);
      else original(...args);
    };
  }
}

/** Runs `fn` with its stdout/stderr writes (console.log included) captured into `sink`. */
export function withCapturedOutput<T>(sink: StepLogSink, fn: () => T): T {
  install();
  return current.run(sink, fn);
}
