import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { CairnError } from '../../../errors.js';
import { ownEntryPoint } from '../../../loader/own-files.js';
import type { ModelFormat } from '../../../registry/entities.js';
import type { Frame } from '../../frame.js';
import type { ModelRuntime } from '../../model-runtime.js';

// From the package root: bundled code does not sit where its source was (loader/own-files.ts).
const WORKER = ownEntryPoint('serving/runtimes/python/worker', '.py');

interface Reply { id: number; ok: boolean; predictions?: unknown[]; error?: string; missing_module?: string | null }
interface Job { message: Record<string, unknown>; resolve(r: Reply): void; reject(e: unknown): void }

export interface PythonWorkerOptions {
  python: string;
  timeoutMs: number;
  format: ModelFormat;
  dir: string;
  /** Told about every restart (logs and metrics). */
  onRestart?: (reason: string) => void;
}

/**
 * An unsafe model (pickle, MLflow pyfunc) scored in a long-lived Python process. Requests go one at
 * a time over stdin/stdout as JSON lines. A worker that crashes or takes longer than the timeout is
 * killed and started again (loading the model again); the request it was working on is answered
 * UNAVAILABLE, and requests waiting behind it are sent to the new worker.
 */
export class PythonWorkerRuntime implements ModelRuntime {
  private child: ChildProcessWithoutNullStreams | null = null;
  private current: (Job & { timer: NodeJS.Timeout }) | null = null;
  private readonly queue: Job[] = [];
  private nextId = 1;
  private stderr = '';
  private starting: Promise<void> | null = null;
  private closed = false;
  /** How many times the worker was restarted after a crash or a hang. */
  restarts = 0;

  private constructor(private readonly options: PythonWorkerOptions) {}

  static async open(options: PythonWorkerOptions): Promise<PythonWorkerRuntime> {
    const runtime = new PythonWorkerRuntime(options);
    try {
      await runtime.start();
    } catch (e) {
      await runtime.close();
      throw e;
    }
    return runtime;
  }

  private start(): Promise<void> {
    this.starting ??= this.spawnAndLoad().finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  private async spawnAndLoad(): Promise<void> {
    const child = spawn(this.options.python, ['-u', WORKER], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
    this.child = child;
    this.stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString('utf8')).slice(-2000);
    });
    const spawned = new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (e) => reject(new CairnError('FAILED_PRECONDITION', `Cannot start the Python worker '${this.options.python}': ${e.message}. Set serving.python (CAIRN_SERVING_PYTHON) to a python3 that has the model's libraries.`, { cause: e })));
    });
    createInterface({ input: child.stdout }).on('line', (line) => this.onLine(line));
    child.once('exit', (code, signal) => this.onExit(child, code, signal));
    child.stdin.on('error', () => {});
    await spawned;
    const loaded = await this.send({ op: 'load', format: this.options.format, path: this.options.dir }, true);
    if (!loaded.ok) {
      const hint = loaded.missing_module
        ? `${this.options.python} cannot import '${loaded.missing_module}', which the model needs. Install the model's libraries for that interpreter (e.g. apt-get install python3-sklearn, or pip install ${loaded.missing_module}), or set serving.python to one that has them.`
        : `The Python worker could not load the model: ${loaded.error}.`;
      throw new CairnError('FAILED_PRECONDITION', hint);
    }
  }

  async predict(frame: Frame): Promise<unknown[]> {
    if (this.closed) throw new CairnError('UNAVAILABLE', 'The model is being replaced; retry the request.');
    const reply = await this.send({ op: 'predict', columns: frame.columns, rows: frame.rows });
    if (!reply.ok) throw new CairnError('INVALID_ARGUMENT', `The model failed on these rows: ${String(reply.error).slice(0, 500)}`);
    if (!Array.isArray(reply.predictions)) throw new CairnError('INTERNAL', 'The Python worker answered without predictions.');
    return reply.predictions;
  }

  private send(message: Record<string, unknown>, first = false): Promise<Reply> {
    return new Promise<Reply>((resolve, reject) => {
      const job = { message, resolve, reject };
      if (first) this.queue.unshift(job);
      else this.queue.push(job);
      this.pump();
    });
  }

  private pump(): void {
    if (this.current || !this.queue.length || !this.child || this.closed) return;
    if (this.starting && this.queue[0]!.message.op !== 'load') return;
    const job = this.queue.shift()!;
    const id = this.nextId++;
    const timer = setTimeout(() => this.hung(), this.options.timeoutMs);
    this.current = { ...job, message: { ...job.message, id }, timer };
    this.child.stdin.write(`${JSON.stringify(this.current.message)}\n`);
  }

  private onLine(line: string): void {
    const job = this.current;
    let reply: Reply;
    try {
      reply = JSON.parse(line) as Reply;
    } catch {
      return; // Not ours (a model printing to stdout); only protocol lines are JSON with our id.
    }
    if (!job || reply.id !== job.message.id) return;
    clearTimeout(job.timer);
    this.current = null;
    job.resolve(reply);
    this.pump();
  }

  private hung(): void {
    const job = this.current;
    if (!job) return;
    this.current = null;
    const seconds = Math.round(this.options.timeoutMs / 100) / 10;
    job.reject(new CairnError('UNAVAILABLE', `The Python worker did not answer within ${seconds} s (serving.python_timeout_seconds); it was restarted. Retry the request.`));
    this.restart(`no answer within ${seconds} s`);
  }

  private onExit(child: ChildProcessWithoutNullStreams, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== this.child) return;
    this.child = null;
    if (this.closed) return;
    const job = this.current;
    this.current = null;
    const why = `exit ${code ?? signal}${this.stderr.trim() ? `: ${this.stderr.trim().split('\n').slice(-1)[0]!.slice(0, 300)}` : ''}`;
    if (job) {
      clearTimeout(job.timer);
      job.reject(job.message.op === 'load'
        ? new CairnError('FAILED_PRECONDITION', `The Python worker exited while loading the model (${why}).`)
        : new CairnError('UNAVAILABLE', `The Python worker crashed (${why}) and was restarted. Retry the request.`));
    }
    if (job?.message.op !== 'load') this.restart(`crashed (${why})`);
  }

  private restart(reason: string): void {
    if (this.closed) return;
    this.restarts++;
    this.options.onRestart?.(reason);
    const old = this.child;
    this.child = null;
    old?.kill('SIGKILL');
    this.start().then(() => this.pump(), (e: unknown) => {
      // The model no longer loads: everything waiting fails with the reason.
      for (const job of this.queue.splice(0)) job.reject(new CairnError('UNAVAILABLE', `The Python worker could not be restarted: ${(e as Error).message}`));
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new CairnError('UNAVAILABLE', 'The model was unloaded; retry the request.'));
    if (this.current) {
      clearTimeout(this.current.timer);
      this.current.reject(new CairnError('UNAVAILABLE', 'The model was unloaded; retry the request.'));
      this.current = null;
    }
    const child = this.child;
    this.child = null;
    if (child && child.exitCode === null) {
      child.stdin.end();
      const exited = new Promise((r) => child.once('exit', r));
      const t = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(t);
    }
  }
}
