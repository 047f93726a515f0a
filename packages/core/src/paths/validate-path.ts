import { lstatSync, realpathSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { CairnError } from '../errors.js';

/** Limits shared by every backend, so a path accepted here fits on any filesystem or object store. */
export const MAX_SEGMENT_BYTES = 255;
export const MAX_PATH_BYTES = 4096;
const MAX_DECODE_ROUNDS = 5;
// Raw input this long cannot shrink under the byte limit even after decoding, so refuse it before any work.
const MAX_RAW_LENGTH = MAX_PATH_BYTES * 9;

const ALLOWED =
  "Use a relative path of names separated by '/', such as 'model/weights.bin' " +
  "(no '..', '\\', '#', ';', '?', control characters, leading '/' or 'scheme:' prefix).";

export interface ValidatePathOptions {
  /** Accept '' (and paths such as '.' or './') as the root itself. Defaults to false. */
  allowEmpty?: boolean;
}

export type ArtifactUriScheme = 'cairn-artifacts' | 'mlflow-artifacts';

export interface ParsedArtifactUri {
  scheme: ArtifactUriScheme;
  /** Normalized relative path inside the artifact store; '' is the store root. */
  path: string;
}

function show(value: string): string {
  const shown = JSON.stringify(value);
  return shown.length > 200 ? `${shown.slice(0, 197)}..."` : shown;
}

function refuse(what: string, input: string, reason: string): CairnError {
  return new CairnError('INVALID_ARGUMENT', `Invalid ${what} ${show(input)}: ${reason}. ${ALLOWED}`, {
    details: { field: what },
  });
}

function percentDecode(input: string, what: string): string {
  let current = input;
  for (let round = 0; round < MAX_DECODE_ROUNDS && current.includes('%'); round++) {
    try {
      current = decodeURIComponent(current);
    } catch {
      throw refuse(what, input, "it contains a malformed percent-encoding ('%' must start a valid UTF-8 '%XX' sequence)");
    }
  }
  // Whatever still holds a '%' would either decode again or is malformed; both are refused.
  if (current.includes('%')) {
    throw refuse(what, input, `it is percent-encoded more than ${MAX_DECODE_ROUNDS} times or holds a stray '%'`);
  }
  return current;
}

/**
 * Validates and normalizes a user-supplied relative path. This is the one gate every artifact path
 * and URI goes through: percent-encoding is decoded until stable (so `%252e%252e` cannot sneak a
 * `..` past a later decoder), then anything that could leave the root or confuse a URL parser is
 * refused with `INVALID_ARGUMENT`. Inner `//` and `.` segments collapse; a trailing `/` is trimmed.
 * The result contains no `%`, so validating it again returns it unchanged.
 *
 * @example
 * ```ts
 * validateRelativePath('model/./weights.bin');        // 'model/weights.bin'
 * validateRelativePath('a%2F..%2F..%2Fetc', 'key');   // throws CairnError INVALID_ARGUMENT naming 'key'
 * validateRelativePath('', 'prefix', { allowEmpty: true }); // '' (the root)
 * ```
 */
export function validateRelativePath(input: string, what = 'path', options: ValidatePathOptions = {}): string {
  if (typeof input !== 'string') {
    throw new CairnError('INVALID_ARGUMENT', `Invalid ${what}: expected a string, got ${typeof input}. ${ALLOWED}`);
  }
  if (input.length > MAX_RAW_LENGTH) throw refuse(what, input, `it is longer than ${MAX_PATH_BYTES} bytes`);
  const decoded = percentDecode(input, what);

  const control = /\p{Cc}/u.exec(decoded);
  if (control) {
    const code = control[0].codePointAt(0) ?? 0;
    throw refuse(what, input, `it contains the control character U+${code.toString(16).toUpperCase().padStart(4, '0')}`);
  }
  // Lone surrogates would be written to disk as U+FFFD, letting two different keys name one file.
  if (/\p{Cs}/u.test(decoded)) throw refuse(what, input, 'it contains an unpaired UTF-16 surrogate');
  if (decoded.includes('\\')) throw refuse(what, input, "it contains a backslash ('\\')");
  if (decoded.startsWith('/')) throw refuse(what, input, "it is absolute (starts with '/')");
  const special = /[#;?]/.exec(decoded);
  if (special) throw refuse(what, input, `it contains the character '${special[0]}'`);

  const segments: string[] = [];
  for (const segment of decoded.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') throw refuse(what, input, "it contains the segment '..'");
    if (Buffer.byteLength(segment, 'utf8') > MAX_SEGMENT_BYTES) {
      throw refuse(what, input, `the segment ${show(segment)} is longer than ${MAX_SEGMENT_BYTES} bytes`);
    }
    segments.push(segment);
  }
  const normalized = segments.join('/');
  // Checked after '.' segments collapse, so './file:/x' cannot normalize into a URI.
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:/.exec(normalized);
  if (scheme) throw refuse(what, input, `it starts with the URI scheme or drive letter '${scheme[0]}'`);
  if (Buffer.byteLength(normalized, 'utf8') > MAX_PATH_BYTES) {
    throw refuse(what, input, `it is longer than ${MAX_PATH_BYTES} bytes`);
  }
  if (normalized === '' && !options.allowEmpty) throw refuse(what, input, 'it is empty');
  return normalized;
}

function isInside(parent: string, child: string): boolean {
  if (child === parent) return true;
  return child.startsWith(parent.endsWith(sep) ? parent : parent + sep);
}

function errorCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : undefined;
}

/** The deepest path at or above `target` that exists, without following a final symlink. */
function deepestExisting(target: string): string | undefined {
  let current = target;
  for (;;) {
    try {
      lstatSync(current);
      return current;
    } catch (e) {
      const code = errorCode(e);
      if (code !== 'ENOENT' && code !== 'ENOTDIR') {
        throw new CairnError('INTERNAL', `Cannot inspect '${current}': ${String(e)}`, { cause: e });
      }
    }
    const parent = resolve(current, '..');
    if (parent === current) return undefined;
    current = parent;
  }
}

function escapes(relative: string, cause?: unknown): CairnError {
  return new CairnError(
    'PERMISSION_DENIED',
    `Path ${show(relative)} resolves outside the artifact root (through a symbolic link); ` +
      'Cairn never follows links out of its root. Remove the link or store the file under the root.',
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Resolves a relative path to an absolute local path inside `root`, after validating it with
 * {@link validateRelativePath}. The check is done twice: lexically after `path.resolve`, and on the
 * real path of the deepest part that already exists, so a symbolic link inside the root that
 * points out is refused with `PERMISSION_DENIED`. `''` resolves to the root itself.
 *
 * @example
 * ```ts
 * resolveUnderRoot('/srv/cairn/artifacts', 'exp-1/run-2/model.pkl'); // '/srv/cairn/artifacts/exp-1/run-2/model.pkl'
 * resolveUnderRoot('/srv/cairn/artifacts', '../secrets');           // throws INVALID_ARGUMENT
 * ```
 */
export function resolveUnderRoot(root: string, relative: string): string {
  const normalized = validateRelativePath(relative, 'path', { allowEmpty: true });
  const absoluteRoot = resolve(root);
  const target = normalized === '' ? absoluteRoot : resolve(absoluteRoot, ...normalized.split('/'));
  if (!isInside(absoluteRoot, target)) throw escapes(relative);

  const existing = deepestExisting(target);
  // Nothing at or below the root exists yet, so there is no link to follow.
  if (existing === undefined || !isInside(absoluteRoot, existing)) return target;
  let realExisting: string;
  let realRoot: string;
  try {
    realExisting = realpathSync(existing);
    realRoot = realpathSync(absoluteRoot);
  } catch (e) {
    // A dangling link: following it on write could create a file anywhere.
    throw escapes(relative, e);
  }
  if (!isInside(realRoot, realExisting)) throw escapes(relative);
  return target;
}

const ARTIFACT_URI = /^(cairn-artifacts|mlflow-artifacts):(.*)$/s;

function notAssigned(uri: string, reason: string): CairnError {
  return new CairnError(
    'INVALID_ARGUMENT',
    `Invalid artifact location ${show(uri)}: ${reason}. Artifact locations are assigned by Cairn; ` +
      "leave the location empty, or use a 'cairn-artifacts:/<relative path>' or 'mlflow-artifacts:/<relative path>' URI.",
    { details: { field: 'artifact location' } },
  );
}

/**
 * Parses an artifact location that Cairn assigned: `cairn-artifacts:/<relative path>` or
 * `mlflow-artifacts:/<relative path>` (the single `/` is optional). Any other location — `file:`,
 * `s3:`, `http:`, a host (`mlflow-artifacts://host/...`), a local path — is refused with
 * `INVALID_ARGUMENT`, because users must not choose where the server reads or writes.
 *
 * @example
 * ```ts
 * parseArtifactUri('mlflow-artifacts:/1/abc/artifacts'); // { scheme: 'mlflow-artifacts', path: '1/abc/artifacts' }
 * parseArtifactUri('file:///etc/passwd');               // throws INVALID_ARGUMENT
 * ```
 */
export function parseArtifactUri(uri: string): ParsedArtifactUri {
  if (typeof uri !== 'string') throw notAssigned(String(uri), 'expected a string');
  const match = ARTIFACT_URI.exec(uri);
  if (!match) throw notAssigned(uri, "only the 'cairn-artifacts:' and 'mlflow-artifacts:' schemes are accepted");
  const scheme = match[1] as ArtifactUriScheme;
  const rest = match[2] ?? '';
  if (rest.startsWith('//')) throw notAssigned(uri, 'it names a host');
  const path = validateRelativePath(rest.startsWith('/') ? rest.slice(1) : rest, 'artifact location path', {
    allowEmpty: true,
  });
  return { scheme, path };
}

/**
 * Builds the artifact URI for a relative path, percent-encoding each segment so that
 * {@link parseArtifactUri} returns the same path.
 *
 * @example
 * ```ts
 * formatArtifactUri('runs/a b/model.pkl'); // 'cairn-artifacts:/runs/a%20b/model.pkl'
 * ```
 */
export function formatArtifactUri(path: string, scheme: ArtifactUriScheme = 'cairn-artifacts'): string {
  const normalized = validateRelativePath(path, 'artifact path', { allowEmpty: true });
  const encoded = normalized === '' ? '' : normalized.split('/').map(encodeURIComponent).join('/');
  return `${scheme}:/${encoded}`;
}
