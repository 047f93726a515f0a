import { z } from 'zod';
import { queryInt, repeatable, urlText } from './common.js';

/** A finite number in a query string (`-1.5`, `1e3`). */
const queryNumber = urlText
  .refine((s) => s.trim() !== '' && Number.isFinite(Number(s)), { error: 'must be a finite number' })
  .transform(Number);

export const experimentIdsQuery = z.strictObject({
  experimentId: repeatable.describe('An experiment id; repeat for several (`?experimentId=1&experimentId=2`).'),
});

export const experimentStatsBody = z.object({
  stats: z.array(z.object({
    experimentId: z.string(),
    runCount: z.number().int().describe('Active runs.'),
    lastRunTime: z.number().nullable().describe('Latest start or end of an active run, epoch ms; null without runs.'),
  })),
});

export const experimentKeysBody = z.object({
  metrics: z.array(z.string()),
  params: z.array(z.string()),
  tags: z.array(z.string()),
});

export const sampledHistoryQuery = z.strictObject({
  runId: repeatable.describe('A run id; repeat for several (at most 100).'),
  key: repeatable.describe('A metric key; repeat for several (at most 50; at most 500 runs × keys).'),
  maxPoints: queryInt(4, 100_000).optional().describe('Points per series at most (default 1000).'),
  axis: z.enum(['step', 'time']).optional().describe('What min and max apply to: step (default) or time (epoch ms).'),
  min: queryNumber.optional().describe('Keep points whose step (or time) is at least this.'),
  max: queryNumber.optional().describe('Keep points whose step (or time) is at most this.'),
});

const wireNumber = z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity'])]);

export const sampledHistoryBody = z.object({
  series: z.array(z.object({
    runId: z.string(),
    key: z.string(),
    total: z.number().int().describe('Points of the history in the range.'),
    sampled: z.boolean().describe('True when fewer points than `total` are returned.'),
    steps: z.array(z.number()),
    timestamps: z.array(z.number()),
    values: z.array(wireNumber).describe('Non-finite values as "NaN", "Infinity", "-Infinity".'),
  })),
});

export const artifactPreviewBody = z.object({
  preview: z.object({
    path: z.string(),
    kind: z.enum(['text', 'table', 'image', 'binary']),
    size: z.number(),
    mediaType: z.string(),
    truncated: z.boolean(),
    text: z.string().optional(),
    columns: z.array(z.string()).optional(),
    rows: z.array(z.array(z.string().nullable())).optional(),
  }),
});

export const whoamiBody = z.object({
  authEnabled: z.boolean(),
  role: z.enum(['reader', 'editor', 'admin']).describe('What the caller may do; admin when auth is off.'),
  tokenName: z.string().nullable(),
});
