import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Executor, StepOutcome, StepTask, SubmitOptions, WorkerPool } from '../executor.js';
import { QUEUE_NAME, QueueWorkerPool } from './queue-worker.js';
import { connectRedis } from './redis-connection.js';

export interface QueueExecutorOptions {
  redisUri: string;
  /** Key prefix in Redis; different prefixes are independent queues. */
  prefix: string;
  /** A worker's job lock; a worker that stops renewing it (killed) loses the job after this long. */
  lockMs: number;
  /** How often workers look for jobs whose lock expired and hand them to another worker. */
  stalledIntervalMs: number;
  /** How often a dispatched step is checked in the database, in case its queue event was lost. */
  pollMs?: number;
  /** How long a cancelled run waits for workers to stop its steps. */
  cancelGraceMs?: number;
  /** A connection waiting this long for a reply is dropped and reconnected (default 30 s; above BullMQ's 10 s blocking waits). */
  replyTimeoutMs?: number;
}

interface Waiter {
  resolve(outcome: StepOutcome): void;
}

/**
 * Puts each attempt on a BullMQ queue (Redis) for `cairn worker` processes and waits for its
 * outcome: from the queue's completion event (fast path), or from the database, which is checked
 * every `pollMs` so a lost event, a lost job (Redis restarted without persistence) or a dead
 * worker never leaves a step waiting forever: a lost job is put back on the queue. Delivery is at
 * least once; the step runner's claim tokens make completion happen exactly once.
 *
 * @example
 * ```ts
 * const executor = new QueueExecutor({ redisUri: 'redis://127.0.0.1:6379', prefix: 'cairn', lockMs: 20_000, stalledIntervalMs: 10_000 });
 * ```
 */
export class QueueExecutor implements Executor {
  readonly name = 'queue';
  readonly runsHere = false;
  readonly workers: WorkerPool;
  private connections: { queue: Queue; events: QueueEvents; redis: Redis[] } | null = null;
  private readonly waiters = new Map<string, Waiter>();

  constructor(private readonly options: QueueExecutorOptions) {
    this.workers = new QueueWorkerPool(options);
  }

  private async open(): Promise<{ queue: Queue; events: QueueEvents }> {
    if (this.connections) return this.connections;
    const producer = connectRedis(this.options.redisUri, this.options.replyTimeoutMs);
    const listener = connectRedis(this.options.redisUri, this.options.replyTimeoutMs);
    const queue = new Queue(QUEUE_NAME, { connection: producer, prefix: this.options.prefix });
    const events = new QueueEvents(QUEUE_NAME, { connection: listener, prefix: this.options.prefix });
    queue.on('error', () => {});
    events.on('error', () => {});
    events.on('completed', ({ jobId, returnvalue }) => {
      const w = this.waiters.get(jobId);
      if (!w) return;
      try {
        const outcome = (typeof returnvalue === 'string' ? JSON.parse(returnvalue) : returnvalue) as StepOutcome;
        if (outcome?.status && outcome.status !== 'STALE') w.resolve(outcome);
      } catch {
        // Malformed: the database poll settles it.
      }
    });
    this.connections = { queue, events, redis: [producer, listener] };
    await events.waitUntilReady();
    return this.connections;
  }

  async submit(task: StepTask, options: SubmitOptions): Promise<StepOutcome> {
    const { queue } = await this.open();
    const jobId = `${task.stepRunId}-${task.dispatchToken}`;
    const add = () => queue.add('step', task, { jobId, removeOnComplete: { age: 3600, count: 10_000 }, removeOnFail: { age: 86_400 } });
    const pollMs = this.options.pollMs ?? 1000;
    return new Promise<StepOutcome>((resolve) => {
      let settled = false;
      let timer: NodeJS.Timeout | null = null;
      let cancelDeadline: number | null = null;
      const finish = (outcome: StepOutcome) => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        this.waiters.delete(jobId);
        options.signal.removeEventListener('abort', onAbort);
        resolve(outcome);
      };
      this.waiters.set(jobId, { resolve: finish });
      const check = async () => {
        timer = null;
        if (settled) return;
        try {
          const probe = await options.probe();
          if (probe.state === 'finished') return finish(probe.outcome);
          if (cancelDeadline !== null && Date.now() > cancelDeadline) return finish({ status: 'CANCELLED' });
          const stale = probe.state === 'running' && probe.leaseTime !== null && Date.now() - probe.leaseTime > this.options.lockMs * 2;
          if (probe.state === 'queued' || stale) {
            const job = await queue.getJob(jobId);
            const state = job ? await job.getState() : 'missing';
            if (state === 'missing' || state === 'completed' || state === 'failed' || state === 'unknown') {
              await job?.remove().catch(() => {});
              await add();
            }
          }
        } catch {
          // Redis or the database is unreachable for now: check again later.
        }
        if (!settled) timer = setTimeout(() => void check(), cancelDeadline !== null ? Math.min(pollMs, 250) : pollMs);
      };
      const onAbort = () => {
        // Workers stop the step when they see the run's cancel request; give them a moment.
        cancelDeadline = Date.now() + (this.options.cancelGraceMs ?? 10_000);
        if (timer) clearTimeout(timer);
        void check();
      };
      options.signal.addEventListener('abort', onAbort, { once: true });
      add().then(
        () => {
          if (!settled && !timer) timer = setTimeout(() => void check(), pollMs);
        },
        () => {
          if (!settled && !timer) timer = setTimeout(() => void check(), pollMs);
        },
      );
    });
  }

  async close(): Promise<void> {
    const c = this.connections;
    this.connections = null;
    if (!c) return;
    await Promise.allSettled([c.events.close(), c.queue.close()]);
    for (const r of c.redis) r.disconnect();
  }
}
