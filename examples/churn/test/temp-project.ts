// A private copy of this project for tests that write to its store, with node_modules linked to the
// one this project resolves its packages from (the repository's, or the project's own).
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { PROJECT_DIR } from '../src/lib/project.js';

function nodeModules(): string {
  for (let dir = PROJECT_DIR; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules', '@cairn', 'cli'))) return join(dir, 'node_modules');
    if (dirname(dir) === dir) throw new Error(`No node_modules with @cairn/cli above ${PROJECT_DIR}; run npm install.`);
  }
}

export function copyProject(): { dir: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'churn-test-'));
  const dir = join(root, 'churn');
  const skip = new Set(['.cairn', 'data', 'node_modules']);
  cpSync(PROJECT_DIR, dir, { recursive: true, filter: (src) => !skip.has(relative(PROJECT_DIR, src).split(sep)[0]!) });
  symlinkSync(nodeModules(), join(dir, 'node_modules'), 'dir');
  return { dir, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** Runs `cairn …` in `dir` (the project's own binary), resolving with its exit code and output. */
export function cairn(dir: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { NO_COLOR: '1' };
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CAIRN_') || k === 'CAIRN_PYTHON') env[k] = v;
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(dir, 'node_modules', '.bin', 'cairn'), ...args], { cwd: dir, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}
