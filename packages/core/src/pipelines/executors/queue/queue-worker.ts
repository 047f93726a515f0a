import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Worker } from 'bullmq';
import type { RunningWorker, StepHandler, StepTask, WorkerOptions, WorkerPool } from '../executor.js';
import type { QueueExecutorOptions } from './queue-executor.js';
import { connectRedis } from './redis-connection.js';

/** The BullMQ queue steps go through (under the configured prefix). */
export const QUEUE_NAME = 'cairn-steps';

/**
 * Takes steps from the queue and runs them with the step handler. A worker that dies mid-step
 * stops renewing its job lock; after `lockMs` the stalled-job check (every `stalledIntervalMs`)
 * hands the job to another worker, whose claim supersedes the dead one's.
 */
export class QueueWorkerPool implements WorkerPool {
  constructor(private readonly options: QueueExecutorOptions) {}

  async start(handler: StepHandler, options: WorkerOptions): Promise<RunningWorker> {
    const connection = connectRedis(this.options.redisUri, this.options.replyTimeoutMs);
    const stopping = new AbortController();
    const worker = new Worker(
      QUEUE_NAME,
      async (job) => handler(job.data as StepTask, stopping.signal),
      {
        connection,
        prefix: this.options.prefix,
        concurrency: options.concurrency,
        lockDuration: this.options.lockMs,
        stalledInterval: this.options.stalledIntervalMs,
        // A step is retried by Cairn, not by BullMQ; redeliveries after worker deaths are unlimited.
        maxStalledCount: 1000,
        autorun: true,
      },
    );
    // Lock renewals and moves fail while Redis is away; the database holds the truth, so carry on.
    worker.on('error', () => {});
    await worker.waitUntilReady();
    const id = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    return {
      id,
      async close(graceMs = 30_000) {
        const timer = setTimeout(() => stopping.abort(new Error('the worker is shutting down')), graceMs);
        try {
          await worker.close();
        } finally {
          clearTimeout(timer);
          connection.disconnect();
        }
      },
    };
  }
}
