import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, backendAvailable, makeTestPlatform, type TestPlatform } from '../testing/platforms.js';
import { seedModelRun } from './testing/registry-fixtures.js';

const run = promisify(execFile);
const WRITER = join(import.meta.dirname, 'testing', 'registry-writer.ts');
const PROCESSES = 4;

for (const backend of BACKENDS) {
  describe(`registry writers in separate processes: ${backend}`, () => {
    let t: TestPlatform | undefined;
    let skip = false;
    beforeAll(async () => {
      skip = !(await backendAvailable(backend));
      if (!skip) t = await makeTestPlatform(backend);
    });
    afterAll(async () => t?.cleanup());

    const spawn = (...args: string[]) => run(process.execPath, ['--import', 'tsx', WRITER, t!.storeUri, join(t!.dir, 'artifacts'), ...args], { timeout: 240_000 });

    it(`${PROCESSES} processes x 8 concurrent registrations: versions 1..32, no gap, no duplicate`, async (ctx) => {
      if (skip || !t) return ctx.skip();
      const seeded = await seedModelRun(t.platform);
      await t.platform.registry.createModel({ name: 'contended' });
      const outs = await Promise.all(Array.from({ length: PROCESSES }, () => spawn('register', 'contended', seeded.runId, '8')));
      const versions = outs.flatMap((o) => (JSON.parse(o.stdout.trim()) as { versions: number[] }).versions).sort((a, b) => a - b);
      expect(versions).toEqual(Array.from({ length: 32 }, (_, i) => i + 1));
      const stored = await t.platform.registry.versions.search({ filter: "name = 'contended'", orderBy: ['version_number ASC'] });
      expect(stored.items.map((v) => [v.version, v.status])).toEqual(versions.map((v) => [v, 'READY']));
    }, 300_000);

    it(`${PROCESSES} processes x 4 creating the same model: one wins, 15 get ALREADY_EXISTS`, async (ctx) => {
      if (skip || !t) return ctx.skip();
      const outs = await Promise.all(Array.from({ length: PROCESSES }, () => spawn('create', 'same-name', '-', '4')));
      const results = outs.flatMap((o) => (JSON.parse(o.stdout.trim()) as { results: string[] }).results);
      expect(results.filter((r) => r === 'created')).toHaveLength(1);
      expect(results.filter((r) => r === 'ALREADY_EXISTS')).toHaveLength(15);
    }, 300_000);
  });
}
