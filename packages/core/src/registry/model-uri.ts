import { invalid } from '../errors.js';
import { STAGES, type Stage } from './entities.js';
import { checkAlias, checkModelName, checkVersionNumber } from './validation.js';

/** What a model reference names: one version, an alias, the newest version, or (MLflow) a stage. */
export type ModelRef =
  | { name: string; kind: 'version'; version: number }
  | { name: string; kind: 'alias'; alias: string }
  | { name: string; kind: 'latest' }
  | { name: string; kind: 'stage'; stage: Stage };

const HOW = "Use models:/NAME/3, models:/NAME@alias or models:/NAME/latest (or the short forms NAME/3, NAME@alias).";

/**
 * Parses a model reference: `models:/NAME/3`, `models:/NAME@champion`, `models:/NAME/latest`,
 * MLflow's `models:/NAME/Production`, or the same without the `models:/` prefix. The name may be
 * percent-encoded (`churn%20model`). Anything else is `INVALID_ARGUMENT`.
 *
 * @example
 * ```ts
 * parseModelRef('models:/churn@champion'); // { name: 'churn', kind: 'alias', alias: 'champion' }
 * parseModelRef('churn/3');                // { name: 'churn', kind: 'version', version: 3 }
 * ```
 */
export function parseModelRef(uri: string): ModelRef {
  if (typeof uri !== 'string' || uri === '') throw invalid(`A model reference is required. ${HOW}`);
  let rest = uri;
  if (/^models:/i.test(rest)) {
    rest = rest.slice('models:'.length);
    if (rest.startsWith('//')) throw invalid(`Invalid model URI ${JSON.stringify(uri.slice(0, 100))}: models:// with a host (another registry) is not supported. ${HOW}`);
    if (!rest.startsWith('/')) throw invalid(`Invalid model URI ${JSON.stringify(uri.slice(0, 100))}. ${HOW}`);
    rest = rest.slice(1);
  }
  const at = rest.lastIndexOf('@');
  const slash = rest.indexOf('/');
  let name: string;
  let ref: ModelRef;
  if (at > 0 && slash < 0) {
    name = decode(rest.slice(0, at), uri);
    ref = { name, kind: 'alias', alias: checkAlias(decode(rest.slice(at + 1), uri)) };
  } else if (slash > 0 && slash === rest.lastIndexOf('/')) {
    name = decode(rest.slice(0, slash), uri);
    const selector = decode(rest.slice(slash + 1), uri);
    const stage = STAGES.find((s) => s.toLowerCase() === selector.toLowerCase());
    if (/^latest$/i.test(selector)) ref = { name, kind: 'latest' };
    else if (stage) ref = { name, kind: 'stage', stage };
    else if (/^\d+$/.test(selector)) ref = { name, kind: 'version', version: checkVersionNumber(selector) };
    else throw invalid(`Invalid model URI ${JSON.stringify(uri.slice(0, 100))}: '${selector.slice(0, 40)}' is neither a version number, 'latest' nor a stage. ${HOW}`);
  } else {
    throw invalid(`Invalid model URI ${JSON.stringify(uri.slice(0, 100))}. ${HOW}`);
  }
  checkModelName(name);
  return ref;
}

function decode(part: string, uri: string): string {
  if (!part.includes('%')) return part;
  try {
    return decodeURIComponent(part);
  } catch {
    throw invalid(`Invalid model URI ${JSON.stringify(uri.slice(0, 100))}: malformed percent-encoding.`);
  }
}

/** The canonical URI of a reference, with the name percent-encoded where needed. */
export function formatModelRef(ref: ModelRef): string {
  const name = encodeURIComponent(ref.name);
  switch (ref.kind) {
    case 'version': return `models:/${name}/${ref.version}`;
    case 'alias': return `models:/${name}@${ref.alias}`;
    case 'latest': return `models:/${name}/latest`;
    case 'stage': return `models:/${name}/${ref.stage}`;
  }
}
