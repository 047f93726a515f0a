import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { CairnError } from '../errors.js';
import { TRAVERSAL_CORPUS } from './traversal-corpus.js';
import { formatArtifactUri, parseArtifactUri, resolveUnderRoot, validateRelativePath } from './validate-path.js';

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    if (e instanceof CairnError) return e.code;
    throw e;
  }
  return 'ACCEPTED';
}

const sandbox = realpathSync(mkdtempSync(join(tmpdir(), 'cairn-paths-')));
afterAll(() => rmSync(sandbox, { recursive: true, force: true }));

describe('validateRelativePath', () => {
  it.each(TRAVERSAL_CORPUS.map((input) => [input]))('refuses %j', (input) => {
    expect(codeOf(() => validateRelativePath(input))).toBe('INVALID_ARGUMENT');
  });

  it.each([
    ['model/weights.bin', 'model/weights.bin'],
    ['a b/c', 'a b/c'],
    ['a/./b', 'a/b'],
    ['./a', 'a'],
    ['a//b', 'a/b'],
    ['a/b/', 'a/b'],
    ['a%20b/c%2Fd', 'a b/c/d'],
    ['données/模型/🚀.pt', 'données/模型/🚀.pt'],
    ['..a/b..', '..a/b..'],
    ['.hidden/...', '.hidden/...'],
    ['1:2', '1:2'],
    ['a/b:c', 'a/b:c'],
  ])('accepts %j as %j', (input, expected) => {
    expect(validateRelativePath(input)).toBe(expected);
  });

  it('accepts the empty root only when asked', () => {
    for (const root of ['', '.', './', './/.']) {
      expect(codeOf(() => validateRelativePath(root))).toBe('INVALID_ARGUMENT');
      expect(validateRelativePath(root, 'prefix', { allowEmpty: true })).toBe('');
    }
    expect(codeOf(() => validateRelativePath('/', 'prefix', { allowEmpty: true }))).toBe('INVALID_ARGUMENT');
  });

  it('names the field, the offending part and what is allowed', () => {
    const error = (() => {
      try {
        validateRelativePath('a/%2e%2e/b', 'artifact_path');
      } catch (e) {
        return e as CairnError;
      }
      throw new Error('expected a refusal');
    })();
    expect(error.message).toContain('artifact_path');
    expect(error.message).toContain("'..'");
    expect(error.message).toContain('a/%2e%2e/b');
    expect(error.message).toContain("such as 'model/weights.bin'");
    expect(error.details).toEqual({ field: 'artifact_path' });
  });

  it('counts bytes, not characters, against the segment limit', () => {
    expect(validateRelativePath('é'.repeat(127))).toHaveLength(127);
    expect(codeOf(() => validateRelativePath('é'.repeat(128)))).toBe('INVALID_ARGUMENT');
  });

  it('stops decoding after five rounds', () => {
    const encode = (s: string, times: number): string => (times === 0 ? s : encode(encodeURIComponent(s), times - 1));
    expect(validateRelativePath(encode('a b', 5))).toBe('a b');
    expect(codeOf(() => validateRelativePath(encode('a b', 6)))).toBe('INVALID_ARGUMENT');
  });
});

describe('resolveUnderRoot', () => {
  const root = join(sandbox, 'root');
  const outside = join(sandbox, 'outside');
  mkdirSync(join(root, 'inner'), { recursive: true });
  mkdirSync(outside, { recursive: true });
  writeFileSync(join(outside, 'secret'), 'canary');
  symlinkSync(outside, join(root, 'escape'));
  symlinkSync(join(outside, 'secret'), join(root, 'secret-link'));
  symlinkSync(join(sandbox, 'nowhere'), join(root, 'dangling'));
  symlinkSync(join(root, 'inner'), join(root, 'inner-link'));
  // A sibling whose name starts with the root's name must not pass a prefix check.
  mkdirSync(`${root}-sibling`);
  symlinkSync(`${root}-sibling`, join(root, 'sibling'));

  it('resolves inside the root, including not-yet-existing paths', () => {
    expect(resolveUnderRoot(root, 'a/b.txt')).toBe(join(root, 'a', 'b.txt'));
    expect(resolveUnderRoot(root, '')).toBe(root);
    expect(resolveUnderRoot(join(sandbox, 'missing-root'), 'x')).toBe(join(sandbox, 'missing-root', 'x'));
  });

  it('allows links that stay inside the root', () => {
    expect(resolveUnderRoot(root, 'inner-link/x')).toBe(join(root, 'inner-link', 'x'));
  });

  it.each([['escape'], ['escape/secret'], ['sibling'], ['sibling/x'], ['escape/new/file'], ['secret-link'], ['dangling'], ['dangling/x']])(
    'refuses %j, which leaves the root through a link',
    (relative) => {
      expect(codeOf(() => resolveUnderRoot(root, relative))).toBe('PERMISSION_DENIED');
    },
  );

  it.each(TRAVERSAL_CORPUS.map((input) => [input]))('refuses %j', (input) => {
    expect(codeOf(() => resolveUnderRoot(root, input))).toBe('INVALID_ARGUMENT');
  });
});

describe('parseArtifactUri', () => {
  it.each([
    ['cairn-artifacts:/1/run/model.pkl', 'cairn-artifacts', '1/run/model.pkl'],
    ['mlflow-artifacts:/1/run/artifacts', 'mlflow-artifacts', '1/run/artifacts'],
    ['mlflow-artifacts:1/run', 'mlflow-artifacts', '1/run'],
    ['cairn-artifacts:/a%20b/c', 'cairn-artifacts', 'a b/c'],
    ['cairn-artifacts:/', 'cairn-artifacts', ''],
  ])('parses %j', (uri, scheme, path) => {
    expect(parseArtifactUri(uri)).toEqual({ scheme, path });
  });

  it.each([
    ['mlflow-artifacts://host/1/run'],
    ['mlflow-artifacts://'],
    ['cairn-artifacts:/%2F%2Fhost/x'],
    ['cairn-artifacts:/../x'],
    ['cairn-artifacts:/a/%2e%2e/%2e%2e/x'],
    ['cairn-artifacts:/%252e%252e%252fx'],
    ['cairn-artifacts:/a;/../b'],
    ['Cairn-Artifacts:/x'],
    ['file:///etc/passwd'],
    ['file:/tmp/x'],
    ['http://example.com/x'],
    ['s3://bucket/key'],
    ['/etc/passwd'],
    ['relative/path'],
    ['../x'],
    ['//host/x'],
    [''],
    ...TRAVERSAL_CORPUS.map((path) => [`cairn-artifacts:/${path}`]),
  ])('refuses %j', (uri) => {
    expect(codeOf(() => parseArtifactUri(uri))).toBe('INVALID_ARGUMENT');
  });

  it('says that locations are assigned by Cairn', () => {
    expect(() => parseArtifactUri('file:///etc/passwd')).toThrow(/assigned by Cairn/);
  });
});

// Strings built from the pieces that path tricks are made of, plus fully random Unicode.
const tricky = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc
    .array(
      fc.constantFrom('..', '.', '/', '\\', '%', '%2', '2e', '2f', '%2e', '%2f', '%25', '%5c', 'a', 'C', ':', '\0', '#', ';', '?', ' ', 'é', '😀', '\ud83d'),
      { maxLength: 24 },
    )
    .map((parts) => parts.join('')),
);

describe('properties', () => {
  const root = join(sandbox, 'property-root');
  mkdirSync(root, { recursive: true });

  it('either refuses with INVALID_ARGUMENT or returns a safe, stable path inside the root', () => {
    fc.assert(
      fc.property(tricky, (input) => {
        let result: string;
        try {
          result = validateRelativePath(input);
        } catch (e) {
          return e instanceof CairnError && e.code === 'INVALID_ARGUMENT';
        }
        const segments = result.split('/');
        expect(segments).not.toContain('..');
        expect(segments).not.toContain('.');
        expect(segments).not.toContain('');
        expect(result).not.toContain('\\');
        expect(result.startsWith('/')).toBe(false);
        expect(validateRelativePath(result)).toBe(result);
        expect(resolveUnderRoot(root, result).startsWith(root + sep)).toBe(true);
        return true;
      }),
      { numRuns: 5000 },
    );
  });

  it('round-trips every valid path through formatArtifactUri and parseArtifactUri', () => {
    fc.assert(
      fc.property(tricky, fc.constantFrom('cairn-artifacts', 'mlflow-artifacts' as const), (input, scheme) => {
        let path: string;
        try {
          path = validateRelativePath(input, 'path', { allowEmpty: true });
        } catch {
          return true;
        }
        expect(parseArtifactUri(formatArtifactUri(path, scheme))).toEqual({ scheme, path });
        return true;
      }),
      { numRuns: 2000 },
    );
  });
});
