import { afterAll, describe, expect, it } from 'vitest';
import { isCairnError } from '../../errors.js';
import { backendAvailable, BACKENDS, makeTestPlatform } from '../../testing/platforms.js';
import { entity, featureView, fileSource } from '../define.js';
import { FeatureRegistryStore } from '../sql/feature-registry-store.js';
import type { FeatureTables } from '../sql/rows.js';
import { FeatureRegistry } from './feature-registry.js';
import type { Kysely } from 'kysely';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

const driver = entity({ name: 'driver', joinKeys: { driver_id: 'int64' } });
const src = fileSource({ name: 'trips', path: 'trips.parquet', timestampField: 'ts' });
const defs = (schema: Record<string, 'float64' | 'int64'>) => [featureView({ name: 'stats', entities: [driver], source: src, schema })];

for (const backend of BACKENDS) {
  describe.skipIf(!(await backendAvailable(backend)))(`feature registry [${backend}]`, () => {
    const registries = async () => {
      const tp = await makeTestPlatform(backend);
      cleanups.push(() => tp.cleanup());
      const db = tp.platform.database.db.withTables<FeatureTables>() as unknown as Kysely<FeatureTables>;
      return [new FeatureRegistry(new FeatureRegistryStore(db), { refreshMs: 0 }), new FeatureRegistry(new FeatureRegistryStore(db), { refreshMs: 60_000 })] as const;
    };

    it('refuses an apply planned against a registry version another apply replaced (CONFLICT)', async () => {
      const [a] = await registries();
      await a.apply(defs({ rate: 'float64' }));
      const store = (a as unknown as { store: FeatureRegistryStore }).store;
      const err = await store.apply(0, [], { digest: 'x', forced: false, now: 1, counts: { added: 0, changed: 0, removed: 0 } }).catch((e: unknown) => e);
      expect(isCairnError(err, 'CONFLICT')).toBe(true);
    });

    it('serves cached objects until the refresh interval, then the newer apply; old versions stay readable', async () => {
      const [writer, reader] = await registries();
      await writer.apply(defs({ rate: 'float64' }));
      expect((await reader.getView('stats')).version).toBe(1);
      await writer.apply(defs({ rate: 'float64', n: 'int64' }));
      expect((await reader.getView('stats')).version).toBe(1);
      expect((await writer.getView('stats')).spec.features.map((f) => f.name)).toEqual(['rate', 'n']);
      expect((await writer.list('featureView', 1))[0]!.spec).toMatchObject({ features: [{ name: 'rate', type: 'float64' }] });
      expect((await writer.history('featureView', 'stats')).map((h) => h.version)).toEqual([1, 2]);
      await writer.apply([]);
      await expect(writer.getView('stats')).rejects.toThrow(/Feature view 'stats' does not exist/);
      expect((await writer.history('featureView', 'stats')).at(-1)).toMatchObject({ version: 3, removed: true });
    });
  });
}
