// Entry point of a child process running one function step (isolation: 'process'). Started by
// child-host.ts (plain node once built); loads the pipeline file through the user-module loader, gets
// its work over IPC and reports back the same way.
import { mkdirSync } from 'node:fs';
import type { CairnConfig } from '../../config/config.js';
import { createArtifactStore } from '../../platform.js';
import { validateDag } from '../dag.js';
import type { PipelineSource } from '../entities.js';
import type { StepTask } from '../executors/executor.js';
import { ArtifactObjects } from '../materializers/artifact-objects.js';
import { resolveParams } from '../params.js';
import type { LinkInput } from '../sql/lineage-store.js';
import { stepContext } from './in-process.js';
import { loadRecordedPipeline } from './pipeline-loader.js';
import { describeError, loadInputs, saveOutputs, stepInputs, StepDefinitionError } from './step-io.js';

export interface ChildInit {
  type: 'run';
  config: CairnConfig;
  cacheDir: string;
  source: PipelineSource;
  pipelineName: string;
  params: Record<string, unknown>;
  stepId: string;
  task: StepTask;
  trackingRunId: string | null;
  workdir: string;
}

export type ChildMessage =
  | { type: 'started' }
  | { type: 'metric'; metrics: Record<string, number>; step?: number }
  | { type: 'done'; outputs: LinkInput[] }
  | { type: 'error'; message: string; stack: string | null; definition: boolean };

function send(msg: ChildMessage): Promise<void> {
  return new Promise((resolve) => process.send!(msg, () => resolve()));
}

async function run(init: ChildInit): Promise<void> {
  const controller = new AbortController();
  process.once('SIGTERM', () => {
    controller.abort(new Error('stopped'));
    setTimeout(() => process.exit(143), 1000).unref();
  });
  const pipeline = await loadRecordedPipeline(init.source, init.pipelineName, init.config.projectDir);
  const dag = validateDag(pipeline.build());
  const node = dag.byId.get(init.stepId);
  if (!node || node.step.impl.type !== 'function') throw new StepDefinitionError(`pipeline '${init.pipelineName}' in ${init.source.file} has no function step '${init.stepId}' any more.`);
  resolveParams(init.pipelineName, dag.params, init.params);
  const objects = new ArtifactObjects(await createArtifactStore(init.config), init.cacheDir);
  const env = {
    task: init.task, objects, signal: controller.signal, projectDir: init.config.projectDir, config: init.config, cacheDir: init.cacheDir,
    trackingRunId: init.trackingRunId, now: Date.now,
    workdir: () => (mkdirSync(init.workdir, { recursive: true }), init.workdir),
    logMetrics: (metrics: Record<string, number>, step?: number) => send({ type: 'metric', metrics, ...(step === undefined ? {} : { step }) }),
    sink: null as never,
    processes: null as never,
    codeStarted: () => {},
  };
  const inputs = stepInputs(node.step, init.stepId, await loadInputs(objects, init.task.artifacts, init.task.values));
  const fn = node.step.impl.fn as unknown as (i: Record<string, unknown>, c: unknown) => unknown;
  await send({ type: 'started' });
  const result = await fn(inputs, stepContext(env, init.stepId, (...args: unknown[]) => console.log(...args)));
  const outputs = await saveOutputs(objects, init.stepId, node.step.outputKinds, result, Date.now);
  await send({ type: 'done', outputs });
}

// The parent (the runner or worker) died: the IPC channel closed. Nothing may outlive it, so stop
// this process's group (what the step started too). A step that blocks the event loop never gets
// here; the parent's process guard kills it instead (process-guard.ts).
process.once('disconnect', () => {
  try {
    process.kill(-process.pid, 'SIGKILL');
  } finally {
    process.exit(1);
  }
});

process.once('message', (init: ChildInit) => {
  run(init).then(
    () => process.exit(0),
    async (e: unknown) => {
      await send({ type: 'error', ...describeError(e), definition: e instanceof StepDefinitionError || (e as Error)?.name === 'CairnError' });
      process.exit(1);
    },
  );
});
