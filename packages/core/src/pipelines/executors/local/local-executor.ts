import type { Executor, StepOutcome, StepTask, SubmitOptions } from '../executor.js';

/**
 * Runs each attempt in this process by calling the handler; the step itself may still go to a
 * child process (command steps, `isolation: 'process'`). Parallelism is the orchestrator's
 * concurrency limit.
 *
 * @example
 * ```ts
 * const executor = new LocalExecutor();
 * const outcome = await executor.submit(task, { signal, handler: runner.run, probe });
 * ```
 */
export class LocalExecutor implements Executor {
  readonly name = 'local';
  readonly runsHere = true;

  submit(task: StepTask, options: SubmitOptions): Promise<StepOutcome> {
    return options.handler(task, options.signal);
  }

  async close(): Promise<void> {}
}
