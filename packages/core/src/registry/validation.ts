import { CairnError, invalid, notFound } from '../errors.js';
import { checkText } from '../tracking/validation.js';
import { STAGES, type Stage } from './entities.js';

export const REGISTRY_LIMITS = {
  nameLength: 256,
  aliasLength: 255,
  descriptionLength: 5000,
  inputExampleBytes: 1024 * 1024,
  filesPerVersion: 100_000,
  conditionsPerGate: 50,
  conditionLength: 1000,
} as const;

// Names end up inside `models:/NAME@alias` and `models:/NAME/3`, so the characters that structure
// those URIs (and anything a decoder could turn into them) are not allowed.
const NAME = /^[\p{L}\p{N}_](?:[\p{L}\p{N}_ .+-]*[\p{L}\p{N}_.+-])?$/u;
const ALIAS = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;

/** A registered model name: letters, digits, `_ . + -` and inner spaces, 1–256 characters. */
export function checkModelName(name: unknown, field = 'name'): string {
  const n = checkText(name, field, REGISTRY_LIMITS.nameLength, false);
  if (!NAME.test(n)) {
    throw invalid(
      `Invalid model name ${JSON.stringify(n.slice(0, 80))}: use letters, digits, '_', '.', '+', '-' and inner spaces ` +
        "(no '/', '@', ':', '%' or control characters), starting with a letter, digit or '_'.",
      { field },
    );
  }
  return n;
}

/** Whether `name` could be a stored model name; lookups of impossible names are simply NOT_FOUND. */
export function isPossibleModelName(name: unknown): name is string {
  return typeof name === 'string' && name.length <= REGISTRY_LIMITS.nameLength && NAME.test(name);
}

/** `latest` and `v<N>` name versions in model URIs, so they can never be aliases. */
export function isReservedAlias(alias: string): boolean {
  return /^latest$/i.test(alias) || /^v\d+$/i.test(alias);
}

export function checkAlias(alias: unknown, field = 'alias'): string {
  const a = checkText(alias, field, REGISTRY_LIMITS.aliasLength, false);
  if (!ALIAS.test(a)) throw invalid(`Invalid alias ${JSON.stringify(a.slice(0, 80))}: use letters, digits, '_' and '-' (e.g. champion, staging).`, { field });
  if (isReservedAlias(a)) throw invalid(`'${a}' is reserved and cannot be an alias: 'latest' and 'v<N>' name versions in model URIs.`, { field });
  return a;
}

export function isPossibleAlias(alias: unknown): alias is string {
  return typeof alias === 'string' && alias.length <= REGISTRY_LIMITS.aliasLength && ALIAS.test(alias) && !isReservedAlias(alias);
}

/** A version number from any surface (`3`, `'3'`); anything else names no version, so NOT_FOUND. */
export function parseVersion(model: string, version: unknown): number {
  const text = typeof version === 'number' ? String(version) : version;
  if (typeof text !== 'string' || !/^\d{1,9}$/.test(text) || Number(text) < 1) {
    const shown = String(version).slice(0, 40);
    throw notFound(`Version '${shown}' of model '${model}'`, 'Versions are whole numbers from 1; list them with `cairn models versions NAME`.', { entity: 'model_version', name: model, version: shown });
  }
  return Number(text);
}

/** For inputs where a malformed version is the caller's mistake rather than a lookup. */
export function checkVersionNumber(version: unknown, field = 'version'): number {
  const text = typeof version === 'number' ? String(version) : version;
  if (typeof text !== 'string' || !/^\d{1,9}$/.test(text) || Number(text) < 1) {
    throw invalid(`'${field}' must be a version number (a whole number from 1), got ${JSON.stringify(version)}.`, { field });
  }
  return Number(text);
}

export function checkDescription(description: unknown, field = 'description'): string | null {
  if (description === undefined || description === null) return null;
  return checkText(description, field, REGISTRY_LIMITS.descriptionLength);
}

/** MLflow's stage names, matched case-insensitively as MLflow does. */
export function checkStage(stage: unknown): Stage {
  const found = typeof stage === 'string' ? STAGES.find((s) => s.toLowerCase() === stage.toLowerCase()) : undefined;
  if (!found) throw invalid(`Invalid stage ${JSON.stringify(stage)}: use one of ${STAGES.join(', ')}.`, { field: 'stage' });
  return found;
}

export function checkInputExample(example: unknown): string | null {
  if (example === undefined || example === null) return null;
  let text: string;
  try {
    text = JSON.stringify(example);
  } catch (e) {
    throw new CairnError('INVALID_ARGUMENT', `'inputExample' must be a JSON value: ${(e as Error).message}.`, { cause: e });
  }
  if (Buffer.byteLength(text, 'utf8') > REGISTRY_LIMITS.inputExampleBytes) {
    throw invalid(`'inputExample' is larger than ${REGISTRY_LIMITS.inputExampleBytes} bytes of JSON; store a smaller example.`);
  }
  checkText(text, 'inputExample', Number.MAX_SAFE_INTEGER);
  return text;
}
