import { ownEntryPoint, ownProcessArgs } from '../../loader/own-files.js';
import type { ArtifactRecord } from '../entities.js';
import type { LinkInput } from '../sql/lineage-store.js';
import type { StepDefinition } from '../step-definition.js';
import type { AttemptEnv } from './attempt-env.js';
import type { ChildInit, ChildMessage } from './child-entry.js';
import { runProcess } from './process-runner.js';
import { StepDefinitionError } from './step-io.js';

// child-entry.js once built (plain node runs it), child-entry.ts in the checkout (run through tsx).
const ENTRY = ownEntryPoint('pipelines/runtime/child-entry');

/**
 * Runs a function step in a child Node process (`isolation: 'process'`): the child loads the
 * pipeline file again, reads the inputs from the artifact store, runs the step and stores its
 * outputs; its stdout/stderr become the step's log and its metrics come back over IPC. Stopping
 * the attempt (timeout, cancel) kills the child's process group. The child says when the step's
 * code starts (after loading the pipeline file), which is when the step's timeout starts.
 */
export async function runInChild(def: StepDefinition, stepId: string, env: AttemptEnv): Promise<LinkInput[]> {
  const t = env.task;
  if (!t.source) throw new StepDefinitionError(`step '${stepId}' runs in a child process (isolation: 'process'), but pipeline '${t.pipelineName}' has no source file to load there; define it in a module file.`);
  const init: ChildInit = {
    type: 'run', config: env.config, cacheDir: env.cacheDir, source: t.source, pipelineName: t.pipelineName, params: t.params,
    stepId, task: t, trackingRunId: env.trackingRunId, workdir: env.workdir(),
  };
  let result: ChildMessage | null = null;
  const metricWrites: Promise<void>[] = [];
  const memory = def.resources.memoryMb ? [`--max-old-space-size=${Math.floor(def.resources.memoryMb)}`] : [];
  const { child, done } = runProcess([process.execPath, ...ownProcessArgs(), ...memory, ENTRY], {
    cwd: env.projectDir,
    env: { ...process.env, CAIRN_CHILD_STEP: stepId, CAIRN_RUN_ID: t.runId, CAIRN_STEP_ID: stepId, CAIRN_STEP_RUN_ID: t.stepRunId, CAIRN_ATTEMPT: String(t.attempt) },
    sink: env.sink,
    signal: env.signal,
    processes: env.processes,
    ipc: (m) => {
      const msg = m as ChildMessage;
      if (msg.type === 'metric') metricWrites.push(env.logMetrics(msg.metrics, msg.step).catch(() => {}));
      else if (msg.type === 'started') env.codeStarted();
      else result = msg;
    },
  });
  child.send(init);
  const exit = await done;
  await Promise.all(metricWrites);
  const final = result as ChildMessage | null;
  if (exit.stoppedBecause !== null) throw new Error(`step '${stepId}' was stopped: ${exit.stoppedBecause}`);
  if (final?.type === 'done') return final.outputs.map((o) => ({ name: o.name, artifact: o.artifact as ArtifactRecord }));
  if (final?.type === 'error') {
    const err = final.definition ? new StepDefinitionError(final.message) : new Error(final.message);
    err.stack = final.stack ?? err.stack;
    throw err;
  }
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  throw new Error(`the child process of step '${stepId}' ${how} before finishing${exit.spawnError ? ` (${exit.spawnError.message})` : ''}`);
}
