import { Command } from 'commander';
import type { Reproduction } from '@cairn/core';
import { CairnError } from '@cairn/core/errors';
import { out } from '../cli-context.js';
import { json, style, table } from '../format.js';
import { PipelineProgress } from './pipeline-progress.js';
import { withPipelines } from './pipelines-run.js';

const short = (d: string | null) => (d ? d.replace(/^sha256:/, '').slice(0, 12) : '-');

function reproductionText(r: Reproduction): string {
  const rows = r.outputs.map((o) => [o.step, o.output, o.kind ?? '-', short(o.original), short(o.reproduced), o.match ? 'same' : style.changed('DIFFERS')]);
  const env = r.environment.map((e) => [e.key, e.recorded ?? '-', e.same ? 'same' : style.changed(e.current ?? '-')]);
  const differing = r.outputs.filter((o) => !o.match).length;
  return [
    `\nReproduced pipeline run ${r.original.runId} (${r.original.pipelineName}) as ${r.reproduction.run.runId}: ${r.reproduction.run.status}\n\n`,
    table(['STEP', 'OUTPUT', 'KIND', 'ORIGINAL', 'REPRODUCED', 'DIGEST'], rows),
    `\nEnvironment then and now (differences explain mismatches):\n`,
    table(['RECORDED', 'THEN', 'NOW'], env),
    r.matched
      ? `\nAll ${r.outputs.length} outputs match the original run.\n`
      : `\n${differing} of ${r.outputs.length} outputs differ. \`cairn pipelines explain ${r.reproduction.run.runId} STEP\` and \`cairn pipelines lineage\` show what each step read.\n`,
  ].join('');
}

export function runsReproduceCommand(): Command {
  return new Command('reproduce')
    .description('Re-run a pipeline run with its recorded params, every step executed again, and compare each output digest with the original.')
    .argument('<run-id>', 'a pipeline run id, or the tracking run id of a pipeline run')
    .option('--json', 'print the comparison as JSON')
    .addHelpText('after', `
Exit code 0 when every output's digest matches the original's, 1 when any differs (or the re-run
fails). The recorded environment (git commit and diff, lockfile, Node, config) is compared too and
shown, to explain a mismatch; it does not decide the exit code.

Examples:
  $ cairn runs reproduce c57fa4271bc8…
  $ cairn runs reproduce c57fa4271bc8… --json | jq '.outputs[] | select(.match | not)'`)
    .action(async (runId: string, opts: { json?: boolean }, self: Command) => {
      await withPipelines(self, async (platform) => {
        const { reproduceRun } = await import('@cairn/core');
        const progress = opts.json ? null : new PipelineProgress(process.stderr);
        const result = await reproduceRun(platform, runId, {
          onEvent: progress?.onEvent,
          onStart: (id) => process.stderr.write(`Reproducing ${runId} as pipeline run ${id} (no cache)\n`),
        });
        progress?.flush();
        out(opts.json ? json({ original: result.original.runId, reproduction: result.reproduction.run.runId, status: result.reproduction.run.status, matched: result.matched, outputs: result.outputs, environment: result.environment }) : reproductionText(result));
        if (!result.matched) {
          throw new CairnError('FAILED_PRECONDITION', result.reproduction.run.status !== 'COMPLETED'
            ? `The reproduction ${result.reproduction.run.runId} ended ${result.reproduction.run.status}; see \`cairn pipelines logs ${result.reproduction.run.runId}\`.`
            : `${result.outputs.filter((o) => !o.match).length} output(s) of ${result.original.runId} did not reproduce.`);
        }
      });
    });
}
