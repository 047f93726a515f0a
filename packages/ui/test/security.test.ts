// Script payloads in every place a user can put text (experiment and run names, params, tags,
// metric keys, artifact names and contents) must show as text in the real browser, never run.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeTestPlatform, type TestPlatform } from '@cairn/core/testing';
import type { launchBrowser, watchPage } from './harness.js';
import { SCREENSHOTS, describeBrowser, openUiSession } from './harness.js';

// Each payload bumps window.__xss if it ever runs.
const P = {
  img: '<img src=x onerror="window.__xss=(window.__xss||0)+1">',
  script: '<script>window.__xss=(window.__xss||0)+1</script>',
  svg: '<svg onload="window.__xss=(window.__xss||0)+1"></svg>',
};

describeBrowser('web UI against script payloads', () => {
  let t: TestPlatform;
  let app: FastifyInstance;
  let url: string;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  let watch: ReturnType<typeof watchPage>;
  let runIds: string[];
  let experimentId: string;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    t = await makeTestPlatform('sqlite');
    const { experiments, runs } = t.platform;
    const exp = await experiments.create({ name: `exp ${P.img}` });
    experimentId = exp.experimentId;
    runIds = [];
    for (const [i, payload] of [P.img, P.script, P.svg].entries()) {
      const run = await runs.create({ experimentId, runName: `run ${payload}`, params: { [`param ${P.img}`]: payload, lr: String(i) }, tags: { [`tag ${P.script}`]: payload } });
      await runs.logBatch(run.info.runId, { metrics: [0, 1, 2].map((step) => ({ key: `metric ${P.img}`, value: step + i, timestamp: 1_000 + step, step })) });
      await runs.logArtifact(run.info.runId, `${P.img.replaceAll('/', '')}.txt`, payload);
      await runs.logArtifact(run.info.runId, 'page.html', `<html><body>${P.script}${P.img}</body></html>`);
      await runs.logArtifact(run.info.runId, 'drawing.svg', `<svg xmlns="http://www.w3.org/2000/svg" onload="window.__xss=1"><script>window.__xss=1</script></svg>`);
      await runs.logArtifact(run.info.runId, 'notes.md', `# Notes\n\n${P.img}\n\n${P.script}\n\n[click](javascript:window.__xss=1)\n\n![x](javascript:window.__xss=1)\n`);
      runIds.push(run.info.runId);
    }
    ({ app, url, browser, page, watch } = await openUiSession(t.platform));
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await t?.cleanup();
  });

  const ranNothing = async () => {
    expect(await page.evaluate(() => (globalThis as { __xss?: number }).__xss)).toBeUndefined();
    expect(watch.dialogs).toEqual([]);
  };

  it('serves the page with a CSP that forbids inline script', async () => {
    const res = await page.goto(url);
    const csp = res?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res?.headers()['x-content-type-options']).toBe('nosniff');
  });

  it('shows names as text on the experiments and runs pages', async () => {
    await page.goto(`${url}/experiments`);
    await expect.poll(() => page.getByRole('link', { name: `exp ${P.img}` }).count()).toBe(1);
    const cols = [`metrics.metric ${P.img}`, `params.param ${P.img}`, `tags.tag ${P.script}`].map((c) => `col=${encodeURIComponent(c)}`).join('&');
    await page.goto(`${url}/runs?exp=${experimentId}&${cols}`);
    await expect.poll(() => page.locator('.rt-body [role="row"]').count()).toBe(3);
    expect(await page.locator('.rt-body').textContent()).toContain(`run ${P.img}`);
    expect(await page.locator('.rt-head').textContent()).toContain(`metric ${P.img}`);
    await page.getByLabel('Filter runs').fill('metric');
    await expect.poll(() => page.getByRole('option').count()).toBeGreaterThan(0);
    await ranNothing();
  });

  it('shows them as text on the run page, its charts and artifact previews (HTML, SVG, Markdown)', async () => {
    await page.goto(`${url}/runs/${runIds[0]}`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toContain(`run ${P.img}`);
    await page.goto(`${url}/runs/${runIds[0]}?tab=charts`);
    await expect.poll(async () => Number(await page.getByRole('figure').first().getAttribute('data-points'))).toBeGreaterThan(0);
    for (const file of ['page.html', 'drawing.svg', 'notes.md', `${P.img.replaceAll('/', '')}.txt`]) {
      await page.goto(`${url}/runs/${runIds[0]}?tab=artifacts&file=${encodeURIComponent(file)}`);
      await expect.poll(() => page.locator('.preview').count(), { message: file }).toBe(1);
    }
    await page.goto(`${url}/runs/${runIds[0]}?tab=artifacts&file=notes.md`);
    await expect.poll(() => page.locator('.markdown').count()).toBe(1);
    expect(await page.locator('.markdown img').count()).toBe(0);
    expect(await page.locator('.markdown a[href^="javascript"]').count()).toBe(0);
    await page.screenshot({ path: join(SCREENSHOTS, 'xss-markdown.png') });
    await ranNothing();
  });

  it('shows them as text on the compare page', async () => {
    await page.goto(`${url}/compare?${runIds.map((id) => `run=${id}`).join('&')}`);
    await expect.poll(() => page.locator('table.diff-table').textContent()).toContain(`param ${P.img}`);
    await page.getByLabel('Only what differs').uncheck();
    expect(await page.locator('table.diff-table').textContent()).toContain(P.script);
    await ranNothing();
    expect(watch.problems).toEqual([]);
  });
});
