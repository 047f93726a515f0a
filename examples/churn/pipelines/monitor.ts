// The monitoring pipeline: one step that judges the last day of @champion's traffic against its
// training set (drift, data quality, live performance), records a monitoring run and alerts through
// the registry's webhooks. Schedule it on Cairn's own scheduler:
//   cairn pipelines schedule add churn-monitor "0 * * * *" --file pipelines/monitor.ts
import { param, pipeline, step } from '@cairn/core';
import { MODEL_NAME, withPlatform } from '../src/lib/project.js';

/** Never cached: every tick looks at new traffic. */
export const monitor = step({ name: 'monitor', cache: false, outputs: { summary: 'json' } },
  async ({ model, window }: { model: string; window: string }, ctx) => withPlatform(async (p) => {
    const report = await p.monitoring.run({ model, window });
    for (const a of report.alerts) ctx.log(`ALERT ${a.kind}: ${a.message}`);
    ctx.log(`${report.rows} rows, ${report.alerts.length} alerts; monitoring run ${report.runId}`);
    return { summary: { model: report.model, version: report.version, rows: report.rows, alerts: report.alerts.length, runId: report.runId } };
  }));

export default pipeline({
  name: 'churn-monitor',
  description: "Drift, data quality and live performance of @champion's traffic, against its training set",
  params: { window: param.string('1d', 'how far back to look, e.g. 1h or 1d') },
}, (p) => {
  monitor({ model: `${MODEL_NAME}@champion`, window: p.window });
});
