import { Command } from 'commander';
import type { Run } from '@cairn/core';
import { keyMap } from '@cairn/core/key-map';
import { out, withCairn } from '../cli-context.js';
import { formatNumber, json, style, table, truncate } from '../format.js';

interface Comparison {
  runs: { runId: string; runName: string; status: string }[];
  params: Record<string, (string | null)[]>;
  metrics: Record<string, (number | null)[]>;
}

export function compareRuns(runs: Run[]): Comparison {
  const paramKeys = [...new Set(runs.flatMap((r) => Object.keys(r.data.params)))].sort();
  const metricKeys = [...new Set(runs.flatMap((r) => r.data.metrics.map((m) => m.key)))].sort();
  // Keys are users' (`__proto__` and `constructor` included): maps without a prototype, own keys only.
  const params = keyMap(paramKeys.map((k) => [k, runs.map((r) => (Object.hasOwn(r.data.params, k) ? r.data.params[k]! : null))]));
  const metrics = keyMap(metricKeys.map((k) => [k, runs.map((r) => r.data.metrics.find((m) => m.key === k)?.value ?? null)]));
  return { runs: runs.map((r) => ({ runId: r.info.runId, runName: r.info.runName, status: r.info.status })), params, metrics };
}

// Object.is, so NaN equals NaN and a NaN next to a number counts as a difference.
const differs = (values: unknown[]): boolean => values.some((v) => !Object.is(v, values[0]));

function comparisonTable(c: Comparison): string {
  const head = ['', ...c.runs.map((r) => `${truncate(r.runName, 24)}\n${r.runId.slice(0, 8)}`)];
  const row = (label: string, values: (string | null)[]): string[] => {
    const mark = differs(values) ? style.changed : (s: string) => s;
    return [differs(values) ? `${label} *` : label, ...values.map((v) => mark(v ?? '-'))];
  };
  const rows = [
    ...Object.entries(c.params).map(([k, vs]) => row(`params.${k}`, vs.map((v) => (v === null ? null : truncate(v, 24))))),
    ...Object.entries(c.metrics).map(([k, vs]) => row(`metrics.${k}`, vs.map((v) => (v === null ? null : formatNumber(v))))),
  ];
  const legend = rows.some((r) => r[0]!.endsWith(' *')) ? '\n* values differ between runs\n' : '';
  return table(head, rows) + legend;
}

export function runsCompareCommand(): Command {
  return new Command('compare')
    .description('Compare runs side by side: params and latest metrics, differing values marked.')
    .argument('<run-ids...>', 'two or more run ids')
    .option('--json', 'print JSON instead of a table')
    .addHelpText('after', `
Examples:
  $ cairn runs compare 3f9c2a… 8b1d07…
  $ cairn runs compare $(cairn runs list -e churn --json | jq -r '.runs[:3][].info.runId')`)
    .action(async (runIds: string[], opts: { json?: boolean }, self: Command) => {
      if (runIds.length < 2) self.error('error: give at least two run ids to compare.', { exitCode: 2, code: 'cairn.usage' });
      await withCairn(self, async (cairn) => {
        const runs = await Promise.all(runIds.map((id) => cairn.runs.get(id)));
        const comparison = compareRuns(runs);
        out(opts.json ? json(comparison) : comparisonTable(comparison));
      });
    });
}
