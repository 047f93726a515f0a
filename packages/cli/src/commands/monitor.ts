import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import type { LabelInput, MonitorReport } from '@cairn/core';
import { CairnError } from '@cairn/core/errors';
import { out, withPlatform } from '../cli-context.js';
import { json, section, style, table } from '../format.js';
import { timeArg } from './models.js';

/** Exit code of `cairn monitor run` when a threshold was crossed (for CI and cron); `EXIT.alert` in program.ts. */
export const EXIT_ALERT = 4;

function summary(r: MonitorReport, featureRows: string[][], headers: string[]): string {
  const window = `${new Date(r.window.from).toISOString()} .. ${new Date(r.window.to).toISOString()}`;
  let text = `${style.bold(`${r.model} version ${r.version}`)}: ${r.rows} logged rows, ${r.labelled} labelled (${window})\n`;
  if (r.note) text += `note: ${r.note}\n`;
  if (featureRows.length) text += section('Features', table(headers, featureRows));
  if (r.prediction) text += section('Predictions', `PSI ${r.prediction.psi.toFixed(3)}, KS ${r.prediction.ks.toFixed(3)} against ${r.prediction.reference}${r.prediction.drift ? ' (DRIFT)' : ''}\n`);
  if (r.performance) {
    const p = r.performance;
    const n = (v: number | null) => (v === null ? '-' : v.toFixed(3));
    text += section('Live performance', p.kind === 'classification' ? `AUC ${n(p.auc)}, accuracy ${n(p.accuracy)}\n` : `RMSE ${n(p.rmse)}, MAE ${n(p.mae)}\n`);
  }
  text += section(r.alerts.length ? style.warn(`${r.alerts.length} alert${r.alerts.length > 1 ? 's' : ''}`) : 'Alerts', r.alerts.length ? `${r.alerts.map((a) => `  ${a.kind}: ${a.message}`).join('\n')}\n` : '  none: no threshold crossed\n');
  if (r.runId) text += `\nRecorded as run ${r.runId} (experiment monitoring/${r.model}).\n`;
  return text;
}

/** Reads labels from a JSON array, JSON lines or CSV (request_id or entity columns, label, time). */
export function parseLabelFile(text: string, file: string): LabelInput[] {
  const trimmed = text.trim();
  const fromObject = (o: Record<string, unknown>, i: number): LabelInput => {
    if (!o || typeof o !== 'object') throw new CairnError('INVALID_ARGUMENT', `${file}: label ${i} is not an object.`);
    const { request_id, requestId, row, entity, time, label, ...rest } = o;
    const keys = entity && typeof entity === 'object' ? entity as Record<string, unknown> : Object.keys(rest).length ? rest : null;
    return { requestId: (request_id ?? requestId) as string | undefined, row: row as number | undefined, entity: request_id || requestId ? null : keys, time: time as number | string | undefined, label };
  };
  if (trimmed.startsWith('[')) return (JSON.parse(trimmed) as Array<Record<string, unknown>>).map(fromObject);
  if (trimmed.startsWith('{')) return trimmed.split('\n').filter((l) => l.trim()).map((l, i) => fromObject(JSON.parse(l) as Record<string, unknown>, i));
  const [header, ...lines] = trimmed.split(/\r?\n/);
  const cols = header!.split(',').map((c) => c.trim());
  if (!cols.includes('label')) throw new CairnError('INVALID_ARGUMENT', `${file}: the CSV header has no 'label' column. Give request_id (or entity key columns such as customer_id), label and optionally time.`);
  return lines.filter((l) => l.trim()).map((l, i) => {
    const cells = l.split(',');
    const o: Record<string, unknown> = {};
    cols.forEach((c, j) => {
      const v = cells[j]?.trim() ?? '';
      o[c] = v === '' ? null : /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v === 'true' ? true : v === 'false' ? false : v;
    });
    return fromObject(o, i);
  });
}

export function monitorCommand(): Command {
  const cmd = new Command('monitor')
    .summary('watch a served model: drift, data quality and live performance against its training set')
    .description('Compares what a served version saw (the inference log of `cairn models serve`) with the statistics of its training set.')
    .addHelpText('after', `
Examples:
  $ cairn monitor run --model churn@champion --window 1d      # exit 4 when a threshold is crossed
  $ cairn monitor report --model churn
  $ cairn monitor label --model churn --file labels.csv
Thresholds are monitoring.* in cairn.yaml; alerts go to registry webhooks subscribed to 'monitoring.alert'.
Schedule it like any job: a pipeline step calling platform.monitoring.run(...) with \`cairn pipelines schedule\`, or cron.`);

  cmd.command('run').description('Judge the logged traffic of a version once, record it as a tracking run, and alert when a threshold is crossed (exit code 4).')
    .requiredOption('--model <model>', 'NAME@ALIAS or NAME/VERSION, e.g. churn@champion')
    .option('--window <duration>', "how far back to look, e.g. 1d, 12h, 30m", '1d')
    .option('--until <time>', 'end of the window (epoch ms or ISO time; default now)', timeArg)
    .option('--no-record', 'do not record a tracking run')
    .option('--no-alert', 'do not send the webhook alert (the exit code still says)')
    .option('--json', 'print the report as JSON')
    .action(async (opts: { model: string; window: string; until?: number; record: boolean; alert: boolean; json?: boolean }, self: Command) => {
      await withPlatform(self, '`cairn monitor run`', async (p) => {
        const { featureRows, FEATURE_HEADERS } = await import('@cairn/core');
        const report = await p.monitoring.run({ model: opts.model, window: opts.window, until: opts.until, record: opts.record, alert: opts.alert });
        out(opts.json ? json({ report }) : summary(report, featureRows(report), FEATURE_HEADERS));
        if (report.alerts.length) process.exitCode = EXIT_ALERT;
      });
    });

  cmd.command('report').description("Print a model's latest monitoring report as a table.")
    .requiredOption('--model <model>', 'NAME (or NAME@ALIAS)')
    .option('--json', 'print JSON')
    .action(async (opts: { model: string; json?: boolean }, self: Command) => {
      await withPlatform(self, '`cairn monitor report`', async (p) => {
        const { featureRows, FEATURE_HEADERS } = await import('@cairn/core');
        const report = await p.monitoring.latest(opts.model);
        out(opts.json ? json({ report }) : summary(report, featureRows(report), FEATURE_HEADERS));
      });
    });

  cmd.command('label').description('Attach ground-truth labels to logged predictions, by request id or by entity keys and time.')
    .requiredOption('--model <model>', 'the model the predictions came from (NAME)')
    .requiredOption('--file <path>', 'CSV (request_id or entity key columns, label, time) or JSON (a list, or JSON lines)')
    .action(async (opts: { model: string; file: string }, self: Command) => {
      let text: string;
      try {
        text = await readFile(opts.file, 'utf8');
      } catch (e) {
        throw new CairnError('INVALID_ARGUMENT', `Cannot read ${opts.file}: ${(e as Error).message}.`);
      }
      let labels: LabelInput[];
      try {
        labels = parseLabelFile(text, opts.file);
      } catch (e) {
        if (e instanceof CairnError) throw e;
        throw new CairnError('INVALID_ARGUMENT', `${opts.file} is neither CSV nor JSON labels: ${(e as Error).message}.`);
      }
      await withPlatform(self, '`cairn monitor label`', async (p) => {
        const n = await p.monitoring.label(opts.model, labels);
        out(`Attached ${n} label${n === 1 ? '' : 's'} to '${opts.model}'. \`cairn monitor run\` measures live performance with them.\n`);
      });
    });
  return cmd;
}
