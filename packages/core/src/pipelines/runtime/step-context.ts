/**
 * What a running step gets besides its inputs.
 *
 * @example
 * ```ts
 * const train = step({ name: 'train' }, async ({ lr }: { lr: number }, ctx) => {
 *   ctx.log(`attempt ${ctx.attempt}, lr=${lr}`);
 *   for (let epoch = 0; epoch < 10 && !ctx.signal.aborted; epoch++) await ctx.logMetric('loss', 1 / (epoch + 1), epoch);
 *   return { done: true };
 * });
 * ```
 */
export interface StepContext {
  /** The pipeline run. */
  readonly runId: string;
  readonly stepRunId: string;
  /** The step's id in the pipeline (its name, or `name_2`… when used twice). */
  readonly stepId: string;
  /** 1 for the first attempt, then 2, 3… on retries. */
  readonly attempt: number;
  /** The tracking run this step run logs to, nested under the pipeline's run. */
  readonly trackingRunId: string | null;
  /** The pipeline run's parameters. */
  readonly params: Readonly<Record<string, unknown>>;
  /** Aborted on timeout or cancellation: long loops should check it. */
  readonly signal: AbortSignal;
  /** A fresh folder for files the step writes (outputs wrapped with file()/folder()/model() are copied out). */
  readonly workdir: string;
  /** Writes a line to the step's log (`cairn pipelines logs RUN STEP`). */
  log(...args: unknown[]): void;
  /** Logs a metric on the step's tracking run. */
  logMetric(key: string, value: number, step?: number): Promise<void>;
  logMetrics(metrics: Record<string, number>, step?: number): Promise<void>;
}
