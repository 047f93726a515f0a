// Issue #17's web UI targets, measured in headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core) against a real server on loopback with a SQLite store:
//   a model with 1,000 versions: navigation to the versions table showing rows;
//   a 500-step pipeline run: navigation to the DAG laid out (dagre, in a Web Worker) and drawn;
//   a 10,000-step run page: longest frame from navigation to the grouped DAG drawn and the step list scrolled;
//   step logs arriving at 10,000 lines/s: longest frame while following them;
//   a lineage graph of 200 nodes: lineage request start to the graph drawn.
// CAIRN_BENCH_UI_SCALE=0.05 (say) smoke-runs everything at a small scale.
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import type { Platform } from '../packages/core/src/platform.js';
import { launchBrowser, serveUi, CHROMIUM } from '../packages/ui/test/harness.js';
import { appendLogLines, keepAlive, seedPipelineRun } from './lib/pipeline-seed.js';
import { benchPlatform } from './lib/platforms.js';
import type { BenchResult } from './lib/report.js';

// The functions given to page.evaluate run in the browser; this Node-typed file names the browser globals loosely.
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any;
declare const window: any;
declare function requestAnimationFrame(callback: (time: number) => void): number;
declare const PopStateEvent: any;

const SCALE = Number(process.env.CAIRN_BENCH_UI_SCALE ?? 1);
const VERSIONS = Math.max(10, Math.round(1000 * SCALE));
const DAG_STEPS = Math.max(10, Math.round(500 * SCALE));
const HUGE_STEPS = Math.max(700, Math.round(10_000 * SCALE));
const LINES_PER_SECOND = Math.max(500, Math.round(10_000 * SCALE));
const LINEAGE_NODES = Math.max(20, Math.round(200 * SCALE));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const runIdOf = (name: string) => `b${name.replace(/[^a-z0-9]/g, '').padEnd(31, '0')}`.slice(0, 32);

/** What a page must show to count as ready: versions rows, or a laid-out graph with boxes. */
type Ready = 'versions' | 'graph';

/** Milliseconds from navigation start until the page shows `ready`, then a paint. */
async function timeTo(page: Page, url: string, ready: Ready): Promise<number> {
  await page.goto(url, { waitUntil: 'commit' });
  return page.waitForFunction((what) => {
    const w = window;
    const ok = what === 'versions'
      ? document.querySelectorAll('.vt-body [role="row"]').length > 5
      : document.querySelector('figure.graph')?.getAttribute('data-ready') === 'true' && document.querySelectorAll('.graph-node').length > 0;
    if (!w.__done && ok) requestAnimationFrame(() => requestAnimationFrame(() => (w.__done = performance.now())));
    return w.__done;
  }, ready, { polling: 'raf', timeout: 120_000 }).then((h) => h.jsonValue() as Promise<number>);
}

/** Starts recording the gap between animation frames; `longestFrame` reads (and resets) the longest. */
async function watchFrames(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window;
    w.__longest = 0;
    let last = performance.now();
    const tick = (now: number) => {
      w.__longest = Math.max(w.__longest, now - last);
      last = now;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}
const longestFrame = (page: Page) => page.evaluate(() => { const l = window.__longest; window.__longest = 0; return l as number; });

async function seedVersions(platform: Platform, model: string, n: number): Promise<void> {
  if ((await platform.registry.searchModels({ filter: `name = '${model}'` })).items.length) return;
  await platform.registry.createModel({ name: model, description: `${n} versions` });
  const exp = await platform.experiments.create({ name: `${model}-runs` });
  const run = await platform.runs.create({ experimentId: exp.experimentId });
  for (let i = 0; i < n; i++) await platform.registry.versions.create({ name: model, source: null, runId: run.info.runId, format: 'cairn-json', signature: { inputs: [{ name: 'x', type: 'double' }], outputs: [{ name: 'y', type: 'double' }] } });
}

export default {
  name: 'ui-pages',
  async run(): Promise<BenchResult[]> {
    if (!existsSync(CHROMIUM)) throw new Error(`The UI benchmark needs Chromium at ${CHROMIUM}: apt-get install -y chromium`);
    const { platform } = await benchPlatform('sqlite', `ui-pages-${SCALE}`, true);
    const db = platform.database.db;
    const results: BenchResult[] = [];
    const browser = await launchBrowser();
    const { app, url } = await serveUi(platform);
    try {
      const page = browser.context.pages()[0] ?? (await browser.context.newPage());
      // tsx compiles the functions passed to page.evaluate with esbuild's keepNames, which calls __name.
      await page.addInitScript('window.__name = (f) => f;');

      // A model with 1,000 versions.
      await seedVersions(platform, 'many', VERSIONS);
      const modelUrl = `${url}/models/many`;
      await timeTo(page, modelUrl, 'versions');
      const models: number[] = [];
      for (let i = 0; i < 5; i++) models.push(await timeTo(page, modelUrl, 'versions'));
      results.push({ id: 'ui.model-versions.sqlite', issue: '#17', title: `Model page with ${VERSIONS.toLocaleString('en')} versions: navigation to the versions table usable, p50 of 5`, backend: 'sqlite', figure: median(models), unit: 'ms', target: '<= 500', notes: `runs ${models.map((f) => f.toFixed(0)).join(', ')} ms; 200 versions a page, virtualized rows` });

      // A 500-step DAG.
      const dagRun = runIdOf(`dag${DAG_STEPS}`);
      await seedPipelineRun(db, dagRun, DAG_STEPS);
      const dagUrl = `${url}/pipelines/runs/${dagRun}`;
      await timeTo(page, dagUrl, 'graph');
      const dags: number[] = [];
      for (let i = 0; i < 5; i++) dags.push(await timeTo(page, dagUrl, 'graph'));
      results.push({ id: 'ui.dag-500.sqlite', issue: '#17', title: `Pipeline run of ${DAG_STEPS} steps: navigation to the DAG laid out (dagre in a worker) and drawn, p50 of 5`, backend: 'sqlite', figure: median(dags), unit: 'ms', target: '<= 1000', notes: `runs ${dags.map((f) => f.toFixed(0)).join(', ')} ms` });

      // A 10,000-step run page stays responsive.
      const hugeRun = runIdOf(`huge${HUGE_STEPS}`);
      await seedPipelineRun(db, hugeRun, HUGE_STEPS, { width: 100 });
      await page.goto(`${url}/`, { waitUntil: 'load' });
      await watchFrames(page);
      await longestFrame(page);
      await page.evaluate((u) => window.history.pushState({}, '', u), `/pipelines/runs/${hugeRun}`);
      await page.evaluate(() => window.dispatchEvent(new PopStateEvent('popstate')));
      await page.waitForFunction(() => document.querySelector('figure.graph')?.getAttribute('data-ready') === 'true', undefined, { timeout: 120_000 });
      await page.evaluate(async () => {
        const list = document.querySelector('.step-list');
        for (let i = 0; i < 40; i++) {
          list.scrollTop += 900;
          await new Promise((r) => requestAnimationFrame(r));
        }
      });
      const huge = await longestFrame(page);
      const groups = await page.locator('.graph-node').count();
      results.push({ id: 'ui.dag-10000-responsive.sqlite', issue: '#17', title: `Pipeline run of ${HUGE_STEPS.toLocaleString('en')} steps: longest frame from opening the page to the grouped DAG drawn and the step list scrolled`, backend: 'sqlite', figure: huge, unit: 'ms', target: '<= 200', notes: `drawn as ${groups} depth groups; the step list is virtualized` });

      // Step logs arriving at 10,000 lines/s.
      const logRun = runIdOf(`logs${LINES_PER_SECOND}`);
      const [stepRunId] = await seedPipelineRun(db, logRun, 1, { runningFrom: 0 });
      const stop = keepAlive(db, logRun);
      try {
        await page.goto(`${url}/pipelines/runs/${logRun}?step=s0&logs=1`, { waitUntil: 'load' });
        await page.waitForSelector('.log-view');
        // Measured from here: following the log, not loading the page and drawing its DAG.
        await page.waitForFunction(() => document.querySelector('figure.graph')?.getAttribute('data-ready') === 'true' && document.querySelectorAll('.graph-node').length > 0, undefined, { timeout: 60_000 });
        await page.waitForTimeout(500);
        await watchFrames(page);
        await longestFrame(page);
        let seq = 0;
        const seconds = 5;
        const perTick = LINES_PER_SECOND / 10;
        const t0 = Date.now();
        for (let tick = 0; tick < seconds * 10; tick++) {
          await appendLogLines(db, stepRunId!, seq, perTick);
          seq += perTick;
          const wait = t0 + (tick + 1) * 100 - Date.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        }
        await page.waitForFunction((n) => Number(document.querySelector('.log-view')?.getAttribute('data-lines')) >= n, seq, { timeout: 60_000 });
        const logFrame = await longestFrame(page);
        const rate = seq / ((Date.now() - t0) / 1000);
        results.push({ id: 'ui.logs-follow.sqlite', issue: '#17', title: `Step logs arriving at ${LINES_PER_SECOND.toLocaleString('en')} lines/s, followed: longest frame`, backend: 'sqlite', figure: logFrame, unit: 'ms', target: '<= 50', notes: `${seq.toLocaleString('en')} lines in ${seconds} s (${Math.round(rate).toLocaleString('en')} lines/s written); long poll, one repaint per frame, virtualized lines` });
      } finally {
        stop();
      }

      // A lineage graph of 200 nodes: a pipeline run and its steps.
      const lineageRun = runIdOf(`lineage${LINEAGE_NODES}`);
      await seedPipelineRun(db, lineageRun, LINEAGE_NODES - 1, { width: 10 });
      const lineageUrl = `${url}/lineage?kind=pipelineRun&key=${lineageRun}&depth=1`;
      const lineageDrawn = async () => {
        const end = await timeTo(page, lineageUrl, 'graph');
        const start = await page.evaluate(() => (performance.getEntriesByType('resource').find((e) => e.name.includes('/api/v1/lineage')) as any)?.responseEnd ?? 0);
        return end - start;
      };
      await lineageDrawn();
      const lineages: number[] = [];
      for (let i = 0; i < 5; i++) lineages.push(await lineageDrawn());
      const nodes = await page.locator('figure.graph').getAttribute('data-nodes');
      results.push({ id: 'ui.lineage-200.sqlite', issue: '#17', title: `Lineage graph of ${LINEAGE_NODES} nodes: answer received to the graph laid out and drawn, p50 of 5`, backend: 'sqlite', figure: median(lineages), unit: 'ms', target: '<= 500', notes: `runs ${lineages.map((f) => f.toFixed(0)).join(', ')} ms; ${nodes} nodes` });
    } finally {
      await browser.close();
      await app.close();
      await platform.close();
    }
    if (SCALE !== 1) for (const r of results) r.notes = `SMOKE at scale ${SCALE}, not a measurement; ${r.notes ?? ''}`;
    return results;
  },
};
