import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileDefinitions } from './compile-definitions.js';
import { loadDefinitions } from './load-definitions.js';
import { DEFINE } from './testing/feature-project.js';

const dir = mkdtempSync(join(tmpdir(), 'cairn-defs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loading definitions from files', () => {
  it('collects exports across files and folders, sharing imported entities, skipping tests', async () => {
    mkdirSync(join(dir, 'features', 'views'), { recursive: true });
    writeFileSync(join(dir, 'features', 'entities.ts'), `import { entity } from ${JSON.stringify(DEFINE)};\nexport const driver = entity({ name: 'driver', joinKeys: { driver_id: 'int64' } });\n`);
    writeFileSync(join(dir, 'features', 'views', 'stats.ts'), `import { featureView, fileSource } from ${JSON.stringify(DEFINE)};\nimport { driver } from '../entities.ts';
export const all = [featureView({ name: 'stats', entities: [driver], source: fileSource({ name: 's', path: 's.csv', timestampField: 'ts' }), schema: { n: 'int64' } })];\n`);
    writeFileSync(join(dir, 'features', 'views', 'stats.test.ts'), `throw new Error('test files are not definitions');\n`);
    const defs = await loadDefinitions(join(dir, 'features'));
    expect(compileDefinitions(defs).specs.map((s) => `${s.kind}:${s.name}`).sort()).toEqual(['entity:driver', 'featureView:stats', 'source:s']);
  });

  it('names the file that fails to load, and a missing folder', async () => {
    writeFileSync(join(dir, 'features', 'broken.ts'), `export const x = ;\n`);
    await expect(loadDefinitions(join(dir, 'features'))).rejects.toThrow(/broken\.ts/);
    await expect(loadDefinitions(join(dir, 'nope'))).rejects.toThrow(/does not exist/);
  });
});
