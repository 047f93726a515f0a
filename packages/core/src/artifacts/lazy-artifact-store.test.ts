import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runArtifactStoreContract } from './artifact-store.contract.js';
import { LazyArtifactStore } from './lazy-artifact-store.js';
import { LocalArtifactStore } from './local/local-artifact-store.js';

// The wrapper must be invisible: the whole contract through it, over a local store.
runArtifactStoreContract('lazy (local)', async () => {
  const base = await mkdtemp(join(tmpdir(), 'cairn-lazy-store-'));
  return { store: new LazyArtifactStore('local', async () => new LocalArtifactStore(join(base, 'store'))), cleanup: () => rm(base, { recursive: true, force: true }) };
});

it('builds its backend once, on first use, and tries again after a failed load', async () => {
  const base = await mkdtemp(join(tmpdir(), 'cairn-lazy-store-'));
  let loads = 0;
  const store = new LazyArtifactStore('s3://bucket/x', async () => {
    loads++;
    if (loads === 1) throw new Error('SDK failed to load');
    return new LocalArtifactStore(base);
  });
  try {
    expect(loads).toBe(0);
    await expect(store.stat('')).rejects.toThrow('SDK failed to load');
    await store.put('a.txt', 'x');
    expect(await store.list('')).toEqual([{ path: 'a.txt', isDir: false, size: 1 }]);
    expect(loads).toBe(2);
  } finally {
    await rm(base, { recursive: true, force: true });
  }
});
