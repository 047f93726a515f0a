import { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { ModelFormat } from '@cairn/core';
import { CairnError } from '@cairn/core/errors';
import { keyValue, out, positiveInt, withCairn } from '../cli-context.js';
import { json, style } from '../format.js';
import { modelGateCommands } from './models-gates.js';
import { modelServeCommand } from './models-serve.js';
import { eventRows, modelRows, showLineage, showModel, showVersion, versionRows } from './models-format.js';

/** `--at`: epoch milliseconds or an ISO 8601 time. */
export function timeArg(value: string): number {
  const t = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isSafeInteger(t)) throw new InvalidArgumentError('Expected epoch milliseconds or an ISO time such as 2024-06-01T12:00:00Z.');
  return t;
}

const isReference = (s: string) => s.includes('@') || /\/(\d+|latest)$/i.test(s) || s.startsWith('models:/');

export function modelsCommand(): Command {
  const cmd = new Command('models')
    .summary('the model registry: versions, aliases, promotion gates, audit log, lineage')
    .description('Registered models and their versions. A version is promoted by moving an alias (@champion) through its gate.')
    .addHelpText('after', `
Examples:
  $ cairn models register churn runs:/3f9c2a…/model
  $ cairn models promote churn 4 --alias champion
  $ cairn models show churn@champion
  $ cairn models resolve churn@champion
  $ cairn models history churn --alias champion --at 2024-06-01T00:00:00Z
  $ cairn models lineage churn@champion`);

  cmd.command('list').alias('ls').description('List registered models.')
    .option('--filter <expr>', "e.g. \"name LIKE 'churn%'\" or \"tags.team = 'risk'\"")
    .option('--json', 'print JSON')
    .action(async (opts: { filter?: string; json?: boolean }, self: Command) => {
      await withCairn(self, async (cairn) => {
        const models = await cairn.models.list({ filter: opts.filter });
        if (opts.json) return out(json({ models }));
        out(models.length ? modelRows(models) : 'No registered models yet. Register one with `cairn models register NAME SOURCE`.\n');
      });
    });

  cmd.command('show').description('Show a model (NAME), or one version (NAME/3, NAME@alias, NAME/latest).')
    .argument('<model>', 'NAME, NAME/VERSION or NAME@ALIAS')
    .option('--json', 'print JSON')
    .action(async (ref: string, opts: { json?: boolean }, self: Command) => {
      await withCairn(self, async (cairn) => {
        if (!isReference(ref)) {
          const model = await cairn.models.model(ref);
          if (opts.json) return out(json({ model }));
          return out(`${showModel(model)}${model.latestVersions.length ? `\n${versionRows(await cairn.models.versions(ref, { maxResults: 10 }))}` : ''}`);
        }
        const version = await cairn.models.get(ref);
        out(opts.json ? json({ version }) : showVersion(version));
      });
    });

  cmd.command('resolve').description('Print the version a reference names, as NAME/VERSION and its digest: what a deploy script pins.')
    .argument('<ref>', 'NAME@ALIAS, NAME/latest, NAME/VERSION or models:/…')
    .option('--json', 'print JSON')
    .addHelpText('after', `
Examples:
  $ cairn models resolve churn@champion
  churn/3 sha256:5f1c…
  $ VERSION=$(cairn models resolve churn@champion --json | jq -r .version.version)`)
    .action(async (ref: string, opts: { json?: boolean }, self: Command) => {
      await withCairn(self, async (cairn) => {
        const version = await cairn.models.get(ref);
        out(opts.json ? json({ version }) : `${version.name}/${version.version} ${version.digest ?? '-'}\n`);
      });
    });

  cmd.command('versions').description("List a model's versions, newest first.")
    .argument('<name>', 'the registered model')
    .option('--filter <expr>', "e.g. \"tags.data = 'q3'\" or \"run_id = '…'\"")
    .option('--max <n>', 'at most this many', positiveInt, 100)
    .option('--json', 'print JSON')
    .action(async (name: string, opts: { filter?: string; max: number; json?: boolean }, self: Command) => {
      await withCairn(self, async (cairn) => {
        const versions = await cairn.models.versions(name, { filter: opts.filter, maxResults: opts.max });
        out(opts.json ? json({ versions }) : versions.length ? versionRows(versions) : `'${name}' has no versions yet.\n`);
      });
    });

  cmd.command('register').description('Register a new version from a run (runs:/<run id>/<path>) or by uploading a local folder.')
    .argument('<name>', 'the registered model (created if missing)')
    .argument('<source>', 'runs:/<run id>/<path>, models:/NAME/N, or a local folder or file to upload')
    .option('--run <id>', 'the run that produced an uploaded model (lineage and gate metrics)')
    .option('--format <format>', 'onnx, cairn-json, safetensors, sklearn-pickle, pytorch, mlflow-pyfunc or other (detected when omitted)')
    .option('--description <text>', 'a description')
    .option('--tag <key=value>', 'set a version tag (repeatable)', keyValue)
    .option('--json', 'print the version as JSON')
    .action(async (name: string, source: string, opts: { run?: string; format?: string; description?: string; tag?: Record<string, string>; json?: boolean }, self: Command) => {
      await withCairn(self, async (cairn) => {
        const fromStore = /^[a-z][a-z0-9+.-]*:/i.test(source) && !/^[A-Za-z]:[\\/]/.test(source);
        const v = await cairn.models.register({
          name, ...(fromStore ? { source } : { path: source }), runId: opts.run, format: opts.format as ModelFormat | undefined, description: opts.description, tags: opts.tag ?? {},
        });
        if (opts.json) return out(json({ version: v }));
        out(`Registered ${v.name} version ${v.version} (${v.format}${v.unsafe ? ', unsafe: loading it runs code' : ''}, ${v.fileCount} files, ${v.digest}).\n`);
      });
    });

  cmd.command('alias').description('Point an alias at a version, or delete it. Protected aliases move only with `promote` (or an admin --force --reason).')
    .argument('<name>', 'the registered model')
    .argument('<alias>', 'e.g. staging')
    .argument('[version]', 'the version to point at', positiveInt)
    .option('--delete', 'delete the alias')
    .option('--force', 'admins: override a protected alias (needs --reason)')
    .option('--reason <text>', 'why; kept in the audit log')
    .action(async (name: string, alias: string, version: number | undefined, opts: { delete?: boolean; force?: boolean; reason?: string }, self: Command) => {
      if (!opts.delete && version === undefined) throw new CairnError('INVALID_ARGUMENT', 'Give the VERSION to point the alias at, or --delete.');
      await withCairn(self, async (cairn) => {
        if (opts.delete) {
          await cairn.models.deleteAlias(name, alias, { force: opts.force, reason: opts.reason });
          return out(`Deleted @${alias} of '${name}'.\n`);
        }
        await cairn.models.setAlias(name, alias, version!, { force: opts.force, reason: opts.reason });
        out(`@${alias} of '${name}' now points at version ${version}.\n`);
      });
    });

  cmd.command('download').description("Download a version's files, checking each against its recorded sha256. Nothing is loaded.")
    .argument('<model>', 'NAME/VERSION, NAME@ALIAS or models:/…')
    .option('--dir <path>', 'where to put the files', '.')
    .action(async (ref: string, opts: { dir: string }, self: Command) => {
      await withCairn(self, async (cairn) => {
        const { version, files } = await cairn.models.download(ref, opts.dir);
        out(`Downloaded ${version.name} version ${version.version} (${files.length} files, ${version.digest}) to ${opts.dir}.\n`);
        if (version.unsafe) process.stderr.write(style.warn(`warning: the format '${version.format}' runs code when loaded; load it only if you trust who registered it.\n`));
      });
    });

  cmd.command('history').description("A model's audit log, newest first; with --alias and --at, which version the alias held then.")
    .argument('<name>', 'the registered model (its current name, or the one it had)')
    .option('--alias <alias>', 'only this alias')
    .option('--at <time>', 'with --alias: the version held at this time (epoch ms or ISO time)', timeArg)
    .option('--action <action>', 'only this action, or a prefix such as promotion.*')
    .option('--max <n>', 'at most this many events', positiveInt, 50)
    .option('--json', 'print JSON')
    .action(async (name: string, opts: { alias?: string; at?: number; action?: string; max: number; json?: boolean }, self: Command) => {
      await withCairn(self, async (cairn) => {
        if (opts.at !== undefined) {
          if (!opts.alias) throw new CairnError('INVALID_ARGUMENT', '--at needs --alias: which alias to look up.');
          const at = await cairn.models.aliasAt(name, opts.alias, opts.at);
          if (opts.json) return out(json(at));
          return out(at.version === null
            ? `@${opts.alias} of '${name}' pointed nowhere at ${new Date(opts.at).toISOString()}.\n`
            : `@${opts.alias} of '${name}' held version ${at.version} at ${new Date(opts.at).toISOString()} (set by ${at.event?.actor} at ${new Date(at.event!.time).toISOString()}${at.event?.reason ? `: ${at.event.reason}` : ''}).\n`);
        }
        const events = await cairn.models.history(name, { alias: opts.alias, action: opts.action, maxResults: opts.max });
        out(opts.json ? json({ events }) : events.length ? eventRows(events) : 'No events match.\n');
      });
    });

  cmd.command('lineage').description('How a version was made: run, data, features, pipeline, down to the git commit.')
    .argument('<model>', 'NAME@ALIAS, NAME/VERSION or models:/…')
    .option('--json', 'print JSON')
    .action(async (ref: string, opts: { json?: boolean }, self: Command) => {
      await withCairn(self, async (cairn) => {
        const lineage = await cairn.models.lineage(ref);
        out(opts.json ? json({ lineage }) : showLineage(lineage));
      });
    });

  modelGateCommands(cmd);
  modelServeCommand(cmd);
  return cmd;
}
