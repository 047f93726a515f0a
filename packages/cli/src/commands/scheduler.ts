import { Command } from 'commander';
import { out } from '../cli-context.js';
import { formatTime } from '../format.js';
import { pipelineConfig } from './pipelines-run.js';

export function schedulerCommand(): Command {
  return new Command('scheduler')
    .description('Fire cron schedules (`cairn pipelines schedule add`) until interrupted; fired runs execute here.')
    .addHelpText('after', `
Several schedulers may run at once (for availability): each tick still fires exactly once. A
scheduler claims a tick, then loads the pipeline file and starts its run; the run is recorded on
the tick in the same transaction that creates it. If the scheduler dies in between, another one
takes the claim over once its lease (pipelines.scheduler_lease_seconds, 30) lapsed and starts the
run, so the tick is neither lost nor fired twice. After downtime only the latest missed tick
fires. Runs fired here execute in this process (or on workers, with the queue executor).

Examples:
  $ cairn scheduler
  $ CAIRN_PIPELINES_EXECUTOR=queue cairn scheduler   # steps go to cairn worker processes`)
    .action(async (_opts: object, self: Command) => {
      const { config } = await pipelineConfig(self);
      const { openPlatform } = await import('@cairn/core');
      const platform = await openPlatform(config);
      const scheduler = platform.pipelines.createScheduler({ onError: (e) => process.stderr.write(`scheduler: ${(e as Error).message}\n`) });
      scheduler.start((t) => out(t.runId ? `${formatTime(t.tickTime)} ${t.schedule}: started run ${t.runId}${t.recovered ? ' (tick taken over from a scheduler that stopped)' : ''}\n` : `${formatTime(t.tickTime)} ${t.schedule}: failed to start: ${t.error}\n`));
      out(`Cairn scheduler firing ${(await platform.pipelines.schedules.list()).filter((s) => s.enabled).length} schedule(s); Ctrl-C stops it.\n`);
      const stop = () => {
        process.stderr.write('Stopping: cancelling runs started here…\n');
        void scheduler.stop().then(() => platform.close()).then(() => process.exit(0), () => process.exit(1));
      };
      process.once('SIGINT', stop).once('SIGTERM', stop);
    });
}
