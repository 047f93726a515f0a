#!/usr/bin/env node
// `npm run build`: builds the published packages (core, client, server, cli, sdk) into their dist/:
// tsc type-checks each and writes its declarations; esbuild writes its JavaScript, one ES module per
// entry point plus shared chunks (code splitting), with every npm dependency and sibling package left
// as an import. Loading a few chunks instead of hundreds of small files is most of a CLI command's
// cold start (docs/architecture.md). Then it copies the plain .mjs entry points and the built web UI
// (into @cairn/server's dist/ui). A package whose inputs did not change since its last build is
// skipped. Every published package runs this before `npm pack` (prepack).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const require = createRequire(join(ROOT, 'package.json'));
const ts = require('typescript');
const { build } = require('esbuild');
// In dependency order: a package's declarations are there before a package importing it is checked.
const PACKAGES = ['core', 'client', 'server', 'cli', 'sdk'];
// Dependencies bundled into a package's JavaScript instead of imported: libraries made of hundreds
// of small modules, which only that package calls, whose loading dominated the CLI's cold start
// (Kysely: 263 files, zod: 95). They stay dependencies for the declarations, which name their types;
// their license texts are copied into dist/THIRD-PARTY-NOTICES.md.
const INLINE = { core: ['kysely', 'zod'] };
// Files that are not part of what is published (as tsconfig.build-base.json leaves them out).
const NOT_BUILT = /(^|\/)(testing|fixtures)\//;

async function step(what, fn) {
  const t0 = Date.now();
  await fn();
  console.log(`build: ${what} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}

function filesUnder(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

const newest = (files) => files.reduce((max, f) => Math.max(max, statSync(f).mtimeMs), 0);

/** The folder of an installed package as seen from `dir` (found from its main file: not every package exports package.json). */
function packageDir(name, dir) {
  let at = dirname(require.resolve(name, { paths: [dir] }));
  while (!existsSync(join(at, 'package.json')) || JSON.parse(readFileSync(join(at, 'package.json'), 'utf8')).name !== name) at = dirname(at);
  return at;
}

/** The entry points a package's tsconfig.build.json lists (`files`). */
function entryPoints(dir) {
  const file = join(dir, 'tsconfig.build.json');
  const { config, error } = ts.readConfigFile(file, ts.sys.readFile);
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  return config.files.map((f) => join(dir, f));
}

async function buildPackage(name) {
  const dir = join(ROOT, 'packages', name);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const inline = INLINE[name] ?? [];
  // Peer dependencies (onnxruntime-node, optional and loaded only by `cairn models serve`) stay outside too.
  const external = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})].filter((d) => !inline.includes(d));
  rmSync(join(dir, 'dist'), { recursive: true, force: true });
  execFileSync(process.execPath, [join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc'), '-p', join(dir, 'tsconfig.build.json')], { stdio: 'inherit' });
  await build({
    entryPoints: entryPoints(dir),
    outdir: join(dir, 'dist'),
    outbase: join(dir, 'src'),
    entryNames: '[dir]/[name]',
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Functions and classes keep their names (a bundle renames clashing ones: pipeline → pipeline2).
    keepNames: true,
    // Dependencies are installed next to the package; only Cairn's own code (and INLINE) is bundled.
    external: external.flatMap((d) => [d, `${d}/*`]),
    logLevel: 'warning',
  });
  if (inline.length) {
    const notices = inline.map((d) => {
      const from = packageDir(d, dir);
      const license = readdirSync(from).find((f) => /^licen[cs]e/i.test(f));
      const { version } = JSON.parse(readFileSync(join(from, 'package.json'), 'utf8'));
      return `## ${d} ${version}\n\n${license ? readFileSync(join(from, license), 'utf8').trim() : '(no license file)'}\n`;
    });
    writeFileSync(join(dir, 'dist', 'THIRD-PARTY-NOTICES.md'), `# Third-party code bundled into ${pkg.name}\n\n${notices.join('\n')}`);
  }
  // Cairn's license travels in every published package (its files list holds dist/).
  cpSync(join(ROOT, 'LICENSE'), join(dir, 'dist', 'LICENSE'));
  // Plain .mjs entry points (the process guard) start without a compiler, and the Python model worker
  // runs under python3: both are copied as they are.
  const src = join(dir, 'src');
  for (const file of filesUnder(src).filter((f) => f.endsWith('.mjs') || f.endsWith('.py'))) {
    const rel = relative(src, file);
    if (NOT_BUILT.test(rel)) continue;
    mkdirSync(dirname(join(dir, 'dist', rel)), { recursive: true });
    cpSync(file, join(dir, 'dist', rel));
  }
}

const SHARED = ['tsconfig.json', 'tsconfig.build-base.json', 'scripts/build.mjs'].map((f) => join(ROOT, f));
let rebuilt = false;
for (const name of PACKAGES) {
  const dir = join(ROOT, 'packages', name);
  const built = join(dir, 'dist', 'index.js');
  const inputs = [...filesUnder(join(dir, 'src')), join(dir, 'tsconfig.build.json'), join(dir, 'package.json'), ...SHARED];
  // Skipped when nothing it is built from changed, unless a package it may depend on was just rebuilt.
  if (!rebuilt && existsSync(built) && statSync(built).mtimeMs >= newest(inputs)) continue;
  await step(`packages/${name}`, () => buildPackage(name));
  rebuilt = true;
}

// The web UI: built by Vite when its sources (or the client it imports) are newer than its build.
const UI = join(ROOT, 'packages', 'ui');
if (existsSync(join(UI, 'package.json'))) {
  const index = join(UI, 'dist', 'index.html');
  const sources = newest([...filesUnder(join(UI, 'src')), ...filesUnder(join(ROOT, 'packages', 'client', 'src')), join(UI, 'index.html'), join(UI, 'vite.config.ts')]);
  if (!existsSync(index) || statSync(index).mtimeMs < sources) {
    await step('packages/ui (vite build)', () => {
      execFileSync(process.execPath, [join(dirname(require.resolve('vite/package.json')), 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], { cwd: UI, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
    });
  }
  const to = join(ROOT, 'packages', 'server', 'dist', 'ui');
  rmSync(to, { recursive: true, force: true });
  cpSync(join(UI, 'dist'), to, { recursive: true });
}
