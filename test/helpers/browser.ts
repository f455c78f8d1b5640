import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page, type Response } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { expect, vi } from 'vitest';
import { createTestApp, type TestContext } from './app.js';
import type { TestUser } from './factories.js';
import type { Capability } from '../../src/platform/capability.js';
import { E2E_TIMEOUTS } from './timeouts.js';

/**
 * Browser journeys: the real app listening on a free port, a real Chromium (Debian's, never a
 * downloaded one) driven by playwright-core, and axe-core run on every page the browser lands on.
 *
 * One app per test file and one browser per worker process (the journeys a worker runs one after another share it:
 * starting Chromium for each file was time spent on nothing under test); each test opens its own browser context
 * (own cookies). The LIO made for the file answers to 127.0.0.1, the address the browser uses.
 */

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
export { E2E_TIMEOUTS };
/**
 * For a journey outside test/e2e/. A worker loads this module once for all the files it runs, and vitest undoes
 * vi.setConfig after each file, so this reaches only the first: such a file calls vi.setConfig(E2E_TIMEOUTS) itself.
 */
vi.setConfig(E2E_TIMEOUTS);
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

type Lio = Awaited<ReturnType<TestContext['make']['lio']>>;

/**
 * axe-core as @axe-core/playwright itself loads it, put in a page only when the page lacks it: AxeBuilder puts its
 * source in twice a check (once to look at it, once to run it), and half a megabyte of script is not free.
 */
const AXE_SOURCE = (() => {
  const source = readFileSync(createRequire(import.meta.resolve('@axe-core/playwright')).resolve('axe-core/axe.min.js'), 'utf8');
  return `if (!window.axe) {\n${source}\n}`;
})();

let workerBrowser: Promise<Browser> | undefined;
/** This worker's Chromium, started on first use or again if it went away. Playwright ends it when the process exits. */
async function sharedBrowser(): Promise<Browser> {
  const running = await workerBrowser?.catch(() => undefined);
  if (running?.isConnected()) return running;
  workerBrowser = chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  return workerBrowser;
}

export interface E2E {
  t: TestContext;
  lio: Lio;
  baseUrl: string;
  browser: Browser;
  /** A fresh browser context (no cookies) and a page in it; tracked so no page escapes the axe check. */
  newPage(options?: { javaScriptEnabled?: boolean }): Promise<Page>;
  /** Go to a path and check the page with axe. Returns the response so a test can assert its status. */
  visit(page: Page, path: string): Promise<Response | null>;
  /** Do something that loads a new page (submit a form, follow a link), wait for it, and check it with axe. */
  follow(page: Page, action: () => Promise<unknown>): Promise<void>;
  /** Check the page currently shown (for a page reached some other way). */
  checkAccessibility(page: Page): Promise<void>;
  signIn(page: Page, user: Pick<TestUser, 'email' | 'password'>): Promise<void>;
  /** Opens a page as a person finds it: its area in the main menu, then the page in that area's side navigation. */
  openFromMenu(page: Page, area: string, pageText: string): Promise<void>;
  /** Deliver queued e-mails, then read the newest one to `to` from the Outbox page (as an admin, on adminPage). */
  linkFromOutbox(adminPage: Page, to: string, path: '/accept-invite/' | '/reset-password/' | '/volunteer/referral/'): Promise<{ subject: string; link: string }>;
  signOut(page: Page): Promise<void>;
  /**
   * Call after each test: fails if a page the browser landed on was not checked with axe, or if the browser saw
   * a script error or a blocked request (a CSP refusal, say); closes the test's browser contexts.
   */
  endTest(): Promise<void>;
  close(): Promise<void>;
}

interface Tracked {
  context: BrowserContext;
  /** Pages the browser landed on and axe has not checked yet. */
  unchecked: Set<string>;
  /** Script errors, blocked requests (CSP) and console errors seen in the browser. */
  problems: string[];
  /** Set for a context with JavaScript off: axe needs scripts for a moment, see checkAccessibility. */
  cdp?: CDPSession;
}

/**
 * `options.capabilities`: the app built from these instead of all of them (a navigation with areas still to come, say);
 * `options.env`: settings as the environment would give them (MAP_TILE_URL, an OPERATOR_KEY, say).
 */
export async function startE2E(options: { capabilities?: readonly Capability[]; env?: Record<string, string> } = {}): Promise<E2E> {
  const t = await createTestApp(options);
  try {
    const browser = await sharedBrowser();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as AddressInfo;
    const baseUrl = `http://127.0.0.1:${port}`;
    const made = await t.make.lio();
    // Requests belong to an LIO by hostname: let this LIO answer to the address the browser uses.
    await t.db.system.updateTable('lios').set({ hostnames: [made.host, '127.0.0.1'] }).where('id', '=', made.id).execute();
    t.app.lios.forget();
    const lio: Lio = { ...made, hostnames: [made.host, '127.0.0.1'] };

    const tracked = new Map<Page, Tracked>();

    const checkAccessibility = async (page: Page) => {
      const state = tracked.get(page);
      // With JavaScript off, axe (which runs in the page) cannot run. Scripts are allowed only while axe
      // runs: the page's own scripts were skipped when it loaded and stay skipped, so axe sees the page
      // exactly as a browser without JavaScript shows it.
      if (state?.cdp) await state.cdp.send('Emulation.setScriptExecutionDisabled', { value: false });
      let results;
      try {
        // Legacy mode runs every rule of these tags in the page itself. The default mode opens a second, blank page
        // for each check to merge the results of frames, costing a third of a check's time; the app's pages have no
        // frames to merge.
        results = await new AxeBuilder({ page, axeSource: AXE_SOURCE }).withTags(AXE_TAGS).setLegacyMode(true).analyze();
      } finally {
        if (state?.cdp) await state.cdp.send('Emulation.setScriptExecutionDisabled', { value: true });
      }
      state?.unchecked.clear();
      const report = results.violations.map((v) => `  ${v.id} (${v.impact}): ${v.help}\n${v.nodes.map((n) => `    ${n.target.join(' ')}: ${n.failureSummary?.replaceAll('\n', ' ')}`).join('\n')}`);
      expect(report.join('\n'), `axe found ${results.violations.length} violation(s) on ${page.url()}`).toBe('');
    };

    const e2e: E2E = {
      t, lio, baseUrl, browser,

      async newPage(options = {}) {
        const javaScriptEnabled = options.javaScriptEnabled ?? true;
        const context = await browser.newContext({ baseURL: baseUrl, javaScriptEnabled });
        // Well under the test timeout, so a missing element fails with Playwright's own clear message.
        context.setDefaultTimeout(10_000);
        const page = await context.newPage();
        const state: Tracked = { context, unchecked: new Set(), problems: [] };
        if (!javaScriptEnabled) {
          // Our own DevTools session holds the "scripts off" switch, so checkAccessibility can flip it.
          state.cdp = await context.newCDPSession(page);
          await state.cdp.send('Emulation.setScriptExecutionDisabled', { value: true });
        }
        let shown = '';
        page.on('framenavigated', (frame) => {
          if (frame !== page.mainFrame() || frame.url() === 'about:blank') return;
          const url = frame.url();
          // Following a link to "#field" on the same page (an error summary without JavaScript) loads nothing new.
          const samePage = url.includes('#') && url.split('#')[0] === shown.split('#')[0];
          shown = url;
          if (!samePage) state.unchecked.add(url);
        });
        page.on('pageerror', (err) => state.problems.push(`script error on ${page.url()}: ${err.message}`));
        page.on('requestfailed', (request) => {
          // ERR_ABORTED is a request cut short by the next navigation, which is normal.
          const reason = request.failure()?.errorText ?? '';
          if (!reason.includes('ERR_ABORTED')) state.problems.push(`request for ${request.url()} failed: ${reason}`);
        });
        page.on('console', (message) => {
          // A 4xx page is itself a "failed" resource load; that is the point of visiting it, not a problem.
          if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) state.problems.push(`console error on ${page.url()}: ${message.text()}`);
        });
        tracked.set(page, state);
        return page;
      },

      async visit(page, path) {
        const response = await page.goto(path);
        await checkAccessibility(page);
        return response;
      },

      async follow(page, action) {
        const navigated = page.waitForNavigation();
        await action();
        await navigated;
        await page.waitForLoadState('load');
        await checkAccessibility(page);
      },

      checkAccessibility,

      async signIn(page, user) {
        await e2e.visit(page, '/sign-in');
        await page.getByLabel('Email address').fill(user.email);
        await page.getByLabel('Password', { exact: true }).fill(user.password);
        await e2e.follow(page, () => page.getByRole('button', { name: 'Sign in' }).click());
        expect(new URL(page.url()).pathname).not.toBe('/sign-in');
      },

      async openFromMenu(page, area, pageText) {
        await e2e.follow(page, () => page.getByRole('navigation', { name: 'Main menu' }).getByRole('link', { name: area, exact: true }).click());
        const side = page.getByRole('navigation', { name: area, exact: true }).getByRole('link', { name: pageText, exact: true });
        // An area of one page has no side navigation: the menu's link opened that page.
        if (await side.count()) await e2e.follow(page, () => side.click());
      },

      async linkFromOutbox(adminPage, to, path) {
        await t.app.jobs.drain();
        await e2e.visit(adminPage, '/admin/outbox');
        const message = adminPage.getByTestId('outbox-message').filter({ hasText: to }).first();
        const subject = (await message.getByRole('heading').textContent())?.trim() ?? '';
        const body = (await message.locator('pre').textContent()) ?? '';
        const link = body.match(new RegExp(`${baseUrl.replaceAll('.', '\\.')}${path}\\S+`))?.[0];
        if (!link) throw new Error(`No ${path} link in the e-mail to ${to}:\n${body}`);
        return { subject, link };
      },

      async signOut(page) {
        await e2e.follow(page, () => page.getByRole('button', { name: 'Sign out' }).click());
        expect(new URL(page.url()).pathname).toBe('/sign-in');
      },

      async endTest() {
        const pages = [...tracked.entries()];
        tracked.clear();
        const missed = pages.flatMap(([, s]) => [...s.unchecked]);
        const problems = pages.flatMap(([, s]) => s.problems);
        await Promise.all(pages.map(([, s]) => s.context.close()));
        expect(missed, 'pages the browser landed on without an axe check').toEqual([]);
        expect(problems, 'errors in the browser (scripts, blocked requests)').toEqual([]);
      },

      async close() {
        // The browser stays for the worker's next journey; nothing of this file's is left in it.
        await Promise.all([...tracked.values()].map((s) => s.context.close().catch(() => undefined)));
        tracked.clear();
        await t.close();
      },
    };
    return e2e;
  } catch (err) {
    await t.close();
    throw err;
  }
}

/** The links in the main navigation, as the person sees them. */
export async function navigationItems(page: Page): Promise<string[]> {
  const links = await page.getByRole('navigation', { name: 'Main menu' }).getByRole('link').allTextContents();
  return links.map((text) => text.trim());
}

/** The GOV.UK error summary: its title and each message with the field it links to. */
export async function errorSummary(page: Page): Promise<{ title: string; errors: { text: string; href: string }[] }> {
  const summary = page.locator('.govuk-error-summary');
  const title = ((await summary.locator('.govuk-error-summary__title').textContent()) ?? '').trim();
  const errors = await summary.locator('.govuk-error-summary__list a').evaluateAll((links) => links.map((a) => ({ text: (a.textContent ?? '').trim(), href: a.getAttribute('href') ?? '' })));
  return { title, errors };
}

/** The id of the element that has the keyboard focus. */
export async function focusedId(page: Page): Promise<string> {
  return page.evaluate(() => document.activeElement?.id ?? '');
}

/** The success banner carried to the next page (a "flash"). */
export async function flash(page: Page): Promise<string> {
  return ((await page.locator('.govuk-notification-banner--success .govuk-notification-banner__content').textContent()) ?? '').trim();
}
