import { Command, InvalidArgumentError } from 'commander';
import type { FeatureSelectionInput, MaterializationOutcome, MaterializeProgress, Plan, Platform } from '@cairn/core';
import { CairnError, isCairnError } from '@cairn/core/errors';
import { out, positiveInt, withPlatform } from '../cli-context.js';
import { formatTime, json, style, table } from '../format.js';

const WHAT = 'The feature store commands';

const list = (v: string, prev: string[] = []) => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];

// `--entity driver_id=1001`, repeatable: pairs are kept as text, in order, and typed later by the
// type of the join key or request field they name.
function entityArg(value: string, prev: Array<[string, string]> = []): Array<[string, string]> {
  const i = value.indexOf('=');
  if (i <= 0) throw new InvalidArgumentError('Expected KEY=VALUE, e.g. --entity driver_id=1001.');
  return [...prev, [value.slice(0, i), value.slice(i + 1)]];
}

/**
 * Entity rows from `--entity` pairs: a key seen again starts the next entity, so `--entity a=1
 * --entity a=2` reads two entities and `--entity a=1 --entity b=2 --entity a=3 --entity b=4` two
 * entities of two keys. Every entity must name the same keys; `problem` says what is wrong when not.
 */
export function entityRows(pairs: Array<[string, string]>): { rows: Array<Record<string, string>>; problem: string | null } {
  const rows: Array<Record<string, string>> = [];
  for (const [k, v] of pairs) {
    const last = rows.at(-1);
    if (!last || Object.hasOwn(last, k)) rows.push({ [k]: v });
    else last[k] = v;
  }
  const keys = Object.keys(rows[0] ?? {}).sort().join(', ');
  const odd = rows.findIndex((r) => Object.keys(r).sort().join(', ') !== keys);
  if (odd >= 0) return { rows, problem: `--entity: entity ${odd + 1} has ${Object.keys(rows[odd]!).join(', ')} but entity 1 has ${keys}. Give every entity the same keys, in the same order: --entity a=1 --entity b=2 --entity a=3 --entity b=4.` };
  return { rows, problem: null };
}

// Types each text by the join key or request field it names ('7' is a string for a string key);
// keys the selection does not use are passed as they are (the service ignores them).
async function typedEntities(p: Platform, rows: Array<Record<string, string>>, selection: FeatureSelectionInput): Promise<Array<Record<string, unknown>>> {
  const { featureValueFromText } = await import('@cairn/core');
  const fields = new Map((await p.features.entityFields(selection)).map((f) => [f.name, f.type]));
  return rows.map((r, j) => Object.fromEntries(Object.entries(r).map(([k, text]) => {
    const type = fields.get(k);
    return [k, type ? featureValueFromText(text, type, `--entity ${k}=${text}${rows.length > 1 ? ` (entity ${j + 1})` : ''}`) : text];
  })));
}

// The JSON answer, indented as the other --json outputs, without parsing it (its int64 values may
// be beyond what a JavaScript number holds).
function indentJson(text: string): string {
  let out = '';
  let depth = 0;
  let inString = false;
  const nl = () => `\n${'  '.repeat(depth)}`;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i];
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if ((c === '{' || c === '[') && text[i + 1] !== (c === '{' ? '}' : ']')) {
      depth++;
      out += c + nl();
    } else if ((c === '}' || c === ']') && text[i - 1] !== (c === '}' ? '{' : '[')) {
      depth--;
      out += nl() + c;
    } else if (c === ',') out += c + nl();
    else if (c === ':') out += ': ';
    else out += c;
  }
  return `${out}\n`;
}

function printPlan(plan: Plan): void {
  if (!plan.changes.length) return out(`No changes: the registry (version ${plan.fromVersion}) matches the definitions.\n`);
  const sign = { added: '+', changed: '~', removed: '-' };
  for (const c of plan.changes) {
    out(`${sign[c.change]} ${c.kind} ${c.name}${c.fromVersion ? ` (v${c.fromVersion})` : ''}\n`);
    for (const d of c.details) out(`    ${d}\n`);
  }
  if (plan.breaking.length) {
    out(`\n${style.changed('Breaking changes')} (apply refuses them without --force):\n`);
    for (const b of plan.breaking) {
      out(`  ${b.service}: ${b.feature} ${b.reason}\n`);
      if (b.runs.length) out(`    trained runs: ${b.runs.join(', ')}\n`);
      if (b.models.length) out(`    models: ${b.models.map((m) => `${m.name} v${m.version}`).join(', ')}\n`);
    }
  }
}

/** A progress bar on stderr: views done, and rows and rate of the current view. */
function progressBar(): { update(p: MaterializeProgress): void; end(): void } {
  const tty = process.stderr.isTTY;
  let started = Date.now();
  let last = '';
  return {
    update(p) {
      if (p.rows === 0 || (!p.done && p.rows <= 0)) started = Date.now();
      const done = p.index - (p.done ? 0 : 1);
      const width = 20;
      const filled = Math.round((done / p.total) * width);
      const rate = p.rows / Math.max(0.001, (Date.now() - started) / 1000);
      const line = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${p.total} views  ${p.view}: ${p.rows.toLocaleString('en-US')} rows (${Math.round(rate).toLocaleString('en-US')} rows/s)${p.done ? ' done' : ''}`;
      if (tty) process.stderr.write(`\r${line.padEnd(last.length)}`);
      else if (p.done) process.stderr.write(`${line}\n`);
      last = line;
      if (p.done) started = Date.now();
    },
    end() {
      if (tty && last) process.stderr.write('\n');
    },
  };
}

function printOutcomes(views: MaterializationOutcome[], asJson?: boolean): void {
  const failed = views.filter((v) => v.status === 'FAILED').length;
  if (asJson) return out(json({ views, failed }));
  out(table(['VIEW', 'STATUS', 'ROWS', 'WINDOW', 'WATERMARK'], views.map((v) => [v.view, v.status, String(v.rows), `${formatTime(v.start)} .. ${formatTime(v.end)}`, formatTime(v.watermark)])));
}

// Every view is materialized even when one fails; the summary (table or JSON) is printed either way,
// then the failure is reported (exit 1).
async function materialize(self: Command, run: (p: Platform, onProgress: (p: MaterializeProgress) => void) => Promise<MaterializationOutcome[]>, asJson?: boolean): Promise<void> {
  await withPlatform(self, WHAT, async (platform) => {
    const bar = progressBar();
    let views: MaterializationOutcome[];
    let failure: unknown = null;
    try {
      views = await run(platform, (p) => bar.update(p));
    } catch (e) {
      if (!isCairnError(e) || !Array.isArray(e.details?.views)) throw e;
      views = e.details.views as MaterializationOutcome[];
      failure = e;
    } finally {
      bar.end();
    }
    printOutcomes(views, asJson);
    if (failure) throw failure;
  });
}

const time = (v: string) => (/^-?\d+$/.test(v) ? Number(v) : v);

export function featuresCommand(): Command {
  const cmd = new Command('features')
    .summary('define, apply, materialize and serve features')
    .description('The feature store: definitions in features/*.ts, point-in-time training sets, online serving.\nThese commands work on the project directly (its definitions, store and online store).');

  cmd.command('plan').description('Show what `apply` would change, and which changes break feature services.')
    .option('--json', 'print the plan as JSON')
    .option('--fail-on-breaking', 'exit 1 when a change breaks a feature service (for CI)')
    .addHelpText('after', '\nExamples:\n  $ cairn features plan\n  $ cairn features plan --fail-on-breaking   # in CI: exit 1 on a breaking change')
    .action(async (opts: { json?: boolean; failOnBreaking?: boolean }, self: Command) => {
      await withPlatform(self, WHAT, async (p) => {
        const plan = await p.features.plan();
        if (opts.json) out(json(plan));
        else printPlan(plan);
        if (opts.failOnBreaking && plan.breaking.length) {
          throw new CairnError('FAILED_PRECONDITION', `${plan.breaking.length} change${plan.breaking.length === 1 ? '' : 's'} would break feature service${new Set(plan.breaking.map((b) => b.service)).size === 1 ? '' : 's'} ${[...new Set(plan.breaking.map((b) => b.service))].join(', ')}. Keep the old features (add new ones beside them), or apply with --force once every consumer is retrained.`);
        }
      });
    });

  cmd.command('apply').description('Store the definitions as a new registry version (one transaction).')
    .option('--force', 'apply even when a change breaks a feature service')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nExamples:\n  $ cairn features apply\n  $ cairn features apply --force')
    .action(async (opts: { force?: boolean; json?: boolean }, self: Command) => {
      await withPlatform(self, WHAT, async (p) => {
        const res = await p.features.apply({ force: opts.force });
        if (opts.json) return out(json(res));
        printPlan(res);
        if (res.applied) out(`\nApplied registry version ${res.version}.\n`);
      });
    });

  cmd.command('list').alias('ls').description('List the applied definitions.')
    .option('--kind <kind>', 'entity, source, featureView, onDemandFeatureView or featureService')
    .option('--json', 'print JSON')
    .action(async (opts: { kind?: string; json?: boolean }, self: Command) => {
      await withPlatform(self, WHAT, async (p) => {
        const objects = await p.features.list(opts.kind as never);
        if (opts.json) return out(json({ objects }));
        if (!objects.length) return out('Nothing applied yet. Define features under features/ and run `cairn features apply`.\n');
        out(table(['KIND', 'NAME', 'VERSION', 'APPLIED'], objects.map((o) => [o.kind, o.name, `v${o.version}`, formatTime(o.createdTime)])));
      });
    });

  cmd.command('show').description('Show an applied definition (any kind) and its history.')
    .argument('<name>', 'a view, service, entity or source name')
    .option('--json', 'print JSON')
    .action(async (name: string, opts: { json?: boolean }, self: Command) => {
      await withPlatform(self, WHAT, async (p) => {
        const found = await p.features.registry.find(name);
        if (!found.length) throw new CairnError('NOT_FOUND', `No applied definition is named '${name}'. List them with 'cairn features list'.`);
        if (opts.json) return out(json({ objects: found }));
        for (const o of found) out(`${style.bold(`${o.kind} ${o.name}`)} v${o.version} (registry v${o.registryVersion}, digest ${o.digest.slice(0, 12)})\n${JSON.stringify(o.spec, null, 2)}\n`);
      });
    });

  cmd.command('materialize').description('Copy the newest row per entity in [START, END] of each online view to the online store.')
    .argument('<start>', 'ISO-8601 time or epoch ms').argument('<end>', 'ISO-8601 time or epoch ms')
    .option('--views <names>', 'only these views (comma-separated)', list)
    .option('--batch-size <n>', 'rows per batch (bounds memory)', positiveInt)
    .option('--json', 'print each view\'s outcome as JSON (also when a view fails)')
    .addHelpText('after', '\nEvery view is materialized even when another fails; the exit status is 1 if any failed.\nTimes keep microseconds (2024-01-01T10:00:00.000001Z); the window is start <= t <= end.\n\nExample:\n  $ cairn features materialize 2024-01-01T00:00:00Z 2024-02-01T00:00:00Z')
    .action(async (start: string, end: string, opts: { views?: string[]; batchSize?: number; json?: boolean }, self: Command) => {
      await materialize(self, (p, onProgress) => p.features.materialize(time(start), time(end), { views: opts.views, batchSize: opts.batchSize, onProgress }), opts.json);
    });

  cmd.command('materialize-incremental').description('Materialize each online view from its watermark up to END.')
    .argument('<end>', 'ISO-8601 time or epoch ms')
    .option('--views <names>', 'only these views (comma-separated)', list)
    .option('--batch-size <n>', 'rows per batch (bounds memory)', positiveInt)
    .option('--json', 'print each view\'s outcome as JSON (also when a view fails)')
    .addHelpText('after', '\nEvery view is materialized even when another fails; the exit status is 1 if any failed.\n\nExample:\n  $ cairn features materialize-incremental "$(date -u +%FT%TZ)"')
    .action(async (end: string, opts: { views?: string[]; batchSize?: number; json?: boolean }, self: Command) => {
      await materialize(self, (p, onProgress) => p.features.materializeIncremental(time(end), { views: opts.views, batchSize: opts.batchSize, onProgress }), opts.json);
    });

  cmd.command('get-online').description('Read the latest feature values of one or more entities from the online store.')
    .option('--entity <key=value>', 'a join key or request field; repeat a key for more entities', entityArg)
    .option('--features <refs>', 'view:feature,... to read', list)
    .option('--service <name>', 'or a feature service')
    .option('--at <time>', 'measure TTLs from this time (default now)')
    .option('--json', 'print JSON (the HTTP API\'s answer: one value per entity in each results[i].values)')
    .addHelpText('after', `
Values are read by the type of the key they name: --entity zone=7 is the string "7" when zone is a
string key, and int64 keys keep every digit (beyond 2^53 too). A key given again starts the next entity.

Examples:
  $ cairn features get-online --entity driver_id=1001 --features driver_stats:conv_rate,driver_stats:trips
  $ cairn features get-online --entity driver_id=1001 --entity driver_id=1002 --service ranking --json
  $ cairn features get-online --entity a=1 --entity b=2 --entity a=3 --entity b=4 --features v:f   # two entities of two keys`)
    .action(async (opts: { entity?: Array<[string, string]>; features?: string[]; service?: string; at?: string; json?: boolean }, self: Command) => {
      const { rows, problem } = entityRows(opts.entity ?? []);
      if (problem) self.error(`error: ${problem}`, { exitCode: 2, code: 'commander.invalidArgument' });
      const selection = { features: opts.features, featureService: opts.service };
      await withPlatform(self, WHAT, async (p) => {
        const input = { entities: rows.length ? await typedEntities(p, rows, selection) : [{}], ...selection, at: opts.at === undefined ? undefined : time(opts.at) };
        if (opts.json) return out(indentJson((await p.features.getOnlineFeaturesJson(input)).toString('utf8')));
        const res = await p.features.getOnlineFeaturesText(input);
        const many = input.entities.length > 1;
        const lines = input.entities.flatMap((e, j) => res.featureNames.map((n, i) => {
          const r = res.results[i]!;
          const cells = [n, r.values[j]!, r.statuses[j]!, r.eventTimestamps[j] == null ? '' : formatTime(r.eventTimestamps[j])];
          return many ? [Object.entries(e).map(([k, v]) => `${k}=${String(v)}`).join(' '), ...cells] : cells;
        }));
        out(table([...(many ? ['ENTITY'] : []), 'FEATURE', 'VALUE', 'STATUS', 'EVENT TIME'], lines));
      });
    });

  cmd.command('get-historical').description('Build a point-in-time-correct training set from entity rows and write it out.')
    .requiredOption('--entities <file>', 'CSV or Parquet file with join keys and a timestamp column')
    .option('--features <refs>', 'view:feature,... to join', list)
    .option('--service <name>', 'or a feature service')
    .requiredOption('--out <file>', 'output file: .parquet or .csv')
    .option('--timestamp-column <name>', 'entity column with the lookup time', 'event_timestamp')
    .option('--full-feature-names', 'name columns view__feature')
    .option('--filter-by-created', 'only use feature rows created by the lookup time')
    .option('--run <runId>', 'log the training set as an input of this run')
    .option('--name <name>', 'name of the training dataset record')
    .addHelpText('after', '\nExample:\n  $ cairn features get-historical --entities labels.parquet --service ranking --out train.parquet')
    .action(async (opts: { entities: string; features?: string[]; service?: string; out: string; timestampColumn: string; fullFeatureNames?: boolean; filterByCreated?: boolean; run?: string; name?: string }, self: Command) => {
      if (!/\.(parquet|csv)$/i.test(opts.out)) throw new InvalidArgumentError('--out must end in .parquet or .csv');
      await withPlatform(self, WHAT, async (p) => {
        const { resolve } = await import('node:path');
        const set = await p.features.getHistoricalFeatures({
          entities: { file: resolve(opts.entities) }, features: opts.features, featureService: opts.service, timestampColumn: opts.timestampColumn,
          fullFeatureNames: opts.fullFeatureNames, filterByCreatedTimestamp: opts.filterByCreated, runId: opts.run, name: opts.name,
        });
        try {
          if (/\.csv$/i.test(opts.out)) await set.job.writeCsv(opts.out);
          else await set.job.writeParquet(opts.out);
        } finally {
          await set.job.close();
        }
        out(`Wrote ${set.dataset.rowCount} rows to ${opts.out} (training dataset ${set.dataset.datasetId}, digest ${set.dataset.resultDigest}).\n`);
      });
    });
  return cmd;
}
