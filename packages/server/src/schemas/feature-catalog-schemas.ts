import { z } from 'zod';
import { queryInt, urlText } from './common.js';

const materialization = z.object({
  runId: z.string(), view: z.string(), start: z.number(), end: z.number(), status: z.enum(['RUNNING', 'SUCCEEDED', 'FAILED']), rows: z.number(),
  startedTime: z.number(), endedTime: z.number().nullable(), error: z.string().nullable(),
}).describe('MaterializationSummary');

const freshness = z.object({
  view: z.string(), online: z.boolean(), ttlMs: z.number().nullable(), watermark: z.number().nullable(), lastRun: materialization.nullable(),
  stale: z.boolean(), staleReason: z.string().nullable(),
}).describe('ViewFreshness');

const storedObject = z.object({ kind: z.string(), name: z.string(), version: z.number(), registryVersion: z.number(), digest: z.string(), spec: z.unknown(), createdTime: z.number() });

const definitionVersion = z.object({
  version: z.number(), registryVersion: z.number(), createdTime: z.number().nullable(), change: z.enum(['added', 'changed', 'removed']), details: z.array(z.string()), spec: z.unknown(),
}).describe('DefinitionVersion');

const statistics = z.object({
  feature: z.string(), type: z.string(), count: z.number(), nulls: z.number(), min: z.unknown(), max: z.unknown(), mean: z.number().nullable(), stddev: z.number().nullable(),
  distinct: z.number().optional(), distinctExact: z.boolean().optional(),
  quantiles: z.record(z.string(), z.number()).nullable(), histogram: z.object({ edges: z.array(z.number()), counts: z.array(z.number()) }).nullable(),
}).describe('FeatureStatistics');

const expectation = z.object({
  feature: z.string().nullable(), expectation: z.string(), status: z.enum(['passed', 'failed', 'unknown']), note: z.string().nullable(), runId: z.string().nullable(),
}).describe('ExpectationResult');

const trainingSet = z.object({
  datasetId: z.string(), name: z.string(), createdTime: z.number(), registryVersion: z.number(),
  definitions: z.array(z.object({ kind: z.string(), name: z.string(), version: z.number() })), features: z.array(z.string()), featureService: z.string().nullable(),
  entityDigest: z.string(), resultDigest: z.string(), rowCount: z.number(), runId: z.string().nullable(),
}).describe('TrainingDataset');

const objectRef = z.object({ kind: z.string(), name: z.string() });

export const nameParams = z.strictObject({ name: urlText });
export const objectKindQuery = z.strictObject({ kind: z.enum(['entity', 'source', 'featureView', 'onDemandFeatureView', 'featureService']).describe('Which kind of definition the name is (an entity and a view may share a name).') });
export const datasetIdParams = z.strictObject({ datasetId: urlText });
export const materializationsQuery = z.strictObject({ view: urlText.optional(), maxResults: queryInt(1, 1000).optional() });

export const freshnessBody = z.object({ views: z.array(freshness) });
export const viewDetailBody = z.object({
  view: z.object({
    object: storedObject, versions: z.array(definitionVersion), freshness: freshness.nullable(), statistics: z.array(statistics), statisticsRunId: z.string().nullable(),
    expectations: z.array(expectation), materializations: z.array(materialization), usedBy: z.array(objectRef),
  }).describe('FeatureViewDetail'),
});
export const serviceDetailBody = z.object({
  service: z.object({
    object: storedObject, versions: z.array(definitionVersion),
    views: z.array(z.object({ kind: z.enum(['featureView', 'onDemandFeatureView']), name: z.string(), features: z.array(z.string()) })),
    trainingSets: z.array(trainingSet), runs: z.array(z.string()), models: z.array(z.object({ name: z.string(), version: z.string() })),
  }).describe('FeatureServiceDetail'),
});
export const versionsBody = z.object({ versions: z.array(definitionVersion) });
export const materializationsBody = z.object({ runs: z.array(materialization) });
export const trainingSetBody = z.object({ trainingSet });
