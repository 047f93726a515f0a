import { z } from 'zod';
import { queryInt, urlText } from './common.js';

const runStatus = z.enum(['RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED']);
const stepStatus = z.enum(['PENDING', 'QUEUED', 'RUNNING', 'RETRYING', 'COMPLETED', 'CACHED', 'FAILED', 'SKIPPED', 'CANCELLED']);
const source = z.object({ file: z.string(), exportName: z.string().nullable() });

export const pipelineRunSchema = z
  .object({
    runId: z.string(),
    pipelineName: z.string(),
    status: runStatus,
    statusReason: z.string().nullable(),
    params: z.record(z.string(), z.unknown()),
    source: source.nullable(),
    executor: z.string(),
    experimentId: z.string().nullable(),
    trackingRunId: z.string().nullable(),
    noCache: z.boolean(),
    stepCount: z.number(),
    createdTime: z.number(),
    endTime: z.number().nullable(),
    heartbeatTime: z.number().nullable(),
    cancelRequested: z.boolean(),
    resumeCount: z.number(),
    runner: z.string().nullable(),
  })
  .describe('PipelineRun');

export const stepRunSchema = z
  .object({
    stepRunId: z.string(),
    runId: z.string(),
    stepId: z.string(),
    stepName: z.string(),
    kind: z.enum(['function', 'command']),
    position: z.number(),
    status: stepStatus,
    attempt: z.number(),
    maxAttempts: z.number(),
    startTime: z.number().nullable(),
    endTime: z.number().nullable(),
    error: z.object({ message: z.string(), stack: z.string().nullable() }).nullable(),
    cache: z.object({ key: z.string().nullable(), parts: z.unknown(), status: z.enum(['hit', 'miss', 'off']).nullable(), note: z.string().nullable(), cachedFrom: z.string().nullable() }),
    trackingRunId: z.string().nullable(),
    worker: z.string().nullable(),
    upstream: z.array(z.string()),
    bindings: z.record(z.string(), z.unknown()),
  })
  .describe('StepRun');

export const runIdParams = z.strictObject({ runId: urlText });
export const runStepParams = z.strictObject({ runId: urlText, step: urlText });
export const scheduleNameParams = z.strictObject({ name: urlText });

export const listRunsQuery = z.strictObject({
  pipeline: urlText.optional(),
  status: runStatus.optional(),
  maxResults: queryInt(1, 1000).optional(),
  before: queryInt(0, Number.MAX_SAFE_INTEGER).optional(),
});

export const logsQuery = z.strictObject({
  step: urlText.optional(),
  sinceTime: queryInt(0, Number.MAX_SAFE_INTEGER).optional(),
  maxLines: queryInt(1, 100_000).optional(),
});

export const stepAttemptSchema = z
  .object({
    stepRunId: z.string(),
    stepId: z.string(),
    attempt: z.number(),
    status: z.enum(['RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED']),
    startTime: z.number(),
    endTime: z.number().nullable(),
    error: z.string().nullable(),
    worker: z.string().nullable(),
    processGroup: z.number().nullable(),
  })
  .describe('StepAttempt');

export const runDetailBody = z.object({ run: pipelineRunSchema, steps: z.array(stepRunSchema), attempts: z.array(stepAttemptSchema) }).describe('PipelineRunDetail');
export const runBody = z.object({ run: pipelineRunSchema });
export const runListBody = z.object({ runs: z.array(pipelineRunSchema) });
export const pipelineListBody = z.object({ pipelines: z.array(z.unknown()) }).describe('Pipelines that have run, with their last run');
export const logsBody = z.object({
  lines: z.array(z.object({ stepRunId: z.string(), stepId: z.string(), attempt: z.number(), seq: z.number(), stream: z.enum(['stdout', 'stderr']), time: z.number(), text: z.string() })),
});
export const explainBody = z
  .object({ runId: z.string(), stepId: z.string(), status: z.enum(['hit', 'miss', 'off']).nullable(), key: z.string().nullable(), decision: z.string(), changes: z.array(z.string()), comparedWith: z.unknown(), cachedFrom: z.string().nullable() })
  .describe('CacheExplanation');
export const lineageBody = z.object({ steps: z.array(z.object({ step: stepRunSchema, inputs: z.array(z.unknown()), outputs: z.array(z.unknown()) })) });
export const scheduleListBody = z.object({ schedules: z.array(z.unknown()) });
export const scheduleBody = z.object({ schedule: z.unknown(), ticks: z.array(z.unknown()).optional() });

export const stepLogsQuery = z.strictObject({
  after: urlText.optional().describe('The cursor of the previous answer; from the first line when absent.'),
  maxLines: queryInt(1, 100_000).optional(),
  waitMs: queryInt(0, 25_000).optional().describe('Wait up to this long for a line when none is there yet (a long poll); 0 answers at once.'),
});

export const stepLogPageBody = z.object({
  lines: logsBody.shape.lines,
  cursor: z.string().nullable(),
  stepStatus: stepStatus,
  done: z.boolean().describe('The step has ended and every line has been read.'),
}).describe('StepLogPage');
