import { invalid } from '../../errors.js';
import type { LinkInput } from '../sql/lineage-store.js';
import type { StepDefinition } from '../step-definition.js';
import type { AttemptEnv } from './attempt-env.js';
import { withCapturedOutput } from './log-capture.js';
import { abortText } from './process-runner.js';
import type { StepContext } from './step-context.js';
import { loadInputs, saveOutputs, stepInputs } from './step-io.js';

/** The `ctx` a step function receives. */
export function stepContext(env: AttemptEnv, stepId: string, log: (...args: unknown[]) => void): StepContext {
  const t = env.task;
  return {
    runId: t.runId,
    stepRunId: t.stepRunId,
    stepId,
    attempt: t.attempt,
    trackingRunId: env.trackingRunId,
    params: t.params,
    signal: env.signal,
    get workdir() {
      return env.workdir();
    },
    log,
    logMetric: (key, value, step) => env.logMetrics({ [key]: value }, step),
    logMetrics: (metrics, step) => env.logMetrics(metrics, step),
  };
}

/** Rejects when `signal` aborts; the step's own promise is left to settle on its own (its result is ignored). */
export function raceAbort<T>(signal: AbortSignal, work: Promise<T>): Promise<T> {
  if (signal.aborted) return Promise.reject(new Error(abortText(signal)));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error(abortText(signal)));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** Runs a function step in this process, its output captured into the step's log. */
export async function runInProcess(def: StepDefinition, stepId: string, env: AttemptEnv): Promise<LinkInput[]> {
  if (def.impl.type !== 'function') throw invalid(`step '${stepId}' is not a function step`);
  const fn = def.impl.fn as unknown as (inputs: Record<string, unknown>, ctx: StepContext) => unknown;
  const inputs = stepInputs(def, stepId, await loadInputs(env.objects, env.task.artifacts, env.task.values));
  const ctx = stepContext(env, stepId, (...args) => env.sink.log(...args));
  const result = await raceAbort(env.signal, withCapturedOutput(env.sink, () => Promise.resolve().then(() => fn(inputs, ctx))));
  return saveOutputs(env.objects, stepId, def.outputKinds, result, env.now);
}
