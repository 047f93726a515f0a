import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isCairnError, type ErrorCode } from '../errors.js';
import { TRAVERSAL_CORPUS } from '../paths/traversal-corpus.js';
import type { ArtifactBody, ArtifactFileInfo, ArtifactStore } from './artifact-store.js';

export interface ArtifactStoreFixture {
  store: ArtifactStore;
  cleanup(): Promise<void>;
  /**
   * A file the backend can reach but must never touch, placed just outside the store's root so that
   * a naive join of `../<name>` would land on it. Backends without an "outside" omit it and the
   * canary case is skipped with that reason.
   */
  canary?: { name: string; read(): Promise<Buffer | null> };
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

async function bytesOf(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

async function collect(items: AsyncIterable<ArtifactFileInfo>): Promise<ArtifactFileInfo[]> {
  const out: ArtifactFileInfo[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function codeOf(run: () => Promise<unknown>): Promise<ErrorCode | 'OK' | 'OTHER'> {
  try {
    await run();
    return 'OK';
  } catch (e) {
    return isCairnError(e) ? e.code : 'OTHER';
  }
}

/** A streamed body that yields `before`, then fails like a dropped connection. */
async function* failingBody(before: Uint8Array): AsyncGenerator<Uint8Array> {
  yield before;
  throw new Error('client disconnected');
}

// Any readable local file will do as the source of a refused putFile.
const thisFile = fileURLToPath(import.meta.url);

function every(store: ArtifactStore, key: string): Array<[string, () => Promise<unknown>]> {
  return [
    ['put', () => store.put(key, 'overwritten by cairn')],
    ['putFile', () => store.putFile(key, thisFile)],
    ['get', () => store.get(key)],
    ['stat', () => store.stat(key)],
    ['list', () => store.list(key)],
    ['listRecursive', () => collect(store.listRecursive(key))],
    ['delete', () => store.delete(key)],
    ['digest', () => store.digest(key)],
  ];
}

/**
 * The behaviour every {@link ArtifactStore} backend must show. Call it once per backend from that
 * backend's test file; `make` builds a fresh, empty store for each case.
 *
 * @example
 * ```ts
 * runArtifactStoreContract('local', async () => {
 *   const dir = await mkdtemp(join(tmpdir(), 'cairn-'));
 *   return { store: new LocalArtifactStore(join(dir, 'root')), cleanup: () => rm(dir, { recursive: true }) };
 * });
 * ```
 */
export function runArtifactStoreContract(name: string, make: () => Promise<ArtifactStoreFixture>): void {
  describe(`ArtifactStore contract: ${name}`, () => {
    let fixture: ArtifactStoreFixture;
    let store: ArtifactStore;
    beforeEach(async () => {
      fixture = await make();
      store = fixture.store;
    });
    afterEach(async () => fixture.cleanup());

    const large = randomBytes(3 * 1024 * 1024 + 17);
    const allBytes = Buffer.from(Array.from({ length: 1024 }, (_, i) => i % 256));
    const bodies: Array<[string, () => ArtifactBody, Buffer]> = [
      ['binary Buffer', () => allBytes, allBytes],
      ['empty Buffer', () => Buffer.alloc(0), Buffer.alloc(0)],
      ['empty string', () => '', Buffer.alloc(0)],
      ['UTF-8 string', () => 'héllo 🌍\n', Buffer.from('héllo 🌍\n')],
      ['plain Uint8Array', () => new Uint8Array(allBytes), allBytes],
      ['Node Readable', () => Readable.from([allBytes.subarray(0, 10), allBytes.subarray(10)]), allBytes],
      ['empty Readable', () => Readable.from([]), Buffer.alloc(0)],
      ['large async iterable', () => (async function* () {
        for (let i = 0; i < large.length; i += 65_521) yield large.subarray(i, i + 65_521);
      })(), large],
    ];

    it.each(bodies)('round-trips a %s byte for byte', async (_label, body, expected) => {
      const result = await store.put('dir/file.bin', body());
      expect(result).toEqual({ path: 'dir/file.bin', size: expected.length, sha256: sha256(expected) });
      const { stream, size } = await store.get('dir/file.bin');
      expect(size).toBe(expected.length);
      expect((await bytesOf(stream)).equals(expected)).toBe(true);
      expect(await store.digest('dir/file.bin')).toBe(sha256(expected));
      expect(await store.stat('dir/file.bin')).toEqual({ path: 'dir/file.bin', isDir: false, size: expected.length });
    });

    it('reads byte ranges, clamped at the end, and refuses ranges outside the file', async () => {
      await store.put('r.bin', allBytes);
      const read = async (range: { start: number; end?: number }) => {
        const got = await store.get('r.bin', { range });
        return { bytes: await bytesOf(got.stream), size: got.size, totalSize: got.totalSize };
      };
      expect(await read({ start: 10, end: 19 })).toEqual({ bytes: allBytes.subarray(10, 20), size: 10, totalSize: 1024 });
      expect(await read({ start: 1000 })).toEqual({ bytes: allBytes.subarray(1000), size: 24, totalSize: 1024 });
      expect(await read({ start: 1020, end: 5000 })).toEqual({ bytes: allBytes.subarray(1020), size: 4, totalSize: 1024 });
      expect(await read({ start: 0, end: 0 })).toEqual({ bytes: allBytes.subarray(0, 1), size: 1, totalSize: 1024 });
      expect((await store.get('r.bin')).totalSize).toBe(1024);
      for (const range of [{ start: 1024 }, { start: 5000, end: 6000 }, { start: -1 }, { start: 5, end: 4 }, { start: 1.5 }]) {
        expect([range, await codeOf(() => store.get('r.bin', { range }))]).toEqual([range, 'INVALID_ARGUMENT']);
      }
      expect(await codeOf(() => store.get('missing.bin', { range: { start: 0 } }))).toBe('NOT_FOUND');
    });

    it('lists and deletes folders of many entries completely', async () => {
      const names = Array.from({ length: 23 }, (_, i) => `f${String(i).padStart(2, '0')}`);
      await Promise.all(names.map((name, i) => store.put(i % 3 ? `big/${name}` : `big/${name}/inner.txt`, name)));
      const listed = await store.list('big');
      expect(listed.map((e) => [e.path, e.isDir])).toEqual(names.map((name, i) => [`big/${name}`, i % 3 === 0]));
      expect((await collect(store.listRecursive('big'))).length).toBe(23);
      await store.delete('big');
      expect(await store.list('')).toEqual([]);
    });

    it('stores under the normalized key', async () => {
      expect((await store.put('a/./b//c%20d.txt/', 'x')).path).toBe('a/b/c d.txt');
      expect((await bytesOf((await store.get('a/b/c d.txt')).stream)).toString()).toBe('x');
      expect(await store.stat('a%2Fb/c d.txt')).toMatchObject({ path: 'a/b/c d.txt' });
      expect((await store.put('données/🚀.pt', 'ü')).path).toBe('données/🚀.pt');
      expect(await store.digest('données/🚀.pt')).toBe(sha256(Buffer.from('ü')));
    });

    it('overwrites, and concurrent writers leave one whole version', async () => {
      await store.put('k', 'first version');
      await store.put('k', 'second');
      expect((await bytesOf((await store.get('k')).stream)).toString()).toBe('second');
      const versions = Array.from({ length: 6 }, (_, i) => Buffer.alloc(200_000 + i, i));
      await Promise.all(versions.map((v) => store.put('k', Readable.from([v.subarray(0, 1000), v.subarray(1000)]))));
      const final = await bytesOf((await store.get('k')).stream);
      expect(versions.some((v) => v.equals(final))).toBe(true);
    });

    it('copies a local file in with putFile', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'cairn-contract-'));
      try {
        await writeFile(join(dir, 'in.bin'), large);
        expect(await store.putFile('copied/in.bin', join(dir, 'in.bin'))).toEqual({
          path: 'copied/in.bin',
          size: large.length,
          sha256: sha256(large),
        });
        expect(await store.digest('copied/in.bin')).toBe(sha256(large));
        expect(await codeOf(() => store.putFile('copied/none', join(dir, 'missing')))).toBe('NOT_FOUND');
        expect(await store.stat('copied/none')).toBeNull();
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('lists one level at a time, sorted, and walks files recursively', async () => {
      for (const key of ['b.txt', 'a/x.txt', 'a/deep/y.txt', 'a/deep/z/w.txt', 'a-b', 'c/d.txt']) await store.put(key, key);
      expect(await store.list('')).toEqual([
        { path: 'a', isDir: true, size: null },
        { path: 'a-b', isDir: false, size: 3 },
        { path: 'b.txt', isDir: false, size: 5 },
        { path: 'c', isDir: true, size: null },
      ]);
      expect(await store.list('a/')).toEqual([
        { path: 'a/deep', isDir: true, size: null },
        { path: 'a/x.txt', isDir: false, size: 7 },
      ]);
      expect(await store.list('missing')).toEqual([]);
      expect((await collect(store.listRecursive('a'))).map((f) => f.path)).toEqual(['a/deep/y.txt', 'a/deep/z/w.txt', 'a/x.txt']);
      expect((await collect(store.listRecursive(''))).map((f) => f.path)).toEqual([
        'a/deep/y.txt', 'a/deep/z/w.txt', 'a/x.txt', 'a-b', 'b.txt', 'c/d.txt',
      ]);
      expect(await collect(store.listRecursive('missing'))).toEqual([]);
      expect(await store.stat('a')).toEqual({ path: 'a', isDir: true, size: null });
      expect(await store.stat('a/nope')).toBeNull();
      expect(await store.stat('b.txt/under-a-file')).toBeNull();
    });

    it('deletes files and whole folders, and tolerates missing keys', async () => {
      for (const key of ['keep.txt', 'run/a.txt', 'run/sub/b.txt']) await store.put(key, 'x');
      await store.delete('run/a.txt');
      expect(await store.stat('run/a.txt')).toBeNull();
      await store.delete('run');
      expect(await store.stat('run')).toBeNull();
      await store.delete('run');
      await store.delete('never/was');
      expect((await collect(store.listRecursive(''))).map((f) => f.path)).toEqual(['keep.txt']);
      expect(await codeOf(() => store.delete(''))).toBe('INVALID_ARGUMENT');
    });

    it('reports NOT_FOUND for missing files and for folders', async () => {
      await store.put('folder/file', 'x');
      for (const key of ['nope', 'folder', 'folder/nope', 'folder/file/under']) {
        expect(await codeOf(() => store.get(key))).toBe('NOT_FOUND');
        expect(await codeOf(() => store.digest(key))).toBe('NOT_FOUND');
      }
    });

    it.each(TRAVERSAL_CORPUS.map((key) => [key]))('refuses %j on every method', async (key) => {
      for (const [method, call] of every(store, key)) {
        expect([method, await codeOf(call)]).toEqual([method, 'INVALID_ARGUMENT']);
      }
      expect(await collect(store.listRecursive(''))).toEqual([]);
    });

    it('never reads, writes or deletes a file outside its root', async (ctx) => {
      const canary = fixture.canary;
      if (!canary) return ctx.skip('this backend has no location outside its root to plant a canary');
      const before = await canary.read();
      expect(before).not.toBeNull();
      const n = canary.name;
      const attempts = [`../${n}`, `..%2f${n}`, `%2e%2e/${n}`, `a/../../${n}`, `..\\${n}`, `%252e%252e%252f${n}`, `./../${n}`];
      for (const key of attempts) {
        for (const [method, call] of every(store, key)) {
          expect([method, key, await codeOf(call)]).toEqual([method, key, 'INVALID_ARGUMENT']);
        }
      }
      expect((await canary.read())?.equals(before as Buffer)).toBe(true);
    });

    it('leaves nothing at the key when a streamed write fails midway', async () => {
      expect(await codeOf(() => store.put('up/broken.bin', failingBody(randomBytes(100_000))))).not.toBe('OK');
      const erroring = new Readable({ read() {} });
      erroring.push(randomBytes(50_000));
      // A store may give up on the body before it breaks; its error must not go unheard then.
      erroring.on('error', () => {});
      setTimeout(() => erroring.destroy(new Error('socket hang up')), 5);
      expect(await codeOf(() => store.put('up/broken2.bin', erroring))).not.toBe('OK');
      expect(await store.stat('up/broken.bin')).toBeNull();
      expect(await store.stat('up/broken2.bin')).toBeNull();
      expect(await store.list('')).toEqual([]);

      await store.put('up/kept.bin', 'old content');
      expect(await codeOf(() => store.put('up/kept.bin', failingBody(Buffer.from('new'))))).not.toBe('OK');
      expect((await bytesOf((await store.get('up/kept.bin')).stream)).toString()).toBe('old content');
    });

    it('enforces maxBytes while streaming and leaves nothing behind', async () => {
      const body = (): ArtifactBody => Readable.from([randomBytes(600), randomBytes(600)]);
      expect(await codeOf(() => store.put('big.bin', body(), { maxBytes: 1000 }))).toBe('RESOURCE_EXHAUSTED');
      expect(await store.stat('big.bin')).toBeNull();
      expect(await store.list('')).toEqual([]);
      expect((await store.put('big.bin', body(), { maxBytes: 1200 })).size).toBe(1200);
      expect(await codeOf(() => store.put('small', 'abc', { maxBytes: 2 }))).toBe('RESOURCE_EXHAUSTED');
      expect(await codeOf(() => store.put('x', 'abc', { maxBytes: -1 }))).toBe('INVALID_ARGUMENT');
    });

    it('shows an upload only once it is complete', async () => {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const upload = store.put('slow/file.bin', (async function* () {
        yield Buffer.from('part one, ');
        await gate;
        yield Buffer.from('part two');
      })());
      await new Promise((r) => setTimeout(r, 20));
      expect(await store.stat('slow/file.bin')).toBeNull();
      expect(await store.list('')).toEqual([]);
      release();
      await upload;
      expect((await bytesOf((await store.get('slow/file.bin')).stream)).toString()).toBe('part one, part two');
    });
  });
}
