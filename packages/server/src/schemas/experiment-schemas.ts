import { z } from 'zod';
import { queryInt, repeatable, stringMap, viewTypeSchema, nextPageToken, urlText } from './common.js';

export const experimentSchema = z
  .object({
    experimentId: z.string().describe('Decimal string.'),
    name: z.string(),
    artifactLocation: z.string().describe('Assigned by Cairn, relative to the artifact root.'),
    lifecycleStage: z.enum(['active', 'deleted']),
    creationTime: z.number().describe('Epoch milliseconds.'),
    lastUpdateTime: z.number().describe('Epoch milliseconds.'),
    tags: stringMap,
  })
  .describe('Experiment');

export const experimentBody = z.object({ experiment: experimentSchema });

export const experimentIdParams = z.strictObject({ experimentId: urlText });

export const createExperimentBody = z.strictObject({
  name: z.string(),
  artifactLocation: z
    .string()
    .nullish()
    .describe("Optional 'cairn-artifacts:/<relative path>' or 'mlflow-artifacts:/<relative path>'; omit to let Cairn choose."),
  tags: stringMap.optional(),
});

export const listExperimentsQuery = z.strictObject({
  filter: urlText.optional().describe("Search filter, e.g. name LIKE 'bench-%' AND tags.team = 'vision'."),
  orderBy: repeatable.optional().describe('Repeatable, e.g. orderBy=name&orderBy=creation_time DESC.'),
  maxResults: queryInt(1, 1_000_000).optional(),
  pageToken: urlText.optional(),
  viewType: viewTypeSchema.optional(),
});

export const experimentListBody = z.object({ experiments: z.array(experimentSchema), nextPageToken });

export const experimentByNameParams = z.strictObject({ name: urlText });

export const renameExperimentBody = z.strictObject({ name: z.string() });

export const setTagBody = z.strictObject({ key: z.string(), value: z.string() });

