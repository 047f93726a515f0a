import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { CairnError } from '../errors.js';

/** A run config file (`cairn pipelines run FILE --config run.yaml`). */
export interface RunConfig {
  params: Record<string, unknown>;
  noCache: boolean;
}

const KEYS = ['params', 'no_cache'];

/**
 * Reads a run config: `params:` (a mapping of parameter values, typed by YAML) and `no_cache:`.
 * Parsed with YAML's safe core schema; unknown keys are refused by name.
 *
 * @example
 * ```yaml
 * params:
 *   lr: 0.05
 *   model: xgb
 * no_cache: false
 * ```
 */
export function loadRunConfig(path: string): RunConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new CairnError('NOT_FOUND', `Run config ${path} does not exist.`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text, { schema: 'core' }) ?? {};
  } catch (e) {
    throw new CairnError('INVALID_ARGUMENT', `${path} is not valid YAML: ${(e as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new CairnError('INVALID_ARGUMENT', `${path} must be a mapping with 'params:' (and optionally 'no_cache:').`);
  const unknown = Object.keys(doc).filter((k) => !KEYS.includes(k));
  if (unknown.length) throw new CairnError('INVALID_ARGUMENT', `Unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')} in ${path}: a run config has ${KEYS.join(' and ')}.`);
  const { params = {}, no_cache = false } = doc as { params?: unknown; no_cache?: unknown };
  if (typeof params !== 'object' || params === null || Array.isArray(params)) throw new CairnError('INVALID_ARGUMENT', `'params' in ${path} must be a mapping of parameter names to values.`);
  if (typeof no_cache !== 'boolean') throw new CairnError('INVALID_ARGUMENT', `'no_cache' in ${path} must be true or false.`);
  return { params: params as Record<string, unknown>, noCache: no_cache };
}
