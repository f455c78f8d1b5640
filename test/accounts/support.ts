import * as cheerio from 'cheerio';
import type { App } from '../../src/app.js';
import type { TestContext } from '../helpers/app.js';
import type { Page } from '../helpers/client.js';
import { SESSION_COOKIE } from '../../src/platform/http/session.js';

/** Shared by the account test files: raw requests with a chosen cookie, and reads of what the database holds. */

export { SESSION_COOKIE };

/** A GET with exactly the cookies given, as a browser (or an attacker) replaying an old cookie would send. */
export async function getWithCookies(app: App, host: string, url: string, cookies: Record<string, string>): Promise<Page> {
  const response = await app.inject({
    method: 'GET', url, headers: { host, cookie: Object.entries(cookies).map(([k, v]) => `${k}=${v}`).join('; ') },
  });
  return { status: response.statusCode, headers: response.headers, body: response.body, $: cheerio.load(response.body), location: response.headers.location as string | undefined };
}

/** The Set-Cookie header lines of a response, one string per cookie. */
export function setCookies(page: Page): string[] {
  const raw = page.headers['set-cookie'];
  if (raw === undefined) return [];
  return Array.isArray(raw) ? raw.map(String) : [String(raw)];
}

export function setCookie(page: Page, name: string): string | undefined {
  return setCookies(page).find((c) => c.startsWith(`${name}=`));
}

/** What the person reads on the page: the main content's text, whitespace folded. */
export { mainText, errorSummary as errorSummaryLinks } from '../helpers/client.js';

/** The service navigation: Home and the areas this person can use. */
export function navLinks(page: Page): string[] {
  return page.$('.govuk-service-navigation__list a').toArray().map((a) => page.$(a).text().trim());
}

/** The pages the home page offers this person, each with its area: the same choice as the navigation. */
export function offeredPages(home: Page): { text: string; href: string; area: string }[] {
  return home.$('[data-testid="areas"] a').toArray().map((a) => ({ text: home.$(a).text().trim(), href: home.$(a).attr('href')!, area: home.$(a).attr('data-area')! }));
}

export async function auditEvents(t: TestContext, lioId: string, action?: string) {
  return t.db.withTenant(lioId, (tx) => {
    let q = tx.selectFrom('audit_events').selectAll().orderBy('id');
    if (action) q = q.where('action', '=', action);
    return q.execute();
  });
}

export async function userRow(t: TestContext, lioId: string, id: string) {
  return t.db.withTenant(lioId, (tx) => tx.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
}

export async function sessionCount(t: TestContext, lioId: string, userId: string): Promise<number> {
  const rows = await t.db.withTenant(lioId, (tx) => tx.selectFrom('sessions').select('id_hash').where('user_id', '=', userId).execute());
  return rows.length;
}

/** Path and query of an e-mailed link, to request on the in-process app. */
export function pathOf(link: string): string {
  const url = new URL(link);
  return `${url.pathname}${url.search}`;
}
