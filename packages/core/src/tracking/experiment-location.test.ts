import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { isCairnError } from '../errors.js';
import type { Platform } from '../platform.js';
import { HOSTILE_SOURCES, seedModelRun } from '../registry/testing/registry-fixtures.js';
import { describeEachPlatform } from '../testing/describe-platforms.js';

/** Locations a client may not choose for an experiment: outside the store, the root, or a folder Cairn owns. */
const CRAFTED_LOCATIONS = [
  'file:///etc', 'file:///etc/', '//proc/self/root', 'http:///#/../../etc/', 'file%3A%2F%2F%2Fetc', '/etc',
  'cairn-artifacts:/', 'mlflow-artifacts:', 'cairn-artifacts:/.', 'cairn-artifacts:/%2e%2e/etc',
  'cairn-artifacts:/registry', 'cairn-artifacts:/registry/', 'mlflow-artifacts:/registry/0123456789abcdef0123456789abcdef/1',
  'cairn-artifacts:/Registry/x', 'cairn-artifacts:/REGISTRY/x', 'cairn-artifacts:/./registry/x', 'cairn-artifacts://registry/x',
  'cairn-artifacts:/%72egistry/x', 'cairn-artifacts:/%2572egistry/x', 'mlflow-artifacts:/registry%2Fabc', 'cairn-artifacts:/pipelines/objects/ab',
  'cairn-artifacts:/pipelines',
];

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OK';
  } catch (e) {
    if (isCairnError(e)) return e.code;
    throw e;
  }
}

describeEachPlatform('experiment artifact locations', (t) => {
  let p: Platform;
  beforeAll(() => {
    p = t().platform;
  });

  it('refuses locations outside the store, the root itself, and the folders of the registry and pipelines', async () => {
    for (const location of CRAFTED_LOCATIONS) {
      expect(await code(p.experiments.create({ name: `crafted ${location}`, artifactLocation: location })), location).toBe('INVALID_ARGUMENT');
    }
    expect((await p.experiments.search({ filter: "name LIKE 'crafted%'" })).items).toEqual([]);
    for (const [location, path] of [['cairn-artifacts:/team-a/churn', 'team-a/churn'], ['mlflow-artifacts:/registry-archive/x', 'registry-archive/x'], ['cairn-artifacts:/a/registry', 'a/registry']]) {
      expect((await p.experiments.create({ name: `ok ${location}`, artifactLocation: location })).artifactLocation).toBe(path);
    }
  });

  it('the chain "crafted location, run, version from file:///etc/, download passwd" stops at its first step, and each later step would refuse too', async () => {
    expect(await code(p.experiments.create({ name: 'chain', artifactLocation: 'file:///etc' }))).toBe('INVALID_ARGUMENT');
    expect(await p.experiments.findByName('chain')).toBeNull();
    // Step 2 onwards, with an honest experiment and run: the hostile source is refused at registration.
    const run = await seedModelRun(p);
    await p.registry.createModel({ name: 'chain' });
    for (const source of [...HOSTILE_SOURCES, 'file:///etc/', 'cairn-artifacts:/Registry/x/1']) {
      expect(await code(p.registry.versions.create({ name: 'chain', source, runId: run.runId })), source).toBe('INVALID_ARGUMENT');
    }
    expect((await p.registry.versions.search({ filter: "name = 'chain'" })).items).toEqual([]);
    expect(await code(p.registry.versions.openFile('chain', 1, 'passwd'))).toBe('NOT_FOUND');
  });

  it('an experiment placed in a reserved folder before this check takes no new runs', async () => {
    const exp = await p.experiments.create({ name: 'legacy' });
    await sql`update experiments set artifact_location = 'registry/0123456789abcdef0123456789abcdef/1' where experiment_id = ${Number(exp.experimentId)}`.execute(p.database.db);
    expect(await code(p.runs.create({ experimentId: exp.experimentId }))).toBe('FAILED_PRECONDITION');
  });
});
