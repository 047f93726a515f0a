import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isCairnError } from '../../errors.js';
import { runArtifactStoreContract } from '../artifact-store.contract.js';
import { LOCAL_TEMP_FOLDER, LocalArtifactStore } from './local-artifact-store.js';

async function readOrNull(file: string): Promise<Buffer | null> {
  try {
    return await readFile(file);
  } catch {
    return null;
  }
}

runArtifactStoreContract('local', async () => {
  const base = await mkdtemp(join(tmpdir(), 'cairn-local-store-'));
  const canary = join(base, 'canary.txt');
  await writeFile(canary, 'do not touch');
  return {
    store: new LocalArtifactStore(join(base, 'store')),
    cleanup: () => rm(base, { recursive: true, force: true }),
    canary: { name: 'canary.txt', read: () => readOrNull(canary) },
  };
});

async function codeOf(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
    return 'OK';
  } catch (e) {
    return isCairnError(e) ? e.code : `OTHER: ${String(e)}`;
  }
}

describe('LocalArtifactStore', () => {
  let base: string;
  let root: string;
  let store: LocalArtifactStore;
  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'cairn-local-store-'));
    root = join(base, 'store');
    store = new LocalArtifactStore(root);
  });
  afterEach(() => rm(base, { recursive: true, force: true }));

  it('creates its root on the first write, not before', async () => {
    expect(existsSync(root)).toBe(false);
    expect(await store.list('')).toEqual([]);
    expect(await store.stat('')).toBeNull();
    await store.put('a.txt', 'x');
    expect(await readFile(join(root, 'a.txt'), 'utf8')).toBe('x');
    expect(await store.stat('')).toEqual({ path: '', isDir: true, size: null });
  });

  it('keeps no temp files after successful or failed writes, and hides and reserves its temp folder', async () => {
    await store.put('ok.txt', 'fine');
    await codeOf(() => store.put('too-big', 'abcdef', { maxBytes: 3 }));
    expect(await readdir(join(root, LOCAL_TEMP_FOLDER))).toEqual([]);
    expect((await store.list('')).map((e) => e.path)).toEqual(['ok.txt']);
    for (const key of [LOCAL_TEMP_FOLDER, `${LOCAL_TEMP_FOLDER}/x`, `./${LOCAL_TEMP_FOLDER}/x`]) {
      expect(await codeOf(() => store.put(key, 'x'))).toBe('INVALID_ARGUMENT');
      expect(await codeOf(() => store.list(key))).toBe('INVALID_ARGUMENT');
      expect(await codeOf(() => store.delete(key))).toBe('INVALID_ARGUMENT');
    }
    expect(await store.put(`a/${LOCAL_TEMP_FOLDER}`, 'nested is fine')).toMatchObject({ size: 14 });
  });

  it('refuses to write over a folder or below a file', async () => {
    await store.put('dir/file', 'x');
    expect(await codeOf(() => store.put('dir', 'x'))).toBe('FAILED_PRECONDITION');
    expect(await codeOf(() => store.put('dir/file/below', 'x'))).toBe('FAILED_PRECONDITION');
    expect(await readFile(join(root, 'dir', 'file'), 'utf8')).toBe('x');
  });

  it('refuses absolute paths to files outside the root', async () => {
    const outside = join(base, 'outside.txt');
    await writeFile(outside, 'secret');
    expect(await codeOf(() => store.get(outside))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(() => store.delete(outside))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(() => store.put(`../store-sibling/x`, 'x'))).toBe('INVALID_ARGUMENT');
    expect(await readFile(outside, 'utf8')).toBe('secret');
    expect(existsSync(join(base, 'store-sibling'))).toBe(false);
  });

  describe('with symbolic links', () => {
    let outside: string;
    beforeEach(async () => {
      outside = join(base, 'outside');
      await mkdir(join(root, 'real'), { recursive: true });
      await mkdir(outside);
      await writeFile(join(outside, 'secret'), 'canary');
      await writeFile(join(root, 'real', 'f.txt'), 'inside');
      await symlink(outside, join(root, 'escape'));
      await mkdir(`${root}-sibling`);
      await symlink(`${root}-sibling`, join(root, 'sibling'));
      await symlink(join(outside, 'secret'), join(root, 'secret-link'));
      await symlink(join(root, 'real'), join(root, 'alias'));
      await symlink(root, join(root, 'real', 'loop'));
    });

    it('never follows a link out of the root, on any method', async () => {
      const attempts: Array<[string, () => Promise<unknown>]> = [
        ['get', () => store.get('escape/secret')],
        ['get link', () => store.get('secret-link')],
        ['digest', () => store.digest('secret-link')],
        ['stat', () => store.stat('escape/secret')],
        ['list', () => store.list('escape')],
        ['put', () => store.put('escape/secret', 'overwritten')],
        ['put new', () => store.put('escape/new.txt', 'planted')],
        ['put deep', () => store.put('escape/deep/new.txt', 'planted')],
        ['put in sibling', () => store.put('sibling/new.txt', 'planted')],
        ['putFile', () => store.putFile('escape/copy', join(outside, 'secret'))],
        ['delete', () => store.delete('escape/secret')],
        ['delete folder', () => store.delete('escape')],
      ];
      for (const [label, run] of attempts) expect([label, await codeOf(run)]).toEqual([label, 'PERMISSION_DENIED']);
      expect(await readdir(outside)).toEqual(['secret']);
      expect(await readdir(`${root}-sibling`)).toEqual([]);
      expect(await readFile(join(outside, 'secret'), 'utf8')).toBe('canary');
    });

    it('follows links that stay inside, lists without escaping, and stops at loops', async () => {
      expect(await store.digest('alias/f.txt')).toBe(await store.digest('real/f.txt'));
      expect((await store.list('')).map((e) => e.path)).toEqual(['alias', 'real']);
      const files: string[] = [];
      for await (const file of store.listRecursive('')) files.push(file.path);
      expect(files).toEqual(['alias/f.txt']);
    });
  });

  it('skips names on disk that no key could address', async () => {
    await mkdir(root, { recursive: true });
    for (const name of ['a%20b', 'back\\slash', 'semi;colon', 'ok.txt']) await writeFile(join(root, name), 'x');
    expect((await store.list('')).map((e) => e.path)).toEqual(['ok.txt']);
  });
});
