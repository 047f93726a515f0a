import { Command, Option } from 'commander';
import { out } from '../cli-context.js';
import { json } from '../format.js';
import { withPipelines } from './pipelines-run.js';

export function reportCommand(): Command {
  return new Command('report')
    .description('Report on a run for people and CI: metrics against the alias holder and the gate verdict, data statistics, the lineage chain.')
    .argument('<run-id>', 'a pipeline run id, or a tracking run id')
    .addOption(new Option('--format <format>', 'output format').choices(['markdown', 'json']).default('markdown'))
    .option('--alias <alias>', 'the alias registered models are compared against', 'champion')
    .addHelpText('after', `
The report lists each model version the run registered next to the version holding --alias (or the
one it replaced), with the gate's recorded verdict, the training sets with the feature statistics of
their latest materialization, the pipeline's steps and outputs, and the chain from git commit and
lockfile to the model. Markdown is made for a pull-request comment or a CI job summary.

Examples:
  $ cairn report c57fa4271bc8…
  $ cairn report c57fa4271bc8… --format markdown >> "$GITHUB_STEP_SUMMARY"
  $ cairn report c57fa4271bc8… --format json | jq '.models[0].gate.passed'`)
    .action(async (runId: string, opts: { format: 'markdown' | 'json'; alias: string }, self: Command) => {
      await withPipelines(self, async (platform) => {
        const { buildRunReport, renderMarkdown } = await import('@cairn/core');
        const report = await buildRunReport(platform, runId, { alias: opts.alias });
        out(opts.format === 'json' ? json(report) : renderMarkdown(report));
      });
    });
}
