import { Command, Option } from 'commander';
import type { Run, ViewType } from '@cairn/core';

// The well-known input tag saying how a dataset was used (core's CONTEXT_TAG, without loading core).
const CONTEXT_TAG = 'mlflow.data.context';
// A pipeline step's tracking run tags each output `cairn.output.<name> = <kind> sha256:<digest>`; the
// artifact is the content-addressed object at this key of the artifact store (docs/pipelines.md).
const OUTPUT_TAG = 'cairn.output.';
const objectUri = (digest: string) => `cairn-artifacts:/pipelines/objects/${digest.slice(0, 2)}/${digest}`;
import { collect, out, positiveInt, withCairn } from '../cli-context.js';
import { fields, formatDuration, formatNumber, formatTags, formatTime, json, section, table, truncate } from '../format.js';
import { runsCompareCommand } from './runs-compare.js';
import { runsReproduceCommand } from './runs-reproduce.js';

const DEFAULT_MAX = 100;
const EXTRA_COLUMNS = 3;

// Keys named in --filter/--order-by come first in the table; then the keys most runs have.
function pickKeys(runs: Run[], kind: 'params' | 'metrics', mentioned: string, n: number): string[] {
  const alias = kind === 'params' ? 'params?|parameters?' : 'metrics?';
  const re = new RegExp(`\\b(?:${alias})\\.(?:\`([^\`]+)\`|"([^"]+)"|([\\w./-]+))`, 'gi');
  const preferred = [...mentioned.matchAll(re)].map((m) => m[1] ?? m[2] ?? m[3]!);
  const counts = new Map<string, number>();
  for (const r of runs) {
    const keys = kind === 'params' ? Object.keys(r.data.params) : r.data.metrics.map((m) => m.key);
    for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const byFrequency = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([k]) => k);
  return [...new Set([...preferred.filter((k) => counts.has(k)), ...byFrequency])].slice(0, n);
}

function listTable(runs: Run[], mentioned: string): string {
  const params = pickKeys(runs, 'params', mentioned, EXTRA_COLUMNS);
  const metrics = pickKeys(runs, 'metrics', mentioned, EXTRA_COLUMNS);
  const head = ['RUN ID', 'NAME', 'STATUS', 'START', ...params.map((k) => `params.${k}`), ...metrics.map((k) => `metrics.${k}`)];
  const rows = runs.map((r) => {
    const latest = new Map(r.data.metrics.map((m) => [m.key, m.value]));
    return [
      r.info.runId,
      truncate(r.info.runName, 30),
      r.info.status,
      formatTime(r.info.startTime),
      ...params.map((k) => truncate(r.data.params[k] ?? '-', 20)),
      ...metrics.map((k) => (latest.has(k) ? formatNumber(latest.get(k)!) : '-')),
    ];
  });
  return table(head, rows);
}

function showRun(run: Run, experimentName: string): string {
  const i = run.info;
  const src = i.source;
  const commit = src.gitCommit ? `${src.gitCommit}${src.gitDirty ? ' (uncommitted changes)' : ''}` : '-';
  let text = fields([
    ['run id', i.runId],
    ['name', i.runName],
    ['experiment', `${experimentName} (id ${i.experimentId})`],
    ['status', i.statusReason ? `${i.status} (${i.statusReason})` : i.status],
    ['user', i.userId],
    ['started', formatTime(i.startTime)],
    ['ended', i.endTime == null ? '-' : `${formatTime(i.endTime)} (${formatDuration(i.endTime - i.startTime)})`],
    ...(i.parentRunId ? [['parent run', i.parentRunId] as [string, string]] : []),
    ...(i.lifecycleStage === 'deleted' ? [['stage', 'deleted'] as [string, string]] : []),
    ['artifacts', i.artifactUri],
    ['git commit', commit],
    ['entry point', src.entryPoint ?? '-'],
    ['node', src.nodeVersion ?? '-'],
  ]);
  const params = Object.entries(run.data.params).sort(([a], [b]) => (a < b ? -1 : 1));
  text += section('Params', params.length ? table(['KEY', 'VALUE'], params.map(([k, v]) => [k, truncate(v, 80)])) : 'none\n');
  const metrics = run.data.metrics.map((m) => [m.key, formatNumber(m.value), String(m.step), formatTime(m.timestamp)]);
  text += section('Metrics (latest)', metrics.length ? table(['KEY', 'VALUE', 'STEP', 'TIME'], metrics) : 'none\n');
  const tags = Object.entries(run.data.tags).sort(([a], [b]) => (a < b ? -1 : 1));
  text += section('Tags', tags.length ? table(['KEY', 'VALUE'], tags.map(([k, v]) => [k, truncate(v, 80)])) : 'none\n');
  const inputs = run.inputs.map(({ dataset, tags: { [CONTEXT_TAG]: context, ...others } }) => [dataset.name, dataset.digest, context ?? '-', dataset.sourceType, truncate(formatTags(others), 40) || '-']);
  text += section('Inputs', inputs.length ? table(['DATASET', 'DIGEST', 'CONTEXT', 'SOURCE', 'TAGS'], inputs) : 'none\n');
  const outputs = tags.filter(([k]) => k.startsWith(OUTPUT_TAG)).map(([k, v]) => {
    const [kind = '', digest = ''] = v.split(' sha256:');
    return [k.slice(OUTPUT_TAG.length), kind, digest.slice(0, 12), /^[0-9a-f]{64}$/.test(digest) ? objectUri(digest) : '-'];
  });
  if (outputs.length) text += section('Outputs (pipeline artifacts)', table(['NAME', 'KIND', 'DIGEST', 'URI'], outputs));
  return text;
}

export function runsCommand(): Command {
  const cmd = new Command('runs').summary('list, show and compare runs').description('A run is one execution of training code, with its params, metrics, tags and artifacts.');

  cmd
    .command('list')
    .alias('ls')
    .description('List the runs of an experiment, newest first unless --order-by says otherwise.')
    .requiredOption('-e, --experiment <name>', 'experiment name (or numeric id)')
    .option('--filter <expr>', "search filter, e.g. \"metrics.auc > 0.8 AND params.model = 'xgb'\"")
    .option('--order-by <expr>', "sort key, repeatable, e.g. 'metrics.auc DESC'", collect)
    .option('--max <n>', 'at most this many runs', positiveInt, DEFAULT_MAX)
    .addOption(new Option('--all', 'include deleted runs').conflicts('deleted'))
    .option('--deleted', 'only deleted runs')
    .option('--json', 'print JSON instead of a table')
    .addHelpText('after', `
Filter syntax: metrics.<key>, params.<key>, tags.<key>, attributes.<name> (status, run_name,
start_time, …) compared with = != < <= > >= LIKE ILIKE IN; clauses joined with AND.

Examples:
  $ cairn runs list --experiment churn
  $ cairn runs list -e churn --filter "metrics.auc > 0.8" --order-by "metrics.auc DESC" --max 5
  $ cairn runs list -e churn --filter "params.model = 'xgb' AND attributes.status = 'FINISHED'" --json`)
    .action(async (opts: { experiment: string; filter?: string; orderBy?: string[]; max: number; all?: boolean; deleted?: boolean; json?: boolean }, self: Command) => {
      const viewType: ViewType = opts.all ? 'ALL' : opts.deleted ? 'DELETED_ONLY' : 'ACTIVE_ONLY';
      await withCairn(self, async (cairn) => {
        const exp = await cairn.experiments.resolve(opts.experiment);
        const page = await cairn.runs.search({ experimentIds: [exp.experimentId], filter: opts.filter, orderBy: opts.orderBy, maxResults: opts.max, viewType });
        if (opts.json) return out(json({ runs: page.items, nextPageToken: page.nextPageToken }));
        if (!page.items.length) return out(opts.filter ? 'No runs match the filter.\n' : `Experiment '${exp.name}' has no runs yet.\n`);
        out(listTable(page.items, `${opts.filter ?? ''} ${(opts.orderBy ?? []).join(' ')}`));
        if (page.nextPageToken) out(`\nShowing the first ${page.items.length} runs; raise --max or narrow --filter to see others.\n`);
      });
    });

  cmd
    .command('show')
    .description('Show a run: info, params, latest metrics, tags, inputs and source.')
    .argument('<run-id>', 'the run id (see `cairn runs list`)')
    .option('--json', 'print JSON instead of text')
    .addHelpText('after', `
Examples:
  $ cairn runs show 3f9c2a…
  $ cairn runs show 3f9c2a… --json | jq '.run.data.params'`)
    .action(async (runId: string, opts: { json?: boolean }, self: Command) => {
      await withCairn(self, async (cairn) => {
        const run = await cairn.runs.get(runId);
        if (opts.json) return out(json({ run }));
        const exp = await cairn.experiments.get(run.info.experimentId);
        out(showRun(run, exp.name));
      });
    });

  cmd.addCommand(runsCompareCommand());
  cmd.addCommand(runsReproduceCommand());
  return cmd;
}
