// Shared parts of the UI's browser tests: Debian's Chromium driven by playwright-core (no
// downloaded browsers), a current build of the UI, and a real `cairn server` app on loopback.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { describe, it } from 'vitest';
import type { Platform } from '@cairn/core';
import { buildApp } from '@cairn/server';

export const UI_DIR = resolve(import.meta.dirname, '..');
export const DIST = join(UI_DIR, 'dist');
export const REPO = resolve(UI_DIR, '..', '..');
/** Screenshots of each page at 1280x800, committed for docs/ui.md. */
export const SCREENSHOTS = join(REPO, 'docs', 'ui');

export const CHROMIUM = process.env.CAIRN_CHROMIUM ?? '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);

/**
 * `describe` for suites that need Chromium. Without it the suite is skipped with the reason, except
 * under CI=true, where a missing browser is a failure (`.ci/run` installs it).
 */
export function describeBrowser(title: string, suite: () => void): void {
  if (HAVE_CHROMIUM) {
    describe(title, suite);
  } else if (process.env.CI === 'true') {
    describe(title, () => {
      it('has Chromium', () => {
        throw new Error(`${CHROMIUM} is missing; CI needs it for the browser tests. Install it with \`apt-get install -y chromium\` (.ci/run does).`);
      });
    });
  } else {
    describe.skip(`${title} (skipped: no Chromium at ${CHROMIUM}; install it with \`apt-get install -y chromium\`)`, suite);
  }
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** Builds the UI when dist/ is missing or older than its sources (npm install builds it once). */
export function ensureUiBuilt(): void {
  const index = join(DIST, 'index.html');
  const sources = Math.max(newestMtime(join(UI_DIR, 'src')), statSync(join(UI_DIR, 'index.html')).mtimeMs, statSync(join(UI_DIR, 'vite.config.ts')).mtimeMs);
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  // NODE_ENV as Vitest sets it ('test') would make Vite bundle React's development build.
  execFileSync(process.execPath, [join(REPO, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], { cwd: UI_DIR, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
}

/** A fresh headless Chromium with its own profile, as the issue prescribes. */
export async function launchBrowser(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'cairn-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Serves a platform's API and the built UI on a free loopback port. */
export async function serveUi(platform: Platform): Promise<{ url: string; app: FastifyInstance }> {
  ensureUiBuilt();
  const app = buildApp(platform, { logger: false, uiDir: DIST });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url, app };
}

/** The built UI served for `platform` and a fresh headless Chromium on one page, watched for problems. */
export async function openUiSession(platform: Platform): Promise<{ url: string; app: FastifyInstance; browser: Awaited<ReturnType<typeof launchBrowser>>; page: Page; watch: ReturnType<typeof watchPage> }> {
  const { app, url } = await serveUi(platform);
  const browser = await launchBrowser();
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  return { app, url, browser, page, watch: watchPage(page) };
}

/** What a page did that it must not: script errors, failed requests, CSP violations, dialogs. */
export function watchPage(page: Page): { problems: string[]; dialogs: string[] } {
  const problems: string[] = [];
  const dialogs: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    // A refused request (a filter with a syntax error, a 404) is logged by the browser; the UI shows it.
    if (m.type() === 'error' && !/^Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 500) problems.push(`HTTP ${r.status()} from ${r.url()}`);
  });
  page.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  return { problems, dialogs };
}
