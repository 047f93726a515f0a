import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { CairnError } from '@cairn/core/errors';
import { collect, out, positiveInt, withCairn } from '../cli-context.js';
import { fields, formatTime, json } from '../format.js';
import { showEvaluation } from './models-format.js';

/** `cairn models promote` and `cairn models gate set|show`. */
export function modelGateCommands(cmd: Command): void {
  cmd.command('promote').description("Move an alias to a version only if the alias's gate passes. Exits 1 and lists each condition when it does not.")
    .argument('<name>', 'the registered model')
    .argument('<version>', 'the candidate version', positiveInt)
    .requiredOption('--alias <alias>', 'the alias to move, e.g. champion')
    .option('--reason <text>', 'why; kept in the audit log')
    .option('--dry-run', 'evaluate the gate without moving anything (recorded as gate.evaluated)')
    .option('--json', 'print the evaluation as JSON')
    .addHelpText('after', `
Examples:
  $ cairn models promote churn 7 --alias champion
  $ cairn models promote churn 7 --alias champion --dry-run --json`)
    .action(async (name: string, version: number, opts: { alias: string; reason?: string; dryRun?: boolean; json?: boolean }, self: Command) => {
      await withCairn(self, async (cairn) => {
        const result = opts.dryRun ? await cairn.models.evaluate(name, version, opts.alias) : await cairn.models.promote(name, version, opts.alias, { reason: opts.reason });
        out(opts.json ? json({ promotion: result }) : showEvaluation(result));
        if (!result.passed) {
          const failed = result.conditions.filter((c) => !c.passed).length + (result.signature && !result.signature.compatible ? 1 : 0);
          throw new CairnError('FAILED_PRECONDITION', `The gate of @${opts.alias} refused version ${version} of '${name}' (${failed} check${failed === 1 ? '' : 's'} failed)${opts.dryRun ? '' : '; the alias did not move'}.`);
        }
        if (!opts.json) out(opts.dryRun ? 'The gate passes (dry run: nothing moved).\n' : `@${opts.alias} of '${name}' now points at version ${version}.\n`);
      });
    });

  const gate = cmd.command('gate').description('Promotion gates: conditions a version must meet before an alias moves to it.');

  gate.command('set').description('Set the gate of an alias (admins), from flags or from a YAML file of gates.')
    .argument('[name]', 'the registered model (not with --file)')
    .option('--alias <alias>', 'the alias the gate guards')
    .option('--condition <expr>', "a condition, e.g. \"metrics.auc >= champion.metrics.auc + 0.005\" (repeatable)", collect)
    .option('--protected', 'the alias may only move through this gate (or an admin --force --reason)')
    .option('--require-signature', "the candidate's signature must be compatible with the current holder's")
    .option('--file <gates.yaml>', 'set every gate listed in a file (gates: [{model, alias, conditions, protected, require_signature_compatible}])')
    .addHelpText('after', `
Examples:
  $ cairn models gate set churn --alias champion --protected --require-signature \\
      --condition "metrics.auc >= 0.85" --condition "tags.validation = 'passed'" \\
      --condition "metrics.auc >= champion.metrics.auc + 0.005"
  $ cairn models gate set --file gates.yaml`)
    .action(async (name: string | undefined, opts: { alias?: string; condition?: string[]; protected?: boolean; requireSignature?: boolean; file?: string }, self: Command) => {
      let inputs;
      if (opts.file) {
        if (name || opts.alias) throw new CairnError('INVALID_ARGUMENT', 'With --file, give no model name or --alias: the file names them.');
        const { parseGateFile } = await import('@cairn/core');
        inputs = parseGateFile(await readFile(opts.file, 'utf8'), opts.file);
      } else {
        if (!name || !opts.alias) throw new CairnError('INVALID_ARGUMENT', 'Give the model NAME and --alias (or --file gates.yaml).');
        inputs = [{ model: name, alias: opts.alias, conditions: opts.condition ?? [], protected: opts.protected === true, requireSignatureCompatible: opts.requireSignature === true }];
      }
      await withCairn(self, async (cairn) => {
        for (const input of inputs) {
          const g = await cairn.models.setGate(input);
          out(`Gate of @${g.alias} on '${g.model}' set: ${g.conditions.length} condition${g.conditions.length === 1 ? '' : 's'}${g.protected ? ', protected' : ''}${g.requireSignatureCompatible ? ', signature checked' : ''}.\n`);
        }
      });
    });

  gate.command('show').description("Show a model's gates.")
    .argument('<name>', 'the registered model')
    .option('--alias <alias>', 'only this alias')
    .option('--json', 'print JSON')
    .action(async (name: string, opts: { alias?: string; json?: boolean }, self: Command) => {
      await withCairn(self, async (cairn) => {
        const gates = (await cairn.models.gates(name)).filter((g) => !opts.alias || g.alias === opts.alias);
        if (opts.json) return out(json({ gates }));
        if (!gates.length) return out(opts.alias ? `@${opts.alias} of '${name}' has no gate.\n` : `'${name}' has no gates.\n`);
        out(gates.map((g) => fields([
          ['alias', `@${g.alias}${g.protected ? ' (protected)' : ''}`],
          ['signature', g.requireSignatureCompatible ? 'must be compatible with the current holder' : 'not checked'],
          ['conditions', g.conditions.join('\n' + ' '.repeat(12)) || '-'],
          ['updated', `${formatTime(g.updatedTime)} by ${g.updatedBy}`],
        ])).join('\n'));
      });
    });
}
