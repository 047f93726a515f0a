import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { buildApp } from '../packages/server/src/app.js';
import type { Platform } from '../packages/core/src/platform.js';
import { registryDb, type ModelAliasRow, type ModelTagRow, type ModelVersionRow, type RegisteredModelRow } from '../packages/core/src/registry/sql/rows.js';
import { benchPlatform } from './lib/platforms.js';
import { timeIt, type BenchResult } from './lib/report.js';

const MODELS = 10_000;
const VERSIONS = 10;
const TEAMS = 10;

const name = (i: number) => `model-${String(i).padStart(5, '0')}`;

/** 10,000 models x 10 READY versions, tags `team` (10 values) and `owner`, and @champion on version 10. */
async function seedRegistry(p: Platform): Promise<void> {
  const db = registryDb(p.database.db);
  const now = 1_700_000_000_000;
  for (let start = 0; start < MODELS; start += 500) {
    const models: RegisteredModelRow[] = [];
    const tags: ModelTagRow[] = [];
    const versions: ModelVersionRow[] = [];
    const aliases: ModelAliasRow[] = [];
    for (let i = start; i < Math.min(MODELS, start + 500); i++) {
      const id = `bench${String(i).padStart(27, '0')}`;
      models.push({ model_id: id, name: name(i), description: null, creation_time: now + i, last_updated_time: now + i, version_counter: VERSIONS });
      tags.push({ model_id: id, key: 'team', value: `team-${i % TEAMS}` }, { model_id: id, key: 'owner', value: `owner-${i % 97}` });
      for (let v = 1; v <= VERSIONS; v++) {
        versions.push({
          model_id: id, version: v, creation_time: now + v, last_updated_time: now + v, user_id: 'bench', description: null, source: `runs:/r${i}/model`,
          run_id: null, status: 'READY', status_message: null, current_stage: v === VERSIONS ? 'Production' : 'None', storage_path: `registry/${id}/${v}`,
          format: 'onnx', unsafe: 0, signature: null, input_example: null, size_bytes: 1000, digest: `sha256:${'0'.repeat(64)}`, file_count: 1, manifest: '[]', external_uri: null,
        });
      }
      aliases.push({ model_id: id, alias: 'champion', version: VERSIONS, updated_time: now });
    }
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('registered_models').values(models).execute();
      await trx.insertInto('registered_model_tags').values(tags).execute();
      for (let i = 0; i < versions.length; i += 1000) await trx.insertInto('model_versions').values(versions.slice(i, i + 1000)).execute();
      await trx.insertInto('model_aliases').values(aliases).execute();
    });
  }
}

export default {
  name: 'registry',
  async run(backends: string[]): Promise<BenchResult[]> {
    const out: BenchResult[] = [];
    for (const backend of backends) {
      const { platform } = await benchPlatform(backend, 'registry-10k', false);
      if (!(await platform.registry.exists(`${name(MODELS - 1)}@champion`))) {
        const t0 = performance.now();
        await seedRegistry(platform);
        console.log(`seeded ${MODELS} models x ${VERSIONS} versions on ${backend} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      }
      // A bulk load leaves PostgreSQL without statistics or a visibility map until autovacuum runs;
      // measure the steady state a live server reaches, not the first minute after the load.
      if (backend === 'postgres') {
        for (const table of ['registered_models', 'registered_model_tags', 'model_versions', 'model_version_tags', 'model_aliases']) await sql`vacuum analyze ${sql.table(table)}`.execute(platform.database.db);
      }
      const uri = `${name(4242)}@champion`;
      const resolved = await platform.registry.resolve(uri);
      if (resolved.version !== VERSIONS) throw new Error(`resolved version ${resolved.version}`);
      const local = await timeIt(() => platform.registry.resolve(uri), 2000, 200);
      out.push({ id: `4.resolve-alias.${backend}`, issue: '#4', title: 'Resolve NAME@alias, in-process, p50', backend, figure: local.p50, unit: 'ms', target: '<= 0.2', notes: `p99 ${local.p99.toFixed(2)} ms` });

      const app = buildApp(platform, { logger: false });
      await app.listen({ host: '127.0.0.1', port: 0 });
      const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      const url = `${base}/api/v1/models/${name(4242)}/aliases/champion`;
      const http = await timeIt(async () => {
        const res = await fetch(url);
        if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
        await res.arrayBuffer();
      }, 1000, 100);
      await app.close();
      out.push({ id: `4.resolve-alias-http.${backend}`, issue: '#4', title: 'Resolve NAME@alias over HTTP (loopback, keep-alive), p50', backend, figure: http.p50, unit: 'ms', target: '<= 2', notes: `p99 ${http.p99.toFixed(2)} ms` });

      const query = { filter: "tags.team = 'team-3'", maxResults: 100 };
      const page = await platform.registry.searchModels(query);
      if (page.items.length !== 100 || page.items[0]!.latestVersions.length !== 2) throw new Error(`search returned ${page.items.length} models`);
      const search = await timeIt(() => platform.registry.searchModels(query), 50, 5);
      out.push({ id: `4.search-10k.${backend}`, issue: '#4', title: 'Search 10k models x 10 versions on a tag (page of 100 with tags, aliases, latest versions), p50', backend, figure: search.p50, unit: 'ms', target: '<= 20', notes: `p99 ${search.p99.toFixed(1)} ms` });
      await platform.close();
    }
    return out;
  },
};
