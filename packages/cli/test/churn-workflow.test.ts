// Runs the churn example's GitHub Actions workflow (examples/churn/.github/workflows/churn.yml)
// step by step, as GitHub would (bash -eo pipefail, GITHUB_ENV, GITHUB_STEP_SUMMARY, `if:`), so the
// workflow users copy is known to work: once as a push to main, once as a pull request that makes
// the model worse and must be stopped by the gate.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bash, commandEnv, copyExample, withoutNpx, type ShellResult } from './example-project.js';

interface WorkflowStep { id?: string; name?: string; uses?: string; run?: string; if?: string }

// Steps the suite does not run, and why.
const NOT_RUN: Record<string, string> = {
  install: 'the copy links the repository node_modules',
  python: 'scikit-learn is optional (its suite is examples/churn/test/sklearn.test.ts)',
  test: 'this suite runs inside `npm test` already',
};

/** Evaluates the `if:` expressions the workflow uses: `always()`, `env.X`, `github.event_name`, ==, !=, &&. */
function condition(expr: string | undefined, ctx: { env: Record<string, string>; event: string; failed: boolean }): boolean {
  if (!expr) return !ctx.failed;
  const value = (term: string): string | boolean => {
    const t = term.trim();
    if (t === 'always()') return true;
    if (t.startsWith("'")) return t.slice(1, -1);
    if (t.startsWith('env.')) return ctx.env[t.slice(4)] ?? '';
    if (t === 'github.event_name') return ctx.event;
    throw new Error(`unsupported term in if: ${t}`);
  };
  return expr.split('&&').every((part) => {
    const m = /^(.*?)(==|!=)(.*)$/.exec(part);
    if (!m) return value(part) === true;
    return m[2] === '==' ? value(m[1]!) === value(m[3]!) : value(m[1]!) !== value(m[3]!);
  });
}

async function runWorkflow(dir: string, event: 'push' | 'pull_request'): Promise<{ results: Array<ShellResult & { id: string }>; env: Record<string, string>; summary: string; failed: boolean }> {
  const workflow = parse(readFileSync(join(dir, '.github', 'workflows', 'churn.yml'), 'utf8')) as { env: Record<string, string>; jobs: { train: { steps: WorkflowStep[] } } };
  const scratch = mkdtempSync(join(tmpdir(), 'cairn-gha-'));
  const files = { GITHUB_ENV: join(scratch, 'env'), GITHUB_STEP_SUMMARY: join(scratch, 'summary.md') };
  for (const f of Object.values(files)) writeFileSync(f, '');
  // secrets.CAIRN_STORE_URI is unset here, as in a repository without the secret: GitHub passes ''.
  const env: Record<string, string> = { ...Object.fromEntries(Object.entries(workflow.env).map(([k, v]) => [k, String(v).includes('${{') ? '' : String(v)])), ...files, GITHUB_EVENT_NAME: event, GITHUB_SHA: 'f00d' };
  const results: Array<ShellResult & { id: string }> = [];
  let failed = false;
  for (const s of workflow.jobs.train.steps) {
    if (!s.run || (s.id && NOT_RUN[s.id])) continue;
    if (!condition(s.if, { env, event, failed })) continue;
    const r = await bash(withoutNpx(s.run), dir, commandEnv(dir, env));
    results.push({ ...r, id: s.id ?? s.name ?? '?' });
    if (r.code !== 0) failed = true;
    for (const line of readFileSync(files.GITHUB_ENV, 'utf8').split('\n')) {
      const i = line.indexOf('=');
      if (i > 0) env[line.slice(0, i)] = line.slice(i + 1);
    }
  }
  return { results, env, summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'), failed };
}

describe('examples/churn/.github/workflows/churn.yml', () => {
  let project: ReturnType<typeof copyExample>;
  beforeAll(() => {
    project = copyExample();
  });
  afterAll(() => project?.cleanup());

  it('on a push to main: checks features, trains, promotes through the gate and writes the report', async () => {
    const run = await runWorkflow(project.dir, 'push');
    const failures = run.results.filter((r) => r.code !== 0);
    expect(failures.map((r) => `${r.id}: ${r.stderr}`)).toEqual([]);
    expect(run.results.map((r) => r.id)).toEqual(['data', 'features', 'train', 'gate', 'report']);
    expect(run.env.RUN).toMatch(/^[0-9a-f]{32}$/);
    expect(run.env.VERSION).toBe('1');
    // The pipeline ran with promote=false: the promotion is the gate step's, from the CLI.
    expect(run.results.find((r) => r.id === 'gate')!.stdout).toContain("@champion of 'churn' now points at version 1");
    expect(run.summary).toContain('## Cairn report: churn-train run');
    expect(run.summary).toContain('**Gate of @champion: ✅ passed**');
    expect(run.summary).toMatch(/\| auc \| 0\.8\d+ \|/);
  });

  it('on a pull request that makes the model worse: the gate fails the job and the report says why', async () => {
    const file = join(project.dir, 'pipelines', 'train.ts');
    writeFileSync(file, readFileSync(file, 'utf8').replace("features: param.string('all'", "features: param.string('region,monthly_fee'"));
    const run = await runWorkflow(project.dir, 'pull_request');
    expect(run.failed).toBe(true);
    const gate = run.results.find((r) => r.id === 'gate')!;
    expect(gate.code).toBe(1);
    expect(gate.stderr).toContain("The gate of @champion refused version 2 of 'churn'");
    expect(gate.stdout).toContain('FAIL  metrics.auc > champion.metrics.auc');
    // The dry run moved nothing, and the report still ran (if: always()).
    expect(run.results.at(-1)!.id).toBe('report');
    expect(run.summary).toContain('**Gate of @champion: ❌ refused** (dry run: not yet asked)');
    expect(run.summary).toContain('Against v1 (holder of @champion)');
    const champion = await bash('cairn models show churn@champion --json | jq -r .version.version', project.dir, commandEnv(project.dir));
    expect(champion.stdout.trim()).toBe('1');
  });
});
