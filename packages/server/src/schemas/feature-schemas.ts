import { z } from 'zod';
import { urlText } from './common.js';

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const onlineFeaturesBody = z.strictObject({
  entities: z.array(z.record(z.string(), scalar)).min(1).max(10_000).describe('One object per entity: join keys, and request fields of on-demand views.'),
  features: z.array(z.string()).max(10_000).optional().describe('`view:feature` references.'),
  featureService: z.string().optional().describe('Or the name of a feature service.'),
  fullFeatureNames: z.boolean().optional().describe('Name features `view__feature`.'),
  at: z.union([z.number(), z.string()]).optional().describe('Time the TTLs are measured from (epoch ms or ISO-8601); default now.'),
});

export const onlineFeaturesResponse = z.object({
  featureNames: z.array(z.string()),
  results: z.array(z.object({
    values: z.array(z.unknown()),
    statuses: z.array(z.enum(['PRESENT', 'NOT_FOUND', 'OUTSIDE_MAX_AGE'])),
    eventTimestamps: z.array(z.number().nullable()),
  })).describe('One entry per feature, in featureNames order; values[j] belongs to entities[j].'),
}).describe('OnlineFeatures');

export const pushBody = z.strictObject({
  source: z.string().describe('A push source name.'),
  rows: z.array(z.record(z.string(), scalar)).min(1).max(100_000),
  to: z.enum(['online', 'offline', 'online_and_offline']).optional(),
});

export const pushResponse = z.object({ rows: z.number(), views: z.array(z.string()) });

export const objectKindQuery = z.strictObject({
  kind: z.enum(['entity', 'source', 'featureView', 'onDemandFeatureView', 'featureService']).optional(),
});

export const objectNameParams = z.strictObject({ name: urlText });

const storedObject = z.object({
  kind: z.string(), name: z.string(), version: z.number(), registryVersion: z.number(), digest: z.string(), spec: z.unknown(), createdTime: z.number(),
}).describe('FeatureRegistryObject');

export const objectListResponse = z.object({ objects: z.array(storedObject) });
