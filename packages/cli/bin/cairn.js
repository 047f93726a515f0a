#!/usr/bin/env node
// The `cairn` command. Installed, it runs the compiled CLI (dist/). In the checkout (src/ is there;
// the published package holds only bin/ and dist/) it runs the TypeScript sources through tsx, with
// the "@cairn/source" export condition so sibling packages resolve to their sources too: no build needed.
// CI sets CAIRN_CLI_FROM_DIST=1 right after `npm ci` built dist/ from the same sources: the tests'
// many `cairn` processes then run the compiled CLI (what users install; ~1 s less per start) unless
// the process was told to resolve sources (`--conditions=@cairn/source` in NODE_OPTIONS).
import { existsSync } from 'node:fs';

const source = existsSync(new URL('../src/main.ts', import.meta.url));
const compiled = process.env.CAIRN_CLI_FROM_DIST === '1' && existsSync(new URL('../dist/main.js', import.meta.url))
  && !`${process.env.NODE_OPTIONS ?? ''} ${process.execArgv.join(' ')}`.includes('@cairn/source');

if (source && !compiled) {
  const { register } = await import('tsx/esm/api');
  const { register: registerHooks } = await import('node:module');
  register();
  // Registered after tsx, so it runs first and tsx's resolver sees the condition.
  registerHooks('./source-condition.mjs', import.meta.url);
  await import('../src/main.ts');
} else {
  await import('../dist/main.js');
}
