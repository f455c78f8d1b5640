import * as cheerio from 'cheerio';
import type { App } from '../../src/app.js';

export interface Page { status: number; headers: Record<string, unknown>; body: string; $: cheerio.CheerioAPI; location?: string }

/**
 * A cookie-keeping client over app.inject, for one LIO host. `submit` scrapes the CSRF token from
 * the form page, as a browser would send it; `postRaw` sends exactly what it is given.
 */
export class Client {
  private readonly cookies = new Map<string, string>();
  constructor(private readonly app: App, readonly host: string, private readonly remoteAddress = '127.0.0.1') {}

  async get(url: string): Promise<Page> {
    return this.request('GET', url);
  }

  /** GET the page holding the form, then POST the form with its CSRF token. */
  async submit(formPage: string, action: string, fields: Record<string, string | string[]>): Promise<Page> {
    const page = await this.get(formPage);
    const csrf = page.$('input[name="_csrf"]').first().val() as string | undefined;
    if (!csrf) throw new Error(`No CSRF token on ${formPage} (status ${page.status})`);
    return this.postRaw(action, { ...fields, _csrf: csrf });
  }

  async postRaw(url: string, fields: Record<string, string | string[]>): Promise<Page> {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
    return this.request('POST', url, body.toString(), 'application/x-www-form-urlencoded');
  }

  /** POST multipart/form-data (a form with file inputs): fields as text, files as { name, text } under their field name. */
  async postMultipart(url: string, fields: Record<string, string>, files: Record<string, { name: string; text: string }[]> = {}): Promise<Page> {
    const boundary = `----cg${Math.random().toString(16).slice(2)}`;
    const parts: string[] = [];
    for (const [k, v] of Object.entries(fields)) parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
    for (const [k, list] of Object.entries(files)) {
      for (const f of list) parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"; filename="${f.name}"\r\nContent-Type: application/octet-stream\r\n\r\n${f.text}\r\n`);
    }
    return this.request('POST', url, `${parts.join('')}--${boundary}--\r\n`, `multipart/form-data; boundary=${boundary}`);
  }

  async signIn(email: string, password: string): Promise<Page> {
    const page = await this.submit('/sign-in', '/sign-in', { email, password });
    if (page.status !== 303) throw new Error(`Sign-in failed for ${email}: ${page.status}`);
    return page;
  }

  hasCookie(name: string): boolean {
    return this.cookies.has(name);
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  private async request(method: 'GET' | 'POST', url: string, payload?: string, contentType?: string): Promise<Page> {
    const response = await this.app.inject({
      method, url, payload, remoteAddress: this.remoteAddress,
      headers: {
        host: this.host,
        ...(contentType ? { 'content-type': contentType } : {}),
        ...(this.cookies.size ? { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {}),
      },
    });
    for (const c of response.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      const expired = c.value === '' || (c.maxAge !== undefined && c.maxAge <= 0) || (c.expires && c.expires.getTime() < Date.now());
      if (expired) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    const body = response.body;
    return { status: response.statusCode, headers: response.headers, body, $: cheerio.load(body), location: response.headers.location as string | undefined };
  }
}

/** The fields of a form as a browser would send them unchanged. */
export function formFields(page: Page, selector: string): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = {};
  for (const el of page.$(`${selector} input, ${selector} textarea, ${selector} select`).toArray()) {
    const $el = page.$(el);
    const name = $el.attr('name');
    if (!name || name === '_csrf') continue;
    const type = $el.attr('type');
    if ((type === 'checkbox' || type === 'radio') && $el.attr('checked') === undefined) continue;
    const tag = (el as { tagName?: string }).tagName;
    const value = tag === 'textarea' ? $el.text() : tag === 'select' ? ($el.find('option[selected]').attr('value') ?? '') : ($el.attr('value') ?? '');
    fields[name] = fields[name] === undefined ? value : [...[fields[name]].flat(), value];
  }
  return fields;
}

/** The GOV.UK error summary's links, as a person reads them: where each goes and what it says. */
export function errorSummary(page: Pick<Page, '$'>): { href: string; text: string }[] {
  return page.$('.govuk-error-summary a').toArray().map((a) => ({ href: page.$(a).attr('href') ?? '', text: page.$(a).text().trim() }));
}

/** The names of the services on a page of public search results, in order. */
export function resultNames(page: Page): string[] {
  return page.$('.cg-result__name a').map((_i, el) => page.$(el).text().trim()).get();
}

/** The main content's text with white space folded. */
export function mainText(page: Page): string {
  return page.$('main').text().replace(/\s+/g, ' ').trim();
}

/** A client for `host`, signed in as `user`. */
export async function signedInClient(app: App, host: string, user: { email: string; password: string }): Promise<Client> {
  const client = new Client(app, host);
  await client.signIn(user.email, user.password);
  return client;
}
