import { z } from 'zod';
import { queryInt } from './common.js';

const DAY = 86_400_000;

export const monitoringQuery = z.strictObject({
  since: queryInt(0, Number.MAX_SAFE_INTEGER).optional().describe('Start of the window, epoch ms (default: 24 hours before `until`).'),
  until: queryInt(0, Number.MAX_SAFE_INTEGER).optional().describe('End of the window, epoch ms, exclusive (default: now).'),
  buckets: queryInt(1, 500).optional().describe('Time slices of the traffic series (default 60).'),
});

/** The window a monitoring query asks for, with its defaults. */
export function monitoringWindow(q: z.infer<typeof monitoringQuery>, now = Date.now()): { from: number; to: number; buckets?: number } {
  const to = q.until ?? now;
  return { from: q.since ?? to - DAY, to, ...(q.buckets !== undefined ? { buckets: q.buckets } : {}) };
}

const ms = z.number().nullable();
const alert = z.object({
  kind: z.string(), feature: z.string().nullable(), statistic: z.string(), value: z.number(), threshold: z.number(), message: z.string(),
  time: z.number(), version: z.number().nullable(), runId: z.string().nullable(),
});

export const monitoringBody = z.object({
  monitoring: z.object({
    model: z.string(),
    window: z.object({ from: z.number(), to: z.number() }),
    bucketMs: z.number(),
    served: z.object({ version: z.number(), lastRequestTime: z.number(), aliases: z.array(z.string()) }).nullable(),
    versions: z.array(z.object({ version: z.number(), requests: z.number(), rows: z.number() })),
    totals: z.object({ requests: z.number(), rows: z.number(), perMinute: z.number(), p50: ms, p95: ms, p99: ms }),
    traffic: z.array(z.object({ start: z.number(), requests: z.number(), rows: z.number(), p50: ms, p95: ms, p99: ms })),
    reports: z.array(z.object({
      runId: z.string(), version: z.number().nullable(), time: z.number(), rows: z.number().nullable(), labelled: z.number().nullable(), alerts: z.number(),
      metrics: z.record(z.string(), z.number()),
    })),
    alerts: z.array(alert),
  }),
});
