// The README's "Use Cairn in your own project", run as written in an empty folder outside the
// checkout, with the packages packed from this checkout (`npm pack`) installed in place of the
// registry's: the installed `cairn` serves, runs a TypeScript pipeline, and a TypeScript file (run by
// tsx, checked by tsc with module NodeNext) and a plain JavaScript file import the SDK and log runs.
// Slow (it builds, packs, and installs, which compiles better-sqlite3 where no prebuilt binary can be
// downloaded): it runs when CAIRN_PACK_TEST=1, as `.ci/run` sets it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installArgs, insideCheckout, packTarballs, PUBLISHED, REPO, run, userEnv, type CommandResult } from './packed-install.js';

const TRACE_HOOK = fileURLToPath(new URL('../../cli/test/module-trace.mjs', import.meta.url));
const README = readFileSync(join(REPO, 'README.md'), 'utf8');
const START = README.indexOf('## Use Cairn in your own project');
const SECTION = README.slice(START, README.indexOf('\n## ', START + 1));

type Block = { kind: 'commands'; lines: string[] } | { kind: 'file'; name: string; text: string };

/** The section's fenced blocks in order: `sh` blocks are commands, others are files named just before them ("… as `train.ts`"). */
function blocks(): Block[] {
  const out: Block[] = [];
  let last = 0;
  for (const m of SECTION.matchAll(/```(\w+)\n([\s\S]*?)```/g)) {
    const before = SECTION.slice(last, m.index);
    last = m.index + m[0].length;
    if (m[1] === 'sh') {
      out.push({ kind: 'commands', lines: m[2]!.split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()).filter(Boolean) });
    } else {
      const name = [...before.matchAll(/as `([^`]+)`/g)].at(-1)?.[1];
      if (!name) throw new Error(`the README's ${m[1]} block after "${before.trim().slice(-80)}" does not say which file it is`);
      out.push({ kind: 'file', name, text: m[2]! });
    }
  }
  return out;
}

interface Ran extends CommandResult { command: string }

describe.skipIf(!process.env.CAIRN_PACK_TEST)('README: use Cairn in your own project, from the packed packages (slow; runs with CAIRN_PACK_TEST=1, as .ci/run sets it)', () => {
  let base: string;
  let cwd: string;
  let server: ChildProcess | undefined;
  let serverOutput = '';
  const ran: Ran[] = [];
  const result = (command: string): Ran => {
    const hit = ran.find((r) => r.command === command);
    if (!hit) throw new Error(`the README's command '${command}' did not run; it ran: ${ran.map((r) => r.command).join(' | ')}`);
    return hit;
  };

  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), 'cairn-own-project-'));
    cwd = base;
  });
  afterAll(async () => {
    if (server && server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((done) => server!.once('exit', done));
      process.kill(-server.pid!, 'SIGTERM');
      await exited;
    }
    rmSync(base, { recursive: true, force: true });
  });

  it('works in a folder outside the checkout', () => {
    expect(insideCheckout(base)).toBe(false);
    expect(SECTION).toContain('npm install @cairn/sdk');
  });

  it('runs every command of the section as written (the install takes the packed tarballs)', async () => {
    const tarballs = await packTarballs(join(base, 'tarballs'));
    expect(tarballs.map((t) => t.split('/').pop())).toEqual(PUBLISHED.map((p) => `${p.slice(1).replace('/', '-')}-0.1.0.tgz`));
    for (const block of blocks()) {
      if (block.kind === 'file') {
        mkdirSync(dirname(join(cwd, block.name)), { recursive: true });
        writeFileSync(join(cwd, block.name), block.text);
        continue;
      }
      for (const command of block.lines) {
        const into = /^mkdir (\S+) && cd \1$/.exec(command);
        if (into) {
          cwd = join(cwd, into[1]!);
          mkdirSync(cwd);
          continue;
        }
        if (command === 'npx cairn server') {
          // On a free port (the README's default, 5050, may be taken); in a process group of its own,
          // so stopping it stops npx and the server it started.
          server = spawn('npx', ['cairn', 'server', '--port', '0'], { cwd, env: userEnv(), detached: true });
          continue;
        }
        const line = command === 'npm install @cairn/sdk' ? ['npm', ...installArgs(tarballs)] : ['bash', '--noprofile', '--norc', '-eo', 'pipefail', '-c', command];
        const r = await run(line, cwd);
        ran.push({ ...r, command });
        expect(r.code, `${command}\n${r.stdout}\n${r.stderr}`).toBe(0);
      }
    }
    expect(server, 'the section ends by starting `npx cairn server`').toBeDefined();
  }, 1_800_000);

  it('installed compiled packages: JavaScript and declarations, no TypeScript sources or tests, and the license', () => {
    for (const name of PUBLISHED) {
      const dir = join(cwd, 'node_modules', name);
      const files = readdirSync(dir, { recursive: true }).map(String);
      expect(readFileSync(join(dir, 'dist', 'LICENSE'), 'utf8'), name).toContain('Apache License');
      expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')), name).toEqual([]);
      expect(files.some((f) => /(^|\/)(test|testing|fixtures)(\/|$)|\.test\./.test(f)), name).toBe(false);
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { exports: Record<string, string | Record<string, string>> };
      for (const [subpath, target] of Object.entries(pkg.exports)) {
        if (typeof target === 'string') expect(existsSync(join(dir, target)), `${name} ${subpath}`).toBe(true);
        else if (target.import) {
          expect(existsSync(join(dir, target.import)), `${name} ${subpath} import`).toBe(true);
          expect(existsSync(join(dir, target.types!)), `${name} ${subpath} types`).toBe(true);
        }
      }
    }
  });

  it('a TypeScript file run by tsx and a JavaScript file run by node import the SDK and log runs', () => {
    for (const [command, name] of [['npx tsx train.ts', 'from-typescript'], ['node app.mjs', 'from-javascript']] as const) {
      const r = result(command);
      expect(r.stdout).toContain('defined with: step, pipeline, featureView');
      expect(r.stderr).toMatch(new RegExp(`Cairn: run '${name}' FINISHED in experiment 'quickstart'`));
    }
    expect(result('npx tsc').stdout).toBe('');
    expect(JSON.parse(readFileSync(join(cwd, 'tsconfig.json'), 'utf8')).compilerOptions.module).toBe('NodeNext');
    const list = result('npx cairn runs list --experiment quickstart').stdout;
    expect(list).toMatch(/from-typescript\s+FINISHED/);
    expect(list).toMatch(/from-javascript\s+FINISHED/);
  });

  it("Cairn's own code runs without tsx: it is loaded only for a user's TypeScript file", async () => {
    const modules = async (argv: string[]) => {
      const trace = join(base, `trace-${argv.join('-').replace(/[^a-z]/gi, '')}.txt`);
      const r = await run(['node', '--import', TRACE_HOOK, ...argv], cwd, userEnv({ MODULE_TRACE_FILE: trace }));
      expect(r.code, `${argv.join(' ')}\n${r.stderr}`).toBe(0);
      return readFileSync(trace, 'utf8').split('\n').filter(Boolean);
    };
    const bin = join(cwd, 'node_modules', '.bin', 'cairn');
    const usesTsx = (urls: string[]) => urls.some((u) => u.includes('/node_modules/tsx/'));
    expect(usesTsx(await modules(['app.mjs']))).toBe(false);
    expect(usesTsx(await modules([bin, 'runs', 'list', '--experiment', 'quickstart']))).toBe(false);
    expect(usesTsx(await modules([bin, 'pipelines', 'run', 'pipelines/squares.ts', '--param', 'n=5']))).toBe(true);
  });

  it('`npx cairn pipelines run` runs the TypeScript pipeline', () => {
    const r = result('npx cairn pipelines run pipelines/squares.ts --param n=4');
    expect(r.stdout).toMatch(/COMPLETED squares [0-9a-f]{32}/);
    expect(r.stdout).toMatch(/square\s+COMPLETED/);
    expect(r.stdout).toMatch(/report\s+COMPLETED/);
  });

  it('`npx cairn server` serves the API and the web UI', async () => {
    const url = await new Promise<string>((done, fail) => {
      const onData = (d: Buffer) => {
        serverOutput += d.toString('utf8');
        const m = /Cairn server listening on (http:\/\/\S+)/.exec(serverOutput);
        if (m) done(m[1]!);
      };
      server!.stdout!.on('data', onData);
      server!.stderr!.on('data', onData);
      server!.once('exit', (code) => fail(new Error(`npx cairn server exited (${code}):\n${serverOutput}`)));
    });
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', version: '0.1.0' });
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Cairn</title>');
    const runs = await fetch(`${url}/api/2.0/mlflow/experiments/get-by-name?experiment_name=quickstart`);
    expect(runs.status).toBe(200);
  });
});
