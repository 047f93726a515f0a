// Test helper: `node --import ./module-trace.mjs …` appends the URL of every module the process
// resolves to the file named by MODULE_TRACE_FILE (resolution hooks run on a thread of their own).
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

if (isMainThread) register(import.meta.url);

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  if (process.env.MODULE_TRACE_FILE) appendFileSync(process.env.MODULE_TRACE_FILE, `${resolved.url}\n`);
  return resolved;
}
