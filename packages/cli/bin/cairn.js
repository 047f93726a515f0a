#!/usr/bin/env node
// The `cairn` command. Installed, it runs the compiled CLI (dist/). In the checkout (src/ is there;
// the published package holds only bin/ and dist/) it runs the TypeScript sources through tsx, with
// the "@cairn/source" export condition so sibling packages resolve to their sources too: no build needed.
import { existsSync } from 'node:fs';

if (existsSync(new URL('../src/main.ts', import.meta.url))) {
  const { register } = await import('tsx/esm/api');
  const { register: registerHooks } = await import('node:module');
  register();
  // Registered after tsx, so it runs first and tsx's resolver sees the condition.
  registerHooks('./source-condition.mjs', import.meta.url);
  await import('../src/main.ts');
} else {
  await import('../dist/main.js');
}
