// Runs the README's "5-minute tour" as written: in a folder inside the checkout (as the tour says),
// writes train.ts from the README's code block, runs it with tsx, runs the CLI commands, then makes
// the tour's HTTP calls (what its curl lines send) against a `cairn server` on a free port.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCliServer, type CliServer } from '../src/testing/cli-process.js';
import { bash, commandEnv, REPO, shellCommands, withoutNpx, type ShellResult } from './example-project.js';

const README = readFileSync(join(REPO, 'README.md'), 'utf8');
const TOUR = README.slice(README.indexOf('## A 5-minute tour'), README.indexOf('\n## ', README.indexOf('## A 5-minute tour') + 1));
const TOUR_DIR = 'scratch/tour';
// The tour's server port: not 5050, where `npm start` serves the example (it may still be running).
const TOUR_PORT = 5055;
const DOCUMENTED_URL = `http://127.0.0.1:${TOUR_PORT}`;

/** The tour's numbered steps (`**1. …**`), each with the text up to the next. */
function steps(): Map<number, string> {
  const parts = TOUR.split(/^\*\*(\d+)\. /m);
  const out = new Map<number, string>();
  for (let i = 1; i < parts.length; i += 2) out.set(Number(parts[i]), parts[i + 1]!);
  return out;
}

/** The words of one shell command line: single and double quotes, no expansions (the curl lines need none). */
function shellWords(line: string): string[] {
  const words: string[] = [];
  const re = /'([^']*)'|"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (const m of line.matchAll(re)) words.push(m[1] ?? m[2]?.replace(/\\(.)/g, '$1') ?? m[3]!);
  return words;
}

interface HttpCall { method: string; url: string; headers: Record<string, string>; body?: string }

/** What a `curl -s [-X M] URL [-H 'k: v'] [-d 'body']` line sends. */
function curlCall(line: string): HttpCall {
  const [curl, ...args] = shellWords(line);
  expect(curl).toBe('curl');
  const call: HttpCall = { method: 'GET', url: '', headers: {} };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-s') continue;
    else if (a === '-X') call.method = args[++i]!;
    else if (a === '-H') {
      const [k, ...v] = args[++i]!.split(':');
      call.headers[k!.trim()] = v.join(':').trim();
    } else if (a === '-d') {
      call.body = args[++i]!;
      if (call.method === 'GET') call.method = 'POST';
    } else if (/^https?:\/\//.test(a)) call.url = a;
    else throw new Error(`the tour's curl line uses '${a}', which this test does not translate: ${line}`);
  }
  return call;
}

const hasJq = (() => {
  try {
    execFileSync('jq', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasJq)('README: a 5-minute tour (skipped without jq, which the tour uses)', () => {
  let dir: string;
  let server: CliServer | undefined;
  const results: ShellResult[] = [];
  const find = (pattern: RegExp): ShellResult => {
    const hit = results.find((r) => pattern.test(r.command));
    if (!hit) throw new Error(`no tour command matching ${pattern} ran`);
    return hit;
  };

  beforeAll(() => {
    // Where the tour says: a folder under the checkout's scratch/ (git-ignored), one of its own per run.
    mkdirSync(join(REPO, 'scratch'), { recursive: true });
    dir = mkdtempSync(join(REPO, 'scratch', 'readme-tour-'));
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`says where to work: ${TOUR_DIR}, inside the checkout`, () => {
    expect(TOUR).toContain(`mkdir -p ${TOUR_DIR} && cd ${TOUR_DIR}`);
    expect(TOUR).toContain(`Save this as \`${TOUR_DIR}/train.ts\``);
    expect(relative(REPO, dir).split('/')).toHaveLength(TOUR_DIR.split('/').length);
    expect(JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).type).toBe('module');
  });

  it('step 1: train.ts from the README runs with tsx and logs FINISHED runs', async () => {
    const code = /```ts\n([\s\S]*?)```/.exec(steps().get(1)!)?.[1];
    expect(code).toContain("import { Cairn } from '@cairn/sdk';");
    writeFileSync(join(dir, 'train.ts'), code!);
    const commands = shellCommands(steps().get(1)!);
    expect(commands.map((c) => c.command)).toEqual(['npx tsx train.ts', 'npx tsx train.ts']);
    for (const c of commands) {
      const r = await bash(withoutNpx(c.command), dir, commandEnv(REPO));
      expect(r.code, `${c.command}\n${r.stdout}\n${r.stderr}`).toBe(0);
      // The line the README shows, with this run's id.
      expect(r.stderr).toMatch(/^Cairn: run 'baseline' FINISHED in experiment 'churn'\. View it: npx cairn runs show [0-9a-f]{32}$/m);
    }
    expect(steps().get(1)).toContain("Cairn: run 'baseline' FINISHED in experiment 'churn'. View it: npx cairn runs show");
  });

  it('step 2: the CLI finds, shows and compares the runs', async () => {
    const vars: Record<string, string> = {};
    for (const c of shellCommands(steps().get(2)!)) {
      const command = withoutNpx(c.assigns ? c.command.replace(/^[A-Z_][A-Z0-9_]*=\$\((.*)\)$/, '$1') : c.command);
      const r = await bash(command, dir, commandEnv(REPO, vars));
      results.push({ ...r, command: c.command });
      expect(r.code, `${c.command}\n${r.stdout}\n${r.stderr}`).toBe(c.expectCode);
      if (c.assigns) vars[c.assigns] = r.stdout.trim();
    }
    const runId = vars.RUN_ID ?? '';
    expect(runId).toMatch(/^[0-9a-f]{32}$/);
    expect(find(/experiments list/).stdout).toMatch(/churn/);
    expect(find(/--filter/).stdout.match(/baseline/g)).toHaveLength(2);
    const show = find(/runs show/).stdout;
    expect(show).toContain(runId);
    expect(show).toMatch(/status\s+FINISHED/);
    expect(show).toMatch(/auc\s+0\.91/);
    expect(show).toMatch(/git commit\s+[0-9a-f]{40}/);
    const compare = find(/runs compare/).stdout;
    expect(compare).toMatch(/auc/);
    expect(compare).toContain(runId.slice(0, 8));
  });

  it('step 3: the HTTP calls of the curl lines answer against `cairn server` on a free port', async () => {
    const [serve, ...lines] = shellCommands(steps().get(3)!).map((c) => c.command);
    // The documented server command, on a port of its own; the test runs it on a free one instead.
    expect(serve).toBe(`npx cairn server --port ${TOUR_PORT}`);
    expect(steps().get(3)).toContain('because `npm start` serves the churn example on 5050');
    server = await startCliServer({ cwd: dir });
    expect(lines).toHaveLength(4);
    const replies: { call: HttpCall; status: number; json: Record<string, unknown> }[] = [];
    for (const line of lines) {
      const call = curlCall(line);
      expect(call.url.startsWith(DOCUMENTED_URL), line).toBe(true);
      const res = await fetch(server.url + call.url.slice(DOCUMENTED_URL.length), { method: call.method, headers: call.headers, body: call.body });
      replies.push({ call, status: res.status, json: (await res.json()) as Record<string, unknown> });
    }
    for (const r of replies) expect(r.status, `${r.call.method} ${r.call.url}: ${JSON.stringify(r.json)}`).toBe(200);
    const [health, experiment, search, openapi] = replies.map((r) => r.json);
    expect(health).toMatchObject({ status: 'ok' });
    expect(experiment).toMatchObject({ experiment: { name: 'churn', experimentId: '1' } });
    const runs = (search as { runs: { info: { runName: string; status: string }; data: { metrics: { key: string; value: number }[] } }[] }).runs;
    expect(runs).toHaveLength(2);
    for (const run of runs) {
      expect(run.info).toMatchObject({ runName: 'baseline', status: 'FINISHED' });
      expect(run.data.metrics).toContainEqual(expect.objectContaining({ key: 'auc', value: 0.91 }));
    }
    expect(openapi).toHaveProperty('openapi');
  });

  it('step 4 is the MLflow client, which is not installed here: how to install it, and its endpoints are tested in packages/server/src/mlflow', () => {
    const step4 = steps().get(4)!;
    const commands = shellCommands(step4).map((c) => c.command);
    expect(commands).toContain(`export MLFLOW_TRACKING_URI=${DOCUMENTED_URL}`);
    expect(commands).toContain("python3 -m pip install 'mlflow-skinny>=2,<4'");
    // python3 throughout, as in the rest of the docs (`python` is missing on many systems).
    for (const c of commands) expect(c).not.toMatch(/(^|\s)python\s/);
    expect(step4).toContain('MLflow 2.x or 3.x');
  });
});
