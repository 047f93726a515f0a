import { resolve } from 'node:path';
import { Command } from 'commander';
import { keyValue, out } from '../cli-context.js';
import { fields, formatTime, json, table } from '../format.js';
import { withPipelines } from './pipelines-run.js';

export function scheduleCommand(): Command {
  const cmd = new Command('schedule').description('Cron schedules, fired by `cairn scheduler` (or the server with pipelines.server_scheduler).');

  cmd.command('add').description('Schedule a pipeline from a file on a cron expression.')
    .argument('<name>', 'a name for the schedule')
    .argument('<cron>', "5 fields (minute hour day month weekday) or 6 with seconds first, e.g. '0 3 * * *'")
    .requiredOption('--file <file>', 'the pipeline file (the scheduler loads it at each tick)')
    .option('--pipeline <name>', 'which pipeline, when the file exports several')
    .option('-p, --param <key=value>', 'a parameter value, repeatable', keyValue)
    .option('--timezone <tz>', 'IANA time zone of the cron expression', 'UTC')
    .option('--json', 'print JSON')
    .addHelpText('after', `
Examples:
  $ cairn pipelines schedule add nightly-churn '0 3 * * *' --file pipelines/churn.ts --param lr=0.1
  $ cairn pipelines schedule add hourly '0 * * * *' --file pipelines/etl.ts --timezone Europe/Berlin`)
    .action(async (name: string, cron: string, opts: { file: string; pipeline?: string; param?: Record<string, string>; timezone: string; json?: boolean }, self: Command) => {
      const core = await import('@cairn/core');
      const path = resolve(opts.file);
      const found = await core.loadPipelineFile(path, opts.pipeline);
      core.validateDag(found.pipeline.build());
      // Parsed and checked now, stored typed: a bad value fails here, not at 3 am.
      const params = core.resolveParams(found.pipeline.name, found.pipeline.params, {}, opts.param ?? {});
      await withPipelines(self, async (p) => {
        const s = await p.pipelines.schedules.add({ name, pipelineName: found.pipeline.name, source: { file: path, exportName: found.exportName }, cron, timezone: opts.timezone, params });
        out(opts.json ? json({ schedule: s }) : `Schedule '${s.name}' runs ${s.pipelineName} at '${s.cron}' (${s.timezone}); next ${formatTime(s.nextTickTime)}.\n`);
      });
    });

  cmd.command('list').description('List schedules with their next tick.')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, self: Command) => {
      await withPipelines(self, async (p) => {
        const list = await p.pipelines.schedules.list();
        if (opts.json) return out(json({ schedules: list }));
        out(list.length
          ? table(['NAME', 'PIPELINE', 'CRON', 'TZ', 'ENABLED', 'LAST TICK', 'NEXT TICK'], list.map((s) => [s.name, s.pipelineName, s.cron, s.timezone, s.enabled ? 'yes' : 'no', formatTime(s.lastTickTime), formatTime(s.nextTickTime)]))
          : 'No schedules. Add one with `cairn pipelines schedule add NAME CRON --file FILE`.\n');
      });
    });

  for (const [verb, enabled] of [['pause', false], ['resume', true]] as const) {
    cmd.command(verb).description(`${enabled ? 'Resume' : 'Pause'} a schedule.`).argument('<name>', 'the schedule name')
      .action(async (name: string, _opts: object, self: Command) => {
        await withPipelines(self, async (p) => {
          await p.pipelines.schedules.setEnabled(name, enabled);
          out(`Schedule '${name}' ${enabled ? 'resumed' : 'paused'}.\n`);
        });
      });
  }

  cmd.command('remove').description('Delete a schedule.').argument('<name>', 'the schedule name')
    .action(async (name: string, _opts: object, self: Command) => {
      await withPipelines(self, async (p) => {
        await p.pipelines.schedules.remove(name);
        out(`Schedule '${name}' removed.\n`);
      });
    });

  cmd.command('ticks').description('Show the latest fired ticks of a schedule and the runs they started.').argument('<name>', 'the schedule name')
    .option('--json', 'print JSON')
    .action(async (name: string, opts: { json?: boolean }, self: Command) => {
      await withPipelines(self, async (p) => {
        const ticks = await p.pipelines.schedules.ticks(name);
        const s = await p.pipelines.schedules.get(name);
        out(opts.json ? json({ schedule: s, ticks }) : `${fields([['schedule', s.name], ['cron', `${s.cron} (${s.timezone})`]])}${table(['TICK', 'FIRED', 'RUN', 'ERROR'], ticks.map((t) => [formatTime(t.tickTime), formatTime(t.firedTime), t.runId ?? '-', t.error ?? '']))}`);
      });
    });
  return cmd;
}
