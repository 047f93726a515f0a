// Live updates without a reload: a RUNNING run's chart grows as points arrive, the runs table
// follows, and the run shows KILLED once its heartbeat lapses and the reaper ends it.
import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeTestPlatform, type TestPlatform } from '@cairn/core/testing';
import type { launchBrowser, watchPage } from './harness.js';
import { describeBrowser, openUiSession } from './harness.js';

describeBrowser('web UI live updates', () => {
  let t: TestPlatform;
  let app: FastifyInstance;
  let url: string;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  let watch: ReturnType<typeof watchPage>;
  let runId: string;
  let experimentId: string;

  const log = (from: number, to: number) =>
    t.platform.runs.logBatch(runId, { metrics: Array.from({ length: to - from }, (_, i) => ({ key: 'loss', value: 1 / (from + i + 1), timestamp: Date.now(), step: from + i })) });

  beforeAll(async () => {
    t = await makeTestPlatform('sqlite');
    experimentId = (await t.platform.experiments.create({ name: 'live' })).experimentId;
    runId = (await t.platform.runs.create({ experimentId, runName: 'training', heartbeat: true })).info.runId;
    await log(0, 10);
    ({ app, url, browser, page, watch } = await openUiSession(t.platform));
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await t?.cleanup();
  });

  it('grows the chart of a RUNNING run as points arrive', async () => {
    await page.goto(`${url}/runs/${runId}?tab=charts&key=loss`);
    const chart = page.getByRole('figure', { name: 'Chart of loss' });
    await expect.poll(async () => Number(await chart.getAttribute('data-points'))).toBe(10);
    await log(10, 25);
    await expect.poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 30_000 }).toBe(25);
  });

  it('shows KILLED on the run page and in the runs table once the heartbeat lapses', async () => {
    await page.goto(`${url}/runs?exp=${experimentId}`);
    const status = page.locator('.rt-body .status');
    await expect.poll(() => status.textContent()).toContain('RUNNING');
    // The server's reaper does this on its timer; here it runs once, after the heartbeat lapsed.
    await new Promise((r) => setTimeout(r, 1100));
    expect(await t.platform.runs.killStaleRuns(1)).toEqual([runId]);
    await expect.poll(() => status.textContent(), { timeout: 30_000 }).toBe('KILLED');
    await page.goto(`${url}/runs/${runId}`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toContain('KILLED');
    expect(await page.getByText(/no heartbeat for more than 1 s/).count()).toBeGreaterThan(0);
    expect(watch.problems).toEqual([]);
  });
});
