// Script payloads wherever issue 17's pages show text a user gave: model and version descriptions
// and tags, an override reason, feature definitions' descriptions, tags and owners, pipeline step
// log lines, run names and params. They must show as text in Chromium and never run. (Model, step,
// feature and alias names are validated to plain characters, so no payload can be one.)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { param, pipeline, step } from '@cairn/core';
import { makeTestPlatform, type TestPlatform } from '@cairn/core/testing';
import { DEFINE, writeFeatureProject } from '../../core/src/features/testing/feature-project.js';
import type { launchBrowser, watchPage } from './harness.js';
import { describeBrowser, openUiSession } from './harness.js';

const P = {
  img: '<img src=x onerror="window.__xss=(window.__xss||0)+1">',
  script: '<script>window.__xss=(window.__xss||0)+1</script>',
  svg: '<svg onload="window.__xss=(window.__xss||0)+1"></svg>',
};

const shout = step({ name: 'shout' }, async ({ text }: { text: string }) => {
  console.log(text);
  console.error(`stderr ${text}`);
  return { said: text };
});
const loud = pipeline({ name: 'loud', params: { text: param.string() } }, (p) => {
  shout({ text: p.text });
});

describeBrowser('web UI pages against script payloads', () => {
  let t: TestPlatform;
  let app: FastifyInstance;
  let url: string;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  let watch: ReturnType<typeof watchPage>;
  let pipelineRunId: string;

  beforeAll(async () => {
    t = await makeTestPlatform('sqlite');
    const p = t.platform;
    await writeFeatureProject(t.dir);
    mkdirSync(join(t.dir, 'features'), { recursive: true });
    writeFileSync(join(t.dir, 'features', 'drivers.ts'), `import { entity, fileSource, featureView, featureService } from ${JSON.stringify(DEFINE)};
export const driver = entity({ name: 'driver', joinKeys: { driver_id: 'int64' }, description: ${JSON.stringify(P.img)} });
export const trips = fileSource({ name: 'trips', path: 'data/trips.parquet', timestampField: 'event_timestamp', description: ${JSON.stringify(P.script)} });
export const stats = featureView({ name: 'driver_stats', entities: [driver], source: trips, ttl: '2h', owner: ${JSON.stringify(P.svg)}, tags: { team: ${JSON.stringify(P.img)} },
  description: ${JSON.stringify(P.script)}, schema: { conv_rate: 'float64', trips: 'int64' } });
export const ranking = featureService({ name: 'ranking', features: [stats], description: ${JSON.stringify(P.img)} });
`);
    await p.features.apply();
    const exp = await p.experiments.create({ name: 'xss' });
    const run = await p.runs.create({ experimentId: exp.experimentId, runName: `run ${P.img}`, params: { note: P.script } });
    await p.runs.logBatch(run.info.runId, { metrics: [{ key: 'auc', value: 0.9, timestamp: 1, step: 0 }] });
    await p.registry.createModel({ name: 'xss-model', description: `model ${P.img}`, tags: { owner: P.script } });
    const pending = await p.registry.versions.create({ name: 'xss-model', source: null, runId: run.info.runId, description: `version ${P.svg}`, tags: { note: P.img }, format: 'cairn-json' });
    await p.registry.versions.uploadFile('xss-model', pending.version, 'notes.html', Buffer.from(`<html>${P.script}${P.img}</html>`));
    await p.registry.versions.finalize('xss-model', pending.version);
    await p.registry.gates.promote('xss-model', 1, 'champion', { reason: `because ${P.img}` });
    pipelineRunId = (await p.pipelines.run(loud, { overrides: { text: `${P.img} ${P.script} ${P.svg}` } })).run.runId;
    ({ app, url, browser, page, watch } = await openUiSession(t.platform));
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await t?.cleanup();
  });

  const ranNothing = async () => {
    expect(await page.evaluate(() => (globalThis as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator('main img[src="x"], main script, main svg[onload]').count()).toBe(0);
    expect(watch.dialogs).toEqual([]);
  };
  const shows = async (text: string) => expect.poll(() => page.locator('main').textContent(), { timeout: 20_000 }).toContain(text);

  it('shows model and version text as text: descriptions, tags, reasons, file previews', async () => {
    await page.goto(`${url}/models/xss-model`);
    await shows(`model ${P.img}`);
    await shows(`owner=${P.script}`);
    await page.goto(`${url}/models/xss-model?tab=aliases`);
    await shows(`because ${P.img}`);
    await page.goto(`${url}/models/xss-model/versions/1`);
    await shows(`version ${P.svg}`);
    await shows(P.script); // the source run's param
    await page.goto(`${url}/models/xss-model/versions/1?tab=files&file=notes.html`);
    await shows(`<html>${P.script}${P.img}</html>`);
    await page.goto(`${url}/models?q=xss`);
    await shows(`model ${P.img}`);
    await page.goto(url);
    await shows(`run ${P.img}`);
    await ranNothing();
  });

  it('shows feature definitions and the lineage graph as text', async () => {
    await page.goto(`${url}/features?tab=services`);
    await shows(P.img);
    await page.goto(`${url}/features/views/driver_stats`);
    await shows(P.script);
    await shows(P.svg);
    await shows(P.img);
    await page.goto(`${url}/features/entities/driver`);
    await shows(P.img);
    await page.goto(`${url}/features/sources/trips`);
    await shows(P.script);
    await page.goto(`${url}/lineage?kind=alias&key=xss-model%40champion`);
    await expect.poll(() => page.locator('figure[aria-label="Lineage graph"]').getAttribute('data-ready'), { timeout: 30_000 }).toBe('true');
    await shows(`run ${P.img}`);
    await ranNothing();
  });

  it("shows a step's log lines as text", async () => {
    await page.goto(`${url}/pipelines/runs/${pipelineRunId}?step=shout&logs=1`);
    await expect.poll(() => page.locator('.log-view').getAttribute('data-done'), { timeout: 30_000 }).toBe('true');
    await shows(`${P.img} ${P.script} ${P.svg}`);
    await shows(`stderr ${P.img}`);
    await ranNothing();
    expect(watch.problems).toEqual([]);
  });
});
