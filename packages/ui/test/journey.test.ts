// The browser journey on the churn example, in headless Chromium against a real server:
// experiments → runs → filter → sort → run page (chart with points, artifact preview) → select
// three runs → compare (charts and diff table). Writes the screenshots docs/ui.md shows.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig, openPlatform, type Platform } from '@cairn/core';
import { CAIRN_BIN } from '../../cli/src/testing/cli-process.js';
import { commandEnv, copyExample } from '../../cli/test/example-project.js';
import { SCREENSHOTS, describeBrowser, launchBrowser, serveUi, watchPage } from './harness.js';

function runStart(dir: string): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CAIRN_BIN, 'start', '--no-serve'], { cwd: dir, env: commandEnv(dir) });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.on('exit', (code) => (code === 0 ? done(out) : fail(new Error(`cairn start --no-serve exited ${code}:\n${out}`))));
  });
}

describeBrowser('web UI journey on the churn example', () => {
  let project: ReturnType<typeof copyExample>;
  let platform: Platform;
  let app: FastifyInstance;
  let url: string;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let context: BrowserContext;
  let page: Page;
  let watch: ReturnType<typeof watchPage>;
  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    project = copyExample();
    await runStart(project.dir);
    platform = await openPlatform(loadConfig({ cwd: project.dir, env: {} }));
    ({ app, url } = await serveUi(platform));
    browser = await launchBrowser();
    context = browser.context;
    page = context.pages()[0] ?? (await context.newPage());
    watch = watchPage(page);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await platform?.close();
    project?.cleanup();
  });

  it('lists the example\'s experiments with their run counts', async () => {
    await page.goto(`${url}/experiments`);
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'pipelines/churn-train' }) });
    await expect.poll(() => row.getByRole('cell').nth(2).textContent()).toBe('5');
    await shot('experiments');
  });

  it('opens the experiment, filters with the search language and sorts by a metric', async () => {
    await page.getByRole('link', { name: 'pipelines/churn-train' }).click();
    const rows = page.locator('.rt-body [role="row"]');
    await expect.poll(() => rows.count()).toBe(5);
    await page.getByLabel('Filter runs').fill('metrics.auc > 0.7');
    await page.getByLabel('Filter runs').press('Enter');
    await expect.poll(() => new URL(page.url()).searchParams.get('filter')).toBe('metrics.auc > 0.7');
    await expect.poll(() => rows.count()).toBe(2);
    await page.locator('.rt-head').getByRole('button', { name: 'auc' }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get('sort')).toBe('metrics.auc DESC');
    await expect.poll(() => page.locator('.rt-head [aria-sort="descending"]').count()).toBe(1);
    await shot('runs');
    // A reload shows the same view: it all lives in the URL.
    await page.reload();
    await expect.poll(() => rows.count()).toBe(2);
    expect(await page.getByLabel('Filter runs').inputValue()).toBe('metrics.auc > 0.7');
  });

  it('shows a filter syntax error at its position, with name suggestions while typing', async () => {
    const box = page.getByLabel('Filter runs');
    await box.fill('metrics.au');
    await expect.poll(() => page.getByRole('option').allTextContents()).toContain('metrics.auc');
    await box.fill('metrics.auc >> 0.7');
    await box.press('Escape');
    await box.press('Enter');
    const error = page.locator('#filter-error');
    await expect.poll(() => error.textContent()).toMatch(/position 14/);
    expect(await error.locator('mark').textContent()).toBe('>');
    await shot('filter-error');
    await box.fill('metrics.auc > 0.7');
    await box.press('Enter');
    await expect.poll(() => page.locator('.rt-body [role="row"]').count()).toBe(2);
  });

  it('opens a run: overview, a chart with points, and artifact previews', async () => {
    await page.locator('.rt-body').getByRole('link', { name: 'train', exact: true }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Overview' }).count()).toBe(1);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('train');
    await shot('run');
    await page.getByRole('tab', { name: 'Charts' }).click();
    const chart = page.getByRole('figure', { name: 'Chart of auc' });
    await expect.poll(async () => Number(await chart.getAttribute('data-points'))).toBeGreaterThan(0);
    expect(await chart.locator('canvas').count()).toBeGreaterThan(0);
    await shot('run-charts');
    await page.getByRole('tab', { name: 'Artifacts' }).click();
    await page.getByRole('button', { name: 'evaluation/' }).click();
    await page.getByRole('button', { name: 'evaluation.json' }).click();
    await expect.poll(() => page.locator('.preview[data-kind="text"] pre').count()).toBe(1);
    await page.getByRole('button', { name: 'evaluation.md' }).click();
    await expect.poll(() => page.locator('.markdown').count()).toBe(1);
    await shot('artifacts');
  });

  it('selects three runs and compares them: charts and a diff table', async () => {
    await page.goBack();
    await page.goto(`${url}/runs?exp=1`);
    const boxes = page.locator('.rt-body [role="row"] input[type="checkbox"]');
    await expect.poll(() => boxes.count()).toBe(5);
    // Three quick clicks, each before the URL has caught up with the last: none is lost.
    await boxes.evaluateAll((inputs: Array<{ click(): void }>) => {
      for (const input of inputs.slice(0, 3)) input.click();
    });
    await expect.poll(() => new URL(page.url()).searchParams.getAll('sel').length).toBe(3);
    for (const i of [0, 1, 2]) expect(await boxes.nth(i).isChecked()).toBe(true);
    await page.getByRole('button', { name: /^Compare/ }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Comparing 3 runs' }).count()).toBe(1);
    await expect.poll(() => page.locator('table.diff-table tbody tr').count()).toBeGreaterThan(0);
    await expect.poll(() => page.locator('figure.chart').count()).toBeGreaterThan(0);
    await expect.poll(async () => Number(await page.locator('figure.chart').first().getAttribute('data-points'))).toBeGreaterThan(0);
    await shot('compare');
    expect(watch.problems).toEqual([]);
    expect(watch.dialogs).toEqual([]);
  });
});
