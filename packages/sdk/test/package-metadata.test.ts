// What `npm publish` needs from each published package.json, and what a user's tools read from it:
// checked on the files themselves (fast); pack-install.test.ts packs and installs them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PUBLISHED, REPO } from './packed-install.js';

interface PackageJson {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  repository?: { type: string; url: string; directory: string };
  type?: string;
  engines?: { node?: string };
  exports?: Record<string, string | Record<string, string>>;
  files?: string[];
  bin?: Record<string, string>;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
}

const root = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as PackageJson & { workspaces: string[] };
const read = (folder: string): PackageJson => JSON.parse(readFileSync(join(REPO, folder, 'package.json'), 'utf8')) as PackageJson;
const byName = new Map(root.workspaces.map((w) => [read(w).name, { folder: w, pkg: read(w) }]));

describe('published packages', () => {
  it('are the five workspaces @cairn/core, client, server, cli and sdk, at one version', () => {
    for (const name of PUBLISHED) expect(byName.has(name), name).toBe(true);
    expect(new Set(PUBLISHED.map((n) => byName.get(n)!.pkg.version)).size).toBe(1);
  });

  for (const name of PUBLISHED) {
    it(`${name} can be published as it is`, () => {
      const { folder, pkg } = byName.get(name)!;
      expect(pkg.private).toBeUndefined();
      expect(pkg.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(pkg.license).toBe('Apache-2.0');
      expect(pkg.repository).toMatchObject({ type: 'git', directory: folder });
      expect(pkg.type).toBe('module');
      expect(pkg.engines?.node).toBe('>=20');
      expect(pkg.files).toContain('dist');
      expect(pkg.scripts?.prepack, 'npm pack builds dist/ first').toBeDefined();
      for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
        if (typeof target === 'string') {
          expect(subpath === './package.json' || subpath === './bin', `${name} exports ${subpath} as a plain path`).toBe(true);
          continue;
        }
        // The checkout's tools use "@cairn/source" (first, so it wins there); everyone else gets dist/.
        const keys = Object.keys(target);
        expect(keys[0], `${name} ${subpath}`).toBe('@cairn/source');
        if (subpath.startsWith('./testing')) {
          expect(keys, `${name} ${subpath}: test helpers are not published`).toEqual(['@cairn/source']);
          continue;
        }
        expect(keys).toEqual(['@cairn/source', 'types', 'import']);
        expect(target.types).toMatch(/^\.\/dist\/.+\.d\.ts$/);
        expect(target.import).toBe(target.types!.replace(/\.d\.ts$/, '.js'));
      }
      for (const [dep, range] of Object.entries(pkg.dependencies ?? {})) {
        expect(range, `${name} depends on ${dep}`).not.toBe('*');
        if (dep.startsWith('@cairn/')) {
          expect(PUBLISHED, `${name} depends on ${dep}, which is not published`).toContain(dep);
          expect(range, `${name} pins its sibling ${dep}`).toBe(pkg.version);
        }
      }
    });
  }

  it('give the `cairn` command from @cairn/sdk (what a project installs) and @cairn/cli (global installs)', () => {
    expect(byName.get('@cairn/sdk')!.pkg.bin).toEqual({ cairn: './bin/cairn.js' });
    expect(byName.get('@cairn/cli')!.pkg.bin).toEqual({ cairn: './bin/cairn.js' });
    expect(byName.get('@cairn/sdk')!.pkg.files).toContain('bin/cairn.js');
    expect(byName.get('@cairn/cli')!.pkg.files).toContain('bin/cairn.js');
    expect(readFileSync(join(REPO, 'packages', 'sdk', 'bin', 'cairn.js'), 'utf8')).toContain("import('@cairn/cli/bin')");
  });

  it('leave out the example project and the web UI package (private; the server ships the built UI)', () => {
    for (const [name, { pkg }] of byName) if (!PUBLISHED.includes(name)) expect(pkg.private, name).toBe(true);
    expect(root.private).toBe(true);
  });
});
