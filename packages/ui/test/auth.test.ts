// With auth on: sign in with a token (kept out of URLs), readers see no write controls, a bad
// token is told so, and errors come with a way forward.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeTestPlatform, type TestPlatform } from '@cairn/core/testing';
import type { launchBrowser, watchPage } from './harness.js';
import { SCREENSHOTS, describeBrowser, openUiSession } from './harness.js';

describeBrowser('web UI with auth on', () => {
  let t: TestPlatform;
  let app: FastifyInstance;
  let url: string;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  let watch: ReturnType<typeof watchPage>;
  let reader: string;
  let editor: string;
  let runId: string;
  let experimentId: string;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    t = await makeTestPlatform('sqlite', { auth: 'enabled' });
    reader = (await t.platform.tokens.create({ name: 'viewer', role: 'reader' })).secret;
    editor = (await t.platform.tokens.create({ name: 'writer', role: 'editor' })).secret;
    const exp = await t.platform.experiments.create({ name: 'churn' });
    experimentId = exp.experimentId;
    const run = await t.platform.runs.create({ experimentId, runName: 'baseline', tags: { team: 'risk' } });
    runId = run.info.runId;
    await t.platform.runs.logBatch(runId, { metrics: [{ key: 'auc', value: 0.9, timestamp: 1, step: 0 }] });
    ({ app, url, browser, page, watch } = await openUiSession(t.platform));
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await t?.cleanup();
  });

  const signIn = async (token: string) => {
    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };

  it('asks for a token, and says so when it is refused', async () => {
    await page.goto(url);
    await expect.poll(() => page.getByRole('heading', { name: 'Sign in to Cairn' }).count()).toBe(1);
    await page.screenshot({ path: join(SCREENSHOTS, 'sign-in.png') });
    await signIn('not-a-token');
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/invalid, expired or revoked/);
  });

  it('lets a reader read everything and shows no write controls', async () => {
    await signIn(reader);
    await expect.poll(() => page.getByRole('heading', { name: 'Cairn' }).count()).toBe(1);
    await page.goto(`${url}/experiments`);
    await expect.poll(() => page.getByRole('link', { name: 'churn' }).count()).toBe(1);
    expect(page.url()).not.toContain(reader);
    expect(await page.getByText('viewer · reader').count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Create experiment' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Rename' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Delete' }).count()).toBe(0);
    await page.goto(`${url}/runs/${runId}`);
    await expect.poll(() => page.getByRole('heading', { name: /Tags/ }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Set tag' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Edit' }).count()).toBe(0);
    // The token survives a reload of this tab (sessionStorage), and is in no URL.
    await page.reload();
    await expect.poll(() => page.getByRole('heading', { name: 'Overview' }).count()).toBe(1);
    expect(page.url()).not.toContain(reader);
  });

  it('shows a missing run as a clear message with a retry, not a blank page', async () => {
    await page.goto(`${url}/runs/doesnotexist`);
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/Not found.*does not exist/s);
    expect(await page.getByRole('button', { name: 'Retry' }).count()).toBe(1);
  });

  it('shows the server being down as a clear message with a retry', async () => {
    await page.goto(`${url}/runs?exp=${experimentId}`);
    await expect.poll(() => page.locator('.rt-body [role="row"]').count()).toBe(1);
    await page.route('**/api/v1/runs/search', (route) => route.abort('connectionrefused'));
    await page.getByLabel('Filter runs').fill("params.x = 'y'");
    await page.getByLabel('Filter runs').press('Enter');
    await expect.poll(() => page.getByRole('alert').first().textContent(), { timeout: 30_000 }).toMatch(/Cannot reach the server/);
    await page.unroute('**/api/v1/runs/search');
    await page.getByRole('button', { name: 'Retry' }).first().click();
    await expect.poll(() => page.getByRole('heading', { name: 'No run matches this filter' }).count()).toBe(1);
  });

  it('gives an editor the write controls, after signing out and in again', async () => {
    await page.goto(`${url}/experiments`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(editor);
    await expect.poll(() => page.getByRole('button', { name: 'Create experiment' }).count()).toBe(1);
    await page.goto(`${url}/runs/${runId}`);
    await page.getByLabel('Tag key').fill('reviewed');
    await page.getByLabel('Tag value').fill('yes');
    await page.getByRole('button', { name: 'Set tag' }).click();
    await expect.poll(async () => (await t.platform.runs.get(runId)).data.tags.reviewed).toBe('yes');
    expect(watch.problems.filter((p) => !p.includes('ERR_CONNECTION_REFUSED'))).toEqual([]);
  });
});
