// A pipeline run watched in the browser without reloading: the step turns from running to done in
// the DAG, and its log is followed live while it prints. A 10,000-step run is drawn by groups.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeTestPlatform, type TestPlatform } from '@cairn/core/testing';
import { chatty } from '../../core/src/pipelines/fixtures/log-pipelines.js';
import { seedPipelineRun } from '../../../bench/lib/pipeline-seed.js';
import type { launchBrowser, watchPage } from './harness.js';
import { describeBrowser, openUiSession } from './harness.js';

describeBrowser('web UI: a pipeline run live', () => {
  let t: TestPlatform;
  let app: FastifyInstance;
  let url: string;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  let watch: ReturnType<typeof watchPage>;
  let runId: string;
  let done: Promise<unknown>;

  beforeAll(async () => {
    t = await makeTestPlatform('sqlite');
    const handle = await t.platform.pipelines.start(chatty, { overrides: { dir: t.dir } });
    runId = handle.runId;
    done = handle.done;
    ({ app, url, browser, page, watch } = await openUiSession(t.platform));
  });
  afterAll(async () => {
    writeFileSync(join(t.dir, 'release'), '');
    await done?.catch(() => {});
    await browser?.close();
    await app?.close();
    await t?.cleanup();
  });

  it("follows a step's log while it prints, and shows it turn from running to done without a reload", async () => {
    await page.goto(`${url}/pipelines/runs/${runId}`);
    const node = page.locator('.graph-node[data-node-id="talk"]');
    await expect.poll(() => node.getAttribute('data-status'), { timeout: 30_000 }).toBe('RUNNING');
    await node.click();
    await page.getByRole('button', { name: 'Logs' }).click();
    const log = page.locator('.log-view');
    const lines = async () => Number(await log.getAttribute('data-lines'));
    await expect.poll(lines, { timeout: 30_000 }).toBeGreaterThan(3);
    const first = await lines();
    // More lines arrive while the page is open: it follows them.
    await expect.poll(lines, { timeout: 30_000 }).toBeGreaterThan(first + 3);
    expect(await log.getAttribute('data-done')).toBe('false');
    await expect.poll(() => log.locator('.log-line').last().textContent()).toMatch(/line \d+$/);
    await page.getByLabel('Search the log').fill('line 2');
    await expect.poll(() => log.locator('.log-line').first().textContent()).toContain('line 2');
    await page.getByLabel('Search the log').fill('');
    const url1 = page.url();
    writeFileSync(join(t.dir, 'release'), '');
    await expect.poll(() => node.getAttribute('data-status'), { timeout: 30_000 }).toBe('COMPLETED');
    await expect.poll(() => page.locator('[data-run-status]').getAttribute('data-run-status'), { timeout: 30_000 }).toBe('COMPLETED');
    await expect.poll(() => log.getAttribute('data-done'), { timeout: 30_000 }).toBe('true');
    await expect.poll(() => log.locator('.log-line').last().textContent()).toContain('done');
    expect(page.url()).toBe(url1);
    expect(watch.problems).toEqual([]);
  });

  it('draws a 10,000-step run as groups by depth, and lists every step', async () => {
    const huge = 'h'.repeat(32);
    await seedPipelineRun(t.platform.database.db, huge, 10_000, { width: 100 });
    await page.goto(`${url}/pipelines/runs/${huge}`);
    const graph = page.locator('figure[aria-label="DAG of bench-10000"]');
    await expect.poll(() => graph.getAttribute('data-ready'), { timeout: 60_000 }).toBe('true');
    expect(Number(await graph.getAttribute('data-nodes'))).toBe(100);
    expect(await page.locator('.graph-node.group').count()).toBeGreaterThan(0);
    // Only the rows in view exist in the page.
    expect(await page.locator('.step-row').count()).toBeLessThan(100);
    // A group of 100 steps opens in the graph.
    await page.locator('.graph-node.group').first().click();
    await expect.poll(() => graph.getAttribute('data-nodes'), { timeout: 60_000 }).toBe('199');
    await expect.poll(() => graph.getAttribute('data-ready'), { timeout: 60_000 }).toBe('true');
    await page.getByLabel('Filter steps').fill('s9999');
    await expect.poll(() => page.locator('.step-row').count()).toBe(1);
    expect(watch.problems).toEqual([]);
  });
});
