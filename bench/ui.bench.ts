// Issue #15's web UI targets, measured in headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core) against a real server on loopback with a SQLite store:
//   runs page on an experiment of 100,000 runs x 20 params x 20 metrics: navigation to first rows,
//   re-sort by a metric to repaint, longest frame while scrolling through 10,000 rows;
//   run page with a 1,000,000-point metric: data request start to chart drawn;
//   compare 10 runs x 5 metrics x 10,000 points: data request start to all charts drawn;
//   JavaScript the first page load fetches, gzipped.
// CAIRN_BENCH_UI_SCALE=0.02 (say) smoke-runs everything at a small scale.
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import type { Platform } from '../packages/core/src/platform.js';
import { launchBrowser, serveUi, CHROMIUM } from '../packages/ui/test/harness.js';
import { benchPlatform } from './lib/platforms.js';
import type { BenchResult } from './lib/report.js';
import { seedWideRuns } from './lib/ui-seed.js';

// The functions given to page.evaluate and waitForFunction run in the browser; this Node-typed file
// names the few browser globals they use loosely.
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any;
declare const window: any;
declare function requestAnimationFrame(callback: (time: number) => void): number;
declare const MutationObserver: any;

const SCALE = Number(process.env.CAIRN_BENCH_UI_SCALE ?? 1);
const RUNS = Math.round(100_000 * SCALE);
const SCROLL_ROWS = Math.min(10_000, RUNS);
const LONG_POINTS = Math.round(1_000_000 * SCALE);
const COMPARE_POINTS = Math.round(10_000 * SCALE);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function experimentByName(platform: Platform, name: string): Promise<{ id: string; created: boolean }> {
  const found = await platform.experiments.findByName(name);
  if (found) return { id: found.experimentId, created: false };
  return { id: (await platform.experiments.create({ name })).experimentId, created: true };
}

/** Time (ms since navigation start) at which the first run row appeared. */
async function firstRows(page: Page, url: string): Promise<number> {
  await page.goto(url, { waitUntil: 'commit' });
  return page.waitForFunction(() => window.__firstRow, undefined, { polling: 50, timeout: 120_000 }).then((h) => h.jsonValue() as Promise<number>);
}

async function seedHistory(platform: Platform, runId: string, key: string, points: number): Promise<void> {
  const batch = 100_000;
  for (let from = 0; from < points; from += batch) {
    const n = Math.min(batch, points - from);
    await platform.runs.logBatch(runId, { metrics: Array.from({ length: n }, (_, i) => ({ key, value: Math.sin((from + i) / 500) + ((from + i) % 997 === 0 ? 3 : 0), timestamp: 1_700_000_000_000 + (from + i) * 10, step: from + i })) });
  }
}

/** From the start of the first /metrics/sampled request to `count` charts showing points (after a paint). */
async function chartsDrawn(page: Page, url: string, count: number): Promise<number> {
  await page.goto(url, { waitUntil: 'commit' });
  const drawn = await page.waitForFunction((n) => {
    const figs: any[] = [...document.querySelectorAll('figure.chart')];
    const w = window;
    if (figs.length >= n && figs.every((f) => Number(f.getAttribute('data-points')) > 0)) {
      if (!w.__drawn) requestAnimationFrame(() => requestAnimationFrame(() => (w.__drawn = performance.now())));
    }
    return w.__drawn;
  }, count, { polling: 'raf', timeout: 120_000 }).then((h) => h.jsonValue() as Promise<number>);
  const start = await page.evaluate(() => performance.getEntriesByType('resource').find((e) => e.name.includes('/api/v1/metrics/sampled'))?.startTime ?? 0);
  return drawn - start;
}

export default {
  name: 'ui',
  async run(): Promise<BenchResult[]> {
    if (!existsSync(CHROMIUM)) throw new Error(`The UI benchmark needs Chromium at ${CHROMIUM}: apt-get install -y chromium`);
    const { platform } = await benchPlatform('sqlite', `ui-${SCALE}`, false);
    const results: BenchResult[] = [];
    const browser = await launchBrowser();
    const { app, url } = await serveUi(platform);
    try {
      const wide = await experimentByName(platform, 'ui-bench-wide');
      if (wide.created) await seedWideRuns(platform.database.db, Number(wide.id), RUNS);
      const page = browser.context.pages()[0] ?? (await browser.context.newPage());
      // tsx compiles the functions passed to page.evaluate with esbuild's keepNames, which calls __name.
      await page.addInitScript('window.__name = (f) => f;');
      await page.addInitScript(() => {
        new MutationObserver((_m: unknown, obs: any) => {
          if (document.querySelector('.rt-body [role="row"]')) {
            window.__firstRow = performance.now();
            obs.disconnect();
          }
        }).observe(document, { childList: true, subtree: true });
      });
      const cols = ['metrics.m0', 'metrics.m1', 'metrics.m2', 'params.p0', 'params.p1'].map((c) => `col=${c}`).join('&');
      const runsUrl = `${url}/runs?exp=${wide.id}&${cols}`;
      await firstRows(page, runsUrl); // warm: server caches, compiled code
      const firsts: number[] = [];
      for (let i = 0; i < 5; i++) firsts.push(await firstRows(page, runsUrl));
      const jsBytes = await page.evaluate(() => performance.getEntriesByType('resource').filter((e) => e.name.endsWith('.js')).reduce((n, e) => n + (e as unknown as { encodedBodySize: number }).encodedBodySize, 0));
      results.push({ id: 'ui.runs-first-rows.sqlite', issue: '#15', title: `Runs page, ${RUNS.toLocaleString('en')} runs x 20 params x 20 metrics: navigation to first rows visible, p50 of 5`, backend: 'sqlite', figure: median(firsts), unit: 'ms', target: '<= 1000', notes: `runs ${firsts.map((f) => f.toFixed(0)).join(', ')} ms` });
      results.push({ id: 'ui.first-load-js', issue: '#15', title: 'JavaScript fetched by the first page load (runs page), gzipped as served', backend: 'sqlite', figure: jsBytes / 1024, unit: 'KB', target: '<= 250' });

      const sorts: number[] = [];
      for (let i = 0; i < 5; i++) {
        sorts.push(await page.evaluate(async () => {
          const first = () => document.querySelector('.rt-body [role="row"]')?.id;
          const before = first();
          const button = [...document.querySelectorAll('.rt-head button')].find((b: any) => b.textContent?.startsWith('m1'));
          const t0 = performance.now();
          button.click();
          await new Promise<void>((done) => {
            const check = () => (first() !== before && first() ? requestAnimationFrame(() => done()) : requestAnimationFrame(check));
            requestAnimationFrame(check);
          });
          return performance.now() - t0;
        }));
      }
      results.push({ id: 'ui.runs-resort.sqlite', issue: '#15', title: `Runs page, ${RUNS.toLocaleString('en')} runs: re-sort by a metric column to repaint, p50 of 5`, backend: 'sqlite', figure: median(sorts), unit: 'ms', target: '<= 300', notes: `runs ${sorts.map((f) => f.toFixed(0)).join(', ')} ms (server-side order)` });

      await firstRows(page, runsUrl);
      // Settled first: the scroll starts on a page that has finished loading.
      await page.waitForLoadState('networkidle');
      const scroll = await page.evaluate(async (rows) => {
        const el = document.querySelector('.runs-table');
        const target = rows * 32;
        let last = performance.now();
        let longest = 0;
        let frames = 0;
        let at = 0;
        const deadline = last + 300_000;
        while (el.scrollTop + el.clientHeight < target && performance.now() < deadline) {
          el.scrollTop += 1200;
          await new Promise((r) => requestAnimationFrame(r));
          const now = performance.now();
          if (now - last > longest) {
            longest = now - last;
            at = frames;
          }
          last = now;
          frames++;
        }
        return { longest, at, frames, reached: Math.round((el.scrollTop + el.clientHeight) / 32) };
      }, SCROLL_ROWS);
      results.push({ id: 'ui.runs-scroll.sqlite', issue: '#15', title: `Runs page: scrolling through ${SCROLL_ROWS.toLocaleString('en')} rows, longest frame`, backend: 'sqlite', figure: scroll.longest, unit: 'ms', target: '<= 50', notes: `${scroll.frames} frames, 1200 px each (longest: frame ${scroll.at}); pages of 200 runs load as it scrolls; reached row ${scroll.reached}` });

      const long = await experimentByName(platform, 'ui-bench-long');
      let longRun = (await platform.runs.search({ experimentIds: [long.id], maxResults: 1 })).items[0]?.info.runId;
      if (!longRun) {
        longRun = (await platform.runs.create({ experimentId: long.id, runName: 'long' })).info.runId;
        await seedHistory(platform, longRun, 'loss', LONG_POINTS);
      }
      const longUrl = `${url}/runs/${longRun}?tab=charts&key=loss`;
      await chartsDrawn(page, longUrl, 1);
      const longs: number[] = [];
      for (let i = 0; i < 5; i++) longs.push(await chartsDrawn(page, longUrl, 1));
      results.push({ id: 'ui.long-metric-chart.sqlite', issue: '#15', title: `Run page with a ${LONG_POINTS.toLocaleString('en')}-point metric: data request start to chart drawn, p50 of 5`, backend: 'sqlite', figure: median(longs), unit: 'ms', target: '<= 300', notes: `runs ${longs.map((f) => f.toFixed(0)).join(', ')} ms; downsampled on the server to 1,200 points (min/max per bucket)` });

      const cmp = await experimentByName(platform, 'ui-bench-compare');
      let cmpRuns = (await platform.runs.search({ experimentIds: [cmp.id], maxResults: 10 })).items.map((r) => r.info.runId);
      if (cmpRuns.length < 10) {
        cmpRuns = [];
        for (let r = 0; r < 10; r++) {
          const id = (await platform.runs.create({ experimentId: cmp.id, runName: `cmp-${r}`, params: { lr: String(r / 10) } })).info.runId;
          for (let k = 0; k < 5; k++) await seedHistory(platform, id, `m${k}`, COMPARE_POINTS);
          cmpRuns.push(id);
        }
      }
      const cmpUrl = `${url}/compare?${cmpRuns.map((id) => `run=${id}`).join('&')}&${[0, 1, 2, 3, 4].map((k) => `key=m${k}`).join('&')}`;
      await chartsDrawn(page, cmpUrl, 5);
      const cmps: number[] = [];
      for (let i = 0; i < 5; i++) cmps.push(await chartsDrawn(page, cmpUrl, 5));
      results.push({ id: 'ui.compare-charts.sqlite', issue: '#15', title: `Compare 10 runs x 5 metrics x ${COMPARE_POINTS.toLocaleString('en')} points: data request start to all charts drawn, p50 of 5`, backend: 'sqlite', figure: median(cmps), unit: 'ms', target: '<= 500', notes: `runs ${cmps.map((f) => f.toFixed(0)).join(', ')} ms` });
    } finally {
      await browser.close();
      await app.close();
      await platform.close();
    }
    if (SCALE !== 1) for (const r of results) r.notes = `SMOKE at scale ${SCALE}, not a measurement; ${r.notes ?? ''}`;
    return results;
  },
};
