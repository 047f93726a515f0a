import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { CacheParts } from '../entities.js';
import { canonicalJson } from '../materializers/json-check.js';
import type { StepDefinition } from '../step-definition.js';

const MAX_HASHED_SCRIPT_BYTES = 16 * 1024 * 1024;

const sha256 = (text: string | Buffer): string => createHash('sha256').update(text).digest('hex');

/**
 * The hash of a step's own code. A function step hashes its source text (as compiled: comments
 * and types do not count); a command step hashes its argv, env and working folder plus the
 * content of every argument that names a file (`train.py`), so editing the script invalidates
 * the cache. Anything else the code depends on is what `version` is for.
 */
export function codeHash(def: StepDefinition, projectDir: string): string {
  const impl = def.impl;
  if (impl.type === 'function') return sha256(impl.source);
  const cwd = impl.cwd ? (isAbsolute(impl.cwd) ? impl.cwd : join(projectDir, impl.cwd)) : projectDir;
  const scripts: Record<string, string> = {};
  for (const arg of impl.argv) {
    if (arg.includes('{') || arg.startsWith('-')) continue;
    const path = isAbsolute(arg) ? arg : join(cwd, arg);
    try {
      const s = statSync(path);
      if (s.isFile() && s.size <= MAX_HASHED_SCRIPT_BYTES) scripts[arg] = sha256(readFileSync(path));
    } catch {
      // Not a file: an ordinary argument.
    }
  }
  return sha256(canonicalJson({ argv: impl.argv, env: impl.env, cwd: impl.cwd, scripts }));
}

/** The cache key: sha256 of the parts as canonical JSON. */
export function cacheKey(parts: CacheParts): string {
  return sha256(canonicalJson(parts));
}

const short = (digest: string): string => digest.slice(0, 12);

/** What differs between two keys' parts, in words, naming each part (empty when the keys are equal). */
export function diffParts(now: CacheParts, before: CacheParts): string[] {
  const out: string[] = [];
  if (now.step !== before.step) out.push(`step name changed: '${before.step}' → '${now.step}'`);
  if (now.code !== before.code) out.push(`code changed: the step's source hash is ${short(now.code)}, was ${short(before.code)}`);
  if (now.version !== before.version) out.push(`version changed: ${before.version ?? '(none)'} → ${now.version ?? '(none)'}`);
  diffMap(out, 'param', now.params, before.params, (v) => v);
  diffMap(out, 'input', now.inputs, before.inputs, (v) => `artifact ${short(v)}`);
  diffMap(out, 'materializer of', now.materializers, before.materializers, (v) => v);
  return out;
}

function diffMap(out: string[], what: string, now: Record<string, string>, before: Record<string, string>, show: (v: string) => string): void {
  for (const k of [...new Set([...Object.keys(before), ...Object.keys(now)])].sort()) {
    const a = before[k];
    const b = now[k];
    if (a === b) continue;
    if (a === undefined) out.push(`${what} '${k}' is new: ${show(b!)}`);
    else if (b === undefined) out.push(`${what} '${k}' was removed (was ${show(a)})`);
    else out.push(`${what} '${k}' changed: ${show(a)} → ${show(b)}`);
  }
}
