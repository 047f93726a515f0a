import { Command, Option } from 'commander';
import type { Experiment, ViewType } from '@cairn/core';
import { keyValue, out, withCairn } from '../cli-context.js';
import { fields, formatTags, formatTime, json, section, table, truncate } from '../format.js';

function experimentRows(experiments: Experiment[], showStage: boolean): string {
  const head = ['ID', 'NAME', ...(showStage ? ['STAGE'] : []), 'CREATED', 'TAGS'];
  const rows = experiments.map((e) => [e.experimentId, e.name, ...(showStage ? [e.lifecycleStage] : []), formatTime(e.creationTime), truncate(formatTags(e.tags), 60)]);
  return table(head, rows);
}

export function experimentsCommand(): Command {
  const cmd = new Command('experiments')
    .alias('exp')
    .summary('list, create, show, rename, delete and restore experiments')
    .description('An experiment groups the runs of one modelling question (e.g. "churn").');

  cmd
    .command('list')
    .alias('ls')
    .description('List experiments (active ones unless --all or --deleted).')
    .addOption(new Option('--all', 'include deleted experiments').conflicts('deleted'))
    .option('--deleted', 'only deleted experiments')
    .option('--filter <expr>', "search filter, e.g. \"name LIKE 'churn%'\" or \"tags.team = 'risk'\"")
    .option('--json', 'print JSON instead of a table')
    .addHelpText('after', `
Examples:
  $ cairn experiments list
  $ cairn experiments list --filter "name LIKE 'churn%'"
  $ cairn experiments list --all --json`)
    .action(async (opts: { all?: boolean; deleted?: boolean; filter?: string; json?: boolean }, self: Command) => {
      const viewType: ViewType = opts.all ? 'ALL' : opts.deleted ? 'DELETED_ONLY' : 'ACTIVE_ONLY';
      await withCairn(self, async (cairn) => {
        const experiments = await cairn.experiments.list({ filter: opts.filter, viewType });
        if (opts.json) return out(json({ experiments }));
        if (!experiments.length) return out(opts.filter ? 'No experiments match the filter.\n' : 'No experiments yet. Create one with `cairn experiments create NAME`.\n');
        out(experimentRows(experiments, viewType !== 'ACTIVE_ONLY'));
      });
    });

  cmd
    .command('create')
    .description('Create an experiment.')
    .argument('<name>', 'a unique name')
    .option('--tag <key=value>', 'set a tag (repeatable)', keyValue)
    .option('--json', 'print the new experiment as JSON')
    .addHelpText('after', `
Examples:
  $ cairn experiments create churn
  $ cairn experiments create churn --tag team=risk --tag owner=ana`)
    .action(async (name: string, opts: { tag?: Record<string, string>; json?: boolean }, self: Command) => {
      await withCairn(self, async (cairn) => {
        const exp = await cairn.experiments.create(name, { tags: opts.tag ?? {} });
        out(opts.json ? json({ experiment: exp }) : `Created experiment '${exp.name}' (id ${exp.experimentId}).\n`);
      });
    });

  cmd
    .command('show')
    .description('Show one experiment and its most recent runs.')
    .argument('<name-or-id>', 'experiment name, or its numeric id')
    .option('--json', 'print JSON instead of text')
    .addHelpText('after', `
Examples:
  $ cairn experiments show churn
  $ cairn experiments show 3 --json`)
    .action(async (nameOrId: string, opts: { json?: boolean }, self: Command) => {
      await withCairn(self, async (cairn) => {
        const exp = await cairn.experiments.resolve(nameOrId);
        const recent = await cairn.runs.search({ experimentIds: [exp.experimentId], orderBy: ['attributes.start_time DESC'], maxResults: 10, viewType: 'ALL' });
        if (opts.json) return out(json({ experiment: exp, recentRuns: recent.items.map((r) => r.info) }));
        out(fields([
          ['id', exp.experimentId],
          ['name', exp.name],
          ['stage', exp.lifecycleStage],
          ['artifacts', exp.artifactLocation],
          ['created', formatTime(exp.creationTime)],
          ['updated', formatTime(exp.lastUpdateTime)],
          ['tags', formatTags(exp.tags) || '-'],
        ]));
        const rows = recent.items.map((r) => [r.info.runId, r.info.runName, r.info.status, formatTime(r.info.startTime)]);
        out(section('Recent runs', rows.length ? table(['RUN ID', 'NAME', 'STATUS', 'START'], rows) : 'none yet\n'));
      });
    });

  cmd
    .command('rename')
    .description('Rename an experiment.')
    .argument('<name-or-id>', 'current name or id')
    .argument('<new-name>', 'the new name')
    .addHelpText('after', `
Example:
  $ cairn experiments rename churn churn-2024`)
    .action(async (nameOrId: string, newName: string, _opts: unknown, self: Command) => {
      await withCairn(self, async (cairn) => {
        const exp = await cairn.experiments.resolve(nameOrId);
        const renamed = await cairn.backend.renameExperiment(exp.experimentId, newName);
        out(`Renamed experiment ${exp.experimentId} from '${exp.name}' to '${renamed.name}'.\n`);
      });
    });

  cmd
    .command('delete')
    .description('Delete an experiment (soft: restore it with `cairn experiments restore`).')
    .argument('<name-or-id>', 'experiment name or id')
    .addHelpText('after', `
Example:
  $ cairn experiments delete churn-old`)
    .action(async (nameOrId: string, _opts: unknown, self: Command) => {
      await withCairn(self, async (cairn) => {
        const exp = await cairn.experiments.resolve(nameOrId);
        await cairn.backend.deleteExperiment(exp.experimentId);
        out(`Deleted experiment '${exp.name}' (id ${exp.experimentId}). Undo with: cairn experiments restore ${exp.experimentId}\n`);
      });
    });

  cmd
    .command('restore')
    .description('Restore a deleted experiment.')
    .argument('<name-or-id>', 'experiment name or id')
    .addHelpText('after', `
Example:
  $ cairn experiments restore 4`)
    .action(async (nameOrId: string, _opts: unknown, self: Command) => {
      await withCairn(self, async (cairn) => {
        const exp = await cairn.experiments.resolve(nameOrId);
        await cairn.backend.restoreExperiment(exp.experimentId);
        out(`Restored experiment '${exp.name}' (id ${exp.experimentId}).\n`);
      });
    });

  return cmd;
}
