// Issue 17's browser journey on the churn example, with auth on: from churn@champion click through
// the lineage to the training run, the training set, its feature views and the raw data file;
// promote as an editor through a gate that fails, then one that passes, and see the alias history
// grow; a reader finds no control to promote; an admin overrides with a reason. Writes the
// screenshots docs/ui.md shows for models, features, pipelines and lineage.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig, openPlatform, type Platform } from '@cairn/core';
import { CAIRN_BIN } from '../../cli/src/testing/cli-process.js';
import { commandEnv, copyExample } from '../../cli/test/example-project.js';
import type { launchBrowser, watchPage } from './harness.js';
import { SCREENSHOTS, describeBrowser, openUiSession } from './harness.js';

function runStart(dir: string): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CAIRN_BIN, 'start', '--no-serve'], { cwd: dir, env: commandEnv(dir) });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.on('exit', (code) => (code === 0 ? done() : fail(new Error(`cairn start --no-serve exited ${code}:\n${out}`))));
  });
}

/** A candidate version of churn registered from a run with these metrics, with the champion's signature. */
async function candidate(platform: Platform, metrics: Record<string, number>): Promise<number> {
  const champion = await platform.registry.aliases.get('churn', 'champion');
  const exp = await platform.experiments.findByName('candidates') ?? await platform.experiments.create({ name: 'candidates' });
  const run = await platform.runs.create({ experimentId: exp.experimentId, runName: `candidate auc ${metrics.auc}` });
  await platform.runs.logBatch(run.info.runId, { metrics: Object.entries(metrics).map(([key, value]) => ({ key, value, timestamp: Date.now(), step: 0 })) });
  await platform.runs.update(run.info.runId, { status: 'FINISHED' });
  const pending = await platform.registry.versions.create({ name: 'churn', source: null, runId: run.info.runId, signature: champion.signature, format: 'cairn-json', description: `candidate with auc ${metrics.auc}` });
  await platform.registry.versions.uploadFile('churn', pending.version, 'model.json', Buffer.from(`{"auc":${metrics.auc}}\n`));
  return (await platform.registry.versions.finalize('churn', pending.version)).version;
}

describeBrowser('web UI part 2 journey on the churn example', () => {
  let project: ReturnType<typeof copyExample>;
  let platform: Platform;
  let app: FastifyInstance;
  let url: string;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  let watch: ReturnType<typeof watchPage>;
  const tokens = { reader: '', editor: '', admin: '' };
  let champion = 0;
  let bad = 0;
  let good = 0;
  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
  const signIn = async (token: string) => {
    await page.goto(url);
    // Wait for the page to settle on one of the two (signed in already, or asking for a token).
    const signOut = page.getByRole('button', { name: 'Sign out' });
    const field = page.getByLabel('API token');
    await signOut.or(field).first().waitFor();
    if (await signOut.count()) await signOut.click();
    await field.fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Cairn', exact: true }).count()).toBe(1);
  };
  const graphReady = (label: string) => expect.poll(() => page.locator(`figure[aria-label="${label}"]`).getAttribute('data-ready'), { timeout: 30_000 }).toBe('true');

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    project = copyExample();
    await runStart(project.dir);
    platform = await openPlatform(loadConfig({ cwd: project.dir, env: {}, overrides: { auth: 'enabled' } }));
    for (const role of ['reader', 'editor', 'admin'] as const) tokens[role] = (await platform.tokens.create({ name: `ui-${role}`, role })).secret;
    champion = (await platform.registry.aliases.get('churn', 'champion')).version;
    bad = await candidate(platform, { auc: 0.61, accuracy: 0.8, baseline_accuracy: 0.81 });
    good = await candidate(platform, { auc: 0.99, accuracy: 0.95, baseline_accuracy: 0.81 });
    ({ app, url, browser, page, watch } = await openUiSession(platform));
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await platform?.close();
    project?.cleanup();
  });

  it('shows at a glance: recent runs, the champion and its last promotion, failing runs, stale views', async () => {
    await signIn(tokens.editor);
    const models = page.getByRole('region', { name: 'Models' });
    await expect.poll(() => models.getByRole('link', { name: `@champion → v${champion}` }).count()).toBe(1);
    await expect.poll(() => page.getByRole('region', { name: 'Recent runs' }).locator('tbody tr').count()).toBeGreaterThan(0);
    // The example's history ends on 2025-01-01: views with a TTL of days are stale now.
    await expect.poll(() => page.getByRole('region', { name: 'Stale feature views' }).getByRole('link', { name: 'customer_activity' }).count()).toBe(1);
    await shot('home');
  });

  it('follows churn@champion to its training run, training set, feature views and raw data file', async () => {
    await page.goto(`${url}/models?q=champion`);
    await page.getByRole('link', { name: 'churn', exact: true }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('churn');
    await expect.poll(() => page.getByRole('table', { name: 'Versions' }).locator('.vt-body [role="row"]').count()).toBeGreaterThan(1);
    await shot('model');
    await page.getByRole('link', { name: `@champion → v${champion}` }).first().click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toContain(`churn version ${champion}`);
    await shot('version');
    // The training run.
    await page.getByRole('link', { name: /^[0-9a-f]{32}$/ }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Overview' }).count()).toBe(1);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('churn-train');
    await page.goBack();
    // The lineage graph of the alias: the path down to the raw files is highlighted.
    await page.goto(`${url}/models/churn`);
    await page.getByRole('link', { name: 'lineage', exact: true }).first().click();
    await graphReady('Lineage graph');
    const highlighted = page.locator('.graph-node.highlighted[data-node-id^="data:file:data/"]');
    await expect.poll(() => highlighted.count()).toBe(3);
    await shot('lineage');
    await page.locator('.graph-node[data-node-id^="trainingSet:"]').click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toContain('training set');
    await shot('training-set');
    await page.getByRole('link', { name: 'customer_activity' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toContain('customer_activity');
    await shot('feature-view');
    await page.getByRole('tab', { name: 'Statistics and expectations' }).click();
    await expect.poll(() => page.getByRole('img', { name: 'Histogram of logins_7d' }).count()).toBe(1);
    expect(await page.locator('table.expectations [data-status="passed"]').count()).toBeGreaterThan(0);
    await shot('feature-stats');
    await page.getByRole('tab', { name: 'Overview' }).click();
    await page.getByRole('link', { name: 'activity', exact: true }).click();
    await page.getByRole('link', { name: 'data/activity.parquet' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toContain('data/activity.parquet');
  });

  it('promotes as an editor: a gate that fails, then one that passes, and the alias history grows', async () => {
    const history = async () => {
      await page.goto(`${url}/models/churn?tab=aliases`);
      await expect.poll(() => page.getByRole('list', { name: 'Alias history' }).locator('li').count()).toBeGreaterThan(0);
      return page.getByRole('list', { name: 'Alias history' }).locator('li').count();
    };
    const beforePromotion = Date.now() - 1000;
    const before = await history();
    await page.goto(`${url}/models/churn/versions/${bad}`);
    await page.getByRole('button', { name: 'Promote to @champion' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('@champion did not move.');
    expect(await page.locator('.gate-result').getAttribute('data-passed')).toBe('false');
    // Each condition with the candidate's and the champion's value.
    const auc = page.locator('.gate-table tr', { hasText: 'metrics.auc > champion.metrics.auc' });
    expect(await auc.textContent()).toContain('0.61');
    expect(await auc.textContent()).toContain('failed');
    await shot('promote-failed');
    await page.goto(`${url}/models/churn/versions/${good}`);
    await page.getByRole('button', { name: 'Promote to @champion' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe(`@champion now points to version ${good}.`);
    expect(await page.locator('.gate-result').getAttribute('data-passed')).toBe('true');
    await shot('promote-passed');
    expect(await history()).toBe(before + 3);
    const items = page.getByRole('list', { name: 'Alias history' }).locator('li');
    expect(await items.nth(0).getAttribute('data-action')).toBe('alias.moved');
    expect(await items.nth(1).getAttribute('data-action')).toBe('promotion.passed');
    expect(await items.nth(2).getAttribute('data-action')).toBe('promotion.failed');
    // Time travel: before the promotion, @champion was the old champion.
    const when = new Date(beforePromotion);
    const local = new Date(when.getTime() - when.getTimezoneOffset() * 60_000).toISOString().slice(0, 19);
    await page.getByLabel('Date and time').fill(local);
    await expect.poll(() => page.locator('.travel-answer').textContent()).toContain(`version ${champion}`);
    await shot('alias-history');
  });

  it('compares two versions: metrics, params and signature', async () => {
    await page.goto(`${url}/models/churn/compare?a=${champion}&b=${good}`);
    await expect.poll(() => page.locator('table.diff-table tr.differs').count()).toBeGreaterThan(0);
    expect(await page.locator('table.signature-diff tbody tr').count()).toBeGreaterThan(0);
    await shot('compare-versions');
  });

  it('gives a reader no control to promote', async () => {
    await signIn(tokens.reader);
    await page.goto(`${url}/models/churn/versions/${bad}`);
    await expect.poll(() => page.getByRole('heading', { name: 'Promote' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: /^Promote to/ }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^Override/ }).count()).toBe(0);
    const train = (await platform.pipelines.queries.listRuns({ pipelineName: 'churn-train', maxResults: 1 }))[0]!;
    await page.goto(`${url}/pipelines/runs/${train.runId}`);
    await graphReady('DAG of churn-train');
    expect(await page.getByRole('button', { name: /Cancel run|Resume/ }).count()).toBe(0);
  });

  it('lets an admin override a protected alias, with the reason on the history', async () => {
    await signIn(tokens.admin);
    await page.goto(`${url}/models/churn/versions/${champion}`);
    await page.getByLabel('Override reason').fill('roll back: the new model fails on live traffic');
    await page.getByRole('button', { name: 'Override @champion' }).click();
    await expect.poll(async () => (await platform.registry.aliases.get('churn', 'champion')).version).toBe(champion);
    await page.goto(`${url}/models/churn?tab=aliases`);
    await expect.poll(() => page.getByRole('list', { name: 'Alias history' }).locator('li').first().textContent()).toContain('roll back: the new model fails on live traffic');
  });

  it('shows features with freshness and answers an online lookup', async () => {
    await page.goto(`${url}/features`);
    await expect.poll(() => page.locator('table.views-table tbody tr').count()).toBeGreaterThan(2);
    await shot('features');
    await page.getByRole('tab', { name: 'Online lookup' }).click();
    await page.getByLabel('customer_id').fill('10019');
    await page.getByLabel('As of').fill('2025-01-01T00:00:00');
    await page.getByRole('button', { name: 'Look up' }).click();
    // The first lookup loads the on-demand view's code on the server.
    await expect.poll(() => page.locator('table.lookup-result, .online-lookup [role="alert"]').count(), { timeout: 60_000 }).toBe(1);
    await expect.poll(() => page.locator('table.lookup-result tbody tr[data-status="PRESENT"]').count()).toBeGreaterThan(3);
    await shot('online-lookup');
  });

  it("shows a pipeline run's DAG, a step's detail and its logs", async () => {
    await page.goto(`${url}/pipelines`);
    await expect.poll(() => page.locator('table.pipeline-runs tbody tr').count()).toBeGreaterThan(0);
    await shot('pipelines');
    const train = (await platform.pipelines.queries.listRuns({ pipelineName: 'churn-train', maxResults: 1 }))[0]!;
    await page.goto(`${url}/pipelines/runs/${train.runId}`);
    await graphReady('DAG of churn-train');
    expect(await page.locator('.graph-node').count()).toBe(4);
    await page.locator('.graph-node[data-node-id="train"]').click();
    await page.getByRole('button', { name: 'Logs' }).click();
    await expect.poll(async () => Number(await page.locator('.log-view').getAttribute('data-lines'))).toBeGreaterThan(0);
    await shot('pipeline-run');
    expect(watch.problems).toEqual([]);
    expect(watch.dialogs).toEqual([]);
  });
});
