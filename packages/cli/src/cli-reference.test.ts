// docs/cli.md against the real command tree: every command has its section (a heading naming it,
// `cairn pipelines schedule add`), and each section names every argument and option the command
// takes; a section for a command that no longer exists fails too. Help texts carry no doubled
// defaults. A command or option added, renamed or removed without the reference fails here.
import { readFileSync } from 'node:fs';
import type { Command, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram, EXIT } from './program.js';

const DOC = readFileSync(new URL('../../../docs/cli.md', import.meta.url), 'utf8');

/** Each section of docs/cli.md whose heading names a command (`cairn …` in backquotes), by that command. */
function sections(): Map<string, string> {
  const out = new Map<string, string>();
  let current: string | null = null;
  for (const line of DOC.split('\n')) {
    const heading = /^#{2,4} .*`(cairn(?: [a-z-]+)*)`/.exec(line);
    if (heading) {
      current = heading[1]!;
      expect(out.has(current), `docs/cli.md has two sections for \`${current}\``).toBe(false);
      out.set(current, '');
    } else if (/^#{2,4} /.test(line)) {
      current = null;
    } else if (current) {
      out.set(current, `${out.get(current)!}${line}\n`);
    }
  }
  return out;
}

/** The section of docs/cli.md under a heading with exactly this text. */
function section(title: string): string {
  const start = DOC.indexOf(`\n${title}\n`);
  expect(start, `docs/cli.md has no heading '${title}'`).toBeGreaterThanOrEqual(0);
  const rest = DOC.slice(start + title.length + 2);
  const end = rest.search(/^#{1,4} /m);
  return end < 0 ? rest : rest.slice(0, end);
}

function commands(cmd: Command, path: string[] = []): Array<{ path: string; cmd: Command }> {
  const here = [...path, cmd.name()];
  return [{ path: here.join(' '), cmd }, ...cmd.commands.flatMap((c) => commands(c, here))];
}

const argName = (name: string) => name.toUpperCase().replaceAll('-', '_');
const userOptions = (cmd: Command): Option[] => cmd.options.filter((o) => o.long !== '--help');

describe('docs/cli.md, checked against the command tree', () => {
  const program = buildProgram();
  const tree = commands(program).filter((c) => c.cmd !== program);
  const documented = sections();

  it('has a section for every command, and none for a command that does not exist', () => {
    const missing = tree.map((c) => c.path).filter((p) => !documented.has(p));
    expect(missing, 'commands without a section in docs/cli.md').toEqual([]);
    const stale = [...documented.keys()].filter((p) => !tree.some((c) => c.path === p));
    expect(stale, 'sections of docs/cli.md for commands that do not exist').toEqual([]);
  });

  it.each(tree.map((c) => [c.path, c.cmd] as const))('documents every argument, option and alias of `%s`', (path, cmd) => {
    const text = documented.get(path) ?? '';
    for (const arg of cmd.registeredArguments) expect(text, `${path}: argument <${arg.name()}> as ${argName(arg.name())}`).toContain(argName(arg.name()));
    for (const o of userOptions(cmd)) {
      const flag = o.short ? `${o.short}, ${o.long}` : o.long!;
      expect(text, `${path}: option ${o.flags}`).toContain(`\`${flag}`);
    }
    for (const alias of cmd.aliases()) expect(text, `${path}: alias ${alias}`).toMatch(new RegExp(`\`(cairn )?${alias}\``));
    // A command that prints JSON says what it prints.
    if (userOptions(cmd).some((o) => o.long === '--json')) expect(text, `${path}: what --json prints`).toMatch(/--json`?[^\n]*\{|\{ "/);
  });

  it('documents the global options', () => {
    const text = section('### Global options');
    for (const o of userOptions(program)) expect(text, o.flags).toContain(`\`${o.short ? `${o.short}, ` : ''}${o.long}`);
  });

  it('documents every exit code and the duration syntax', () => {
    const text = section('### Exit codes');
    for (const code of Object.values(EXIT)) expect(text, `exit code ${code}`).toMatch(new RegExp(`^\\| ${code} \\|`, 'm'));
    expect(section('### Times and durations')).toContain("'1d12h'");
  });

  it.each(tree.map((c) => [c.path, c.cmd] as const))('`%s --help` shows each default once', (_path, cmd) => {
    const help = cmd.helpInformation();
    expect(help).not.toMatch(/\(default[^)]*\)\s*\(default/);
    expect(help).not.toMatch(/default: (\{\}|\[\])/);
    for (const o of userOptions(cmd)) {
      if (o.defaultValue !== undefined && !o.negate && typeof o.defaultValue !== 'boolean') expect(o.description, o.flags).not.toMatch(/\(default/);
    }
  });
});
