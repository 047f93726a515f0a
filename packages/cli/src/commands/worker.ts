import { Command } from 'commander';
import { out, positiveInt, redactUri } from '../cli-context.js';
import { pipelineConfig } from './pipelines-run.js';

export function workerCommand(): Command {
  return new Command('worker')
    .description('Take pipeline steps from the queue (pipelines.executor: queue) and run them, until interrupted.')
    .option('--concurrency <n>', 'steps run at once (default: pipelines.worker_concurrency)', positiveInt)
    .addHelpText('after', `
Run any number of workers, on any machines that have the project's pipeline files and reach the
same store and Redis. A worker killed mid-step (even with kill -9) takes its step processes with
it; the step is taken over by another worker after pipelines.queue_lock_seconds plus the stalled
check, as the step's next attempt (the killed one is kept in \`cairn pipelines show\`). A worker
taking over on the same machine first stops anything the dead attempt left running.

Examples:
  $ CAIRN_PIPELINES_EXECUTOR=queue cairn worker
  $ cairn worker --concurrency 8`)
    .action(async (opts: { concurrency?: number }, self: Command) => {
      const { config } = await pipelineConfig(self);
      const { openPlatform } = await import('@cairn/core');
      const platform = await openPlatform(config);
      let worker;
      try {
        worker = await platform.pipelines.startWorker({ concurrency: opts.concurrency });
      } catch (e) {
        await platform.close();
        throw e;
      }
      out(`Cairn worker ${worker.id} taking steps from ${redactUri(config.pipelines.queue_redis_uri)} (prefix ${config.pipelines.queue_prefix}); Ctrl-C stops it.\n`);
      // Also ends runs whose runner died, so nothing stays RUNNING when no server is up.
      const reaper = setInterval(() => void platform.pipelines.reapStale().catch(() => {}), 5000);
      const stop = () => {
        clearInterval(reaper);
        process.stderr.write('Stopping: finishing running steps…\n');
        void worker.close().then(() => platform.close()).then(() => process.exit(0), () => process.exit(1));
      };
      process.once('SIGINT', stop).once('SIGTERM', stop);
    });
}
