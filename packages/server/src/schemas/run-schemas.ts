import { z } from 'zod';
import { NON_FINITE, metricValueSchema } from '../metric-value-codec.js';
import { nextPageToken, queryInt, stringMap, urlText, viewTypeSchema } from './common.js';

const runStatus = z.enum(['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED']);
const wireMetricValue = z.union([z.number(), z.enum(NON_FINITE)]);
const epochMs = z.number().int().describe('Epoch milliseconds.');

export const runIdParams = z.strictObject({ runId: urlText });

export const runInfoSchema = z
  .object({
    runId: z.string(),
    experimentId: z.string(),
    runName: z.string(),
    userId: z.string(),
    status: runStatus,
    statusReason: z.string().nullable(),
    startTime: z.number(),
    endTime: z.number().nullable(),
    lifecycleStage: z.enum(['active', 'deleted']),
    artifactUri: z.string(),
    parentRunId: z.string().nullable(),
    source: z.object({
      gitCommit: z.string().nullable(),
      gitDirty: z.boolean().nullable(),
      entryPoint: z.string().nullable(),
      nodeVersion: z.string().nullable(),
    }),
    lastHeartbeat: z.number().nullable(),
  })
  .describe('RunInfo');

export const metricSchema = z
  .object({ key: z.string(), value: wireMetricValue, timestamp: z.number(), step: z.number() })
  .describe('Metric (value: number, or "NaN" / "Infinity" / "-Infinity")');

const datasetSchema = z.strictObject({
  name: z.string(),
  digest: z.string(),
  sourceType: z.string(),
  source: z.string(),
  schema: z.string().nullish(),
  profile: z.string().nullish(),
});

const datasetInputSchema = z.strictObject({ dataset: datasetSchema, tags: stringMap.optional() });

export const runSchema = z
  .object({
    info: runInfoSchema,
    data: z.object({ params: stringMap, tags: stringMap, metrics: z.array(metricSchema).describe('Latest value per key.') }),
    inputs: z.array(datasetInputSchema),
  })
  .describe('Run');

export const runBody = z.object({ run: runSchema });
export const runInfoBody = z.object({ runInfo: runInfoSchema });

export const createRunBody = z.strictObject({
  experimentId: z.union([z.string(), z.number().int().nonnegative()]).transform(String),
  runName: z.string().nullish(),
  userId: z.string().nullish(),
  startTime: epochMs.nullish(),
  tags: stringMap.optional(),
  params: stringMap.optional(),
  parentRunId: z.string().nullish(),
  source: z
    .strictObject({
      gitCommit: z.string().nullish(),
      gitDirty: z.boolean().nullish(),
      entryPoint: z.string().nullish(),
      nodeVersion: z.string().nullish(),
    })
    .optional(),
  heartbeat: z.boolean().optional().describe('Start heartbeats now; the run is KILLED when they stop.'),
});

export const updateRunBody = z.strictObject({
  status: runStatus.optional(),
  endTime: epochMs.nullish(),
  runName: z.string().optional(),
});

const keyValue = z.strictObject({ key: z.string(), value: z.string() });

export const logBatchBody = z.strictObject({
  metrics: z
    .array(z.strictObject({ key: z.string(), value: metricValueSchema, timestamp: epochMs, step: z.number().int().optional() }))
    .optional(),
  params: z.array(keyValue).optional(),
  tags: z.array(keyValue).optional(),
});


export const metricHistoryQuery = z.strictObject({
  key: urlText,
  maxResults: queryInt(1, 1_000_000).optional(),
  pageToken: urlText.optional(),
});

export const metricHistoryBody = z.object({ metrics: z.array(metricSchema), nextPageToken });

export const logInputsBody = z.strictObject({ datasets: z.array(datasetInputSchema) });

export const searchRunsBody = z.strictObject({
  experimentIds: z.array(z.union([z.string(), z.number().int().nonnegative()]).transform(String)),
  filter: z.string().optional().describe("e.g. metrics.loss < 0.1 AND params.lr = '0.01' AND attributes.status = 'FINISHED'"),
  orderBy: z.array(z.string()).optional().describe("e.g. ['metrics.loss ASC', 'start_time DESC']"),
  maxResults: z.number().int().min(1).optional(),
  pageToken: z.string().optional(),
  viewType: viewTypeSchema.optional(),
});

export const runListBody = z.object({ runs: z.array(runSchema), nextPageToken });
