import { existsSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownEntryPoint, ownProcessArgs, RUNNING_FROM_SOURCE } from './own-files.js';
import { importUserModule, importUserModuleIsolated } from './user-modules.js';

// The built package is checked where it is installed (packages/sdk/test/pack-install.test.ts); here,
// the loader as the checkout runs it.
describe('user modules', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-user-modules-'));
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }');
    writeFileSync(join(dir, 'shared.ts'), 'export const made: { at: number } = { at: Math.random() };\n');
    writeFileSync(join(dir, 'user.ts'), "import { made } from './shared.ts';\nexport const value: number = 41 + 1;\nexport { made };\n");
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports a TypeScript file into this process, sharing module instances with later imports', async () => {
    const first = await importUserModule(join(dir, 'user.ts'));
    expect(first.value).toBe(42);
    const again = await importUserModule(join(dir, 'user.ts'));
    expect(again).toBe(first);
    expect((await importUserModule(join(dir, 'shared.ts'))).made).toBe(first.made);
  });

  it('re-imports a file that changed when asked for it fresh', async () => {
    const file = join(dir, 'changing.ts');
    writeFileSync(file, 'export const version: number = 1;\n');
    expect((await importUserModule(file, { fresh: true })).version).toBe(1);
    writeFileSync(file, 'export const version: number = 2;\n');
    const later = new Date(Date.now() + 5000);
    utimesSync(file, later, later);
    expect((await importUserModule(file, { fresh: true })).version).toBe(2);
  });

  it('imports afresh, with what the file imports, in a namespace of its own', async () => {
    const shared = (await importUserModule(join(dir, 'shared.ts'))).made;
    const isolated = await importUserModuleIsolated(join(dir, 'user.ts'));
    expect(isolated.value).toBe(42);
    expect(isolated.made).not.toBe(shared);
  });
});

describe("Cairn's own files", () => {
  it('runs from its sources here, and starts its child processes with tsx and the @cairn/source condition', () => {
    expect(RUNNING_FROM_SOURCE).toBe(true);
    const args = ownProcessArgs();
    expect(args[0]).toBe('--conditions=@cairn/source');
    expect(args.slice(1, 2)).toEqual(['--import']);
    expect(args[2]).toMatch(/^file:\/\/.*\/tsx\//);
  });

  it('finds its entry points from the package root', () => {
    expect(ownEntryPoint('pipelines/runtime/child-entry')).toMatch(/\/core\/src\/pipelines\/runtime\/child-entry\.ts$/);
    expect(existsSync(ownEntryPoint('pipelines/runtime/child-entry'))).toBe(true);
    expect(existsSync(ownEntryPoint('pipelines/runtime/process-guard-entry', '.mjs'))).toBe(true);
  });
});
