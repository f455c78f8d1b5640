import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as cheerio from 'cheerio';
import { createTestApp, type TestContext } from './helpers/app.js';

/**
 * What a browser downloads: pages, stylesheets and scripts compressed when it accepts that, and static files at
 * addresses carrying a hash of their content, kept a year; any other address is not kept at all.
 */

let t: TestContext;
let host: string;
beforeAll(async () => {
  t = await createTestApp();
  host = (await t.make.lio()).host;
});
afterAll(async () => { await t.close(); });

const get = (url: string, acceptEncoding?: string) =>
  t.app.inject({ method: 'GET', url, headers: { host, ...(acceptEncoding ? { 'accept-encoding': acceptEncoding } : {}) } });

/** The asset addresses a page names: stylesheets, icons, script files, and modules imported by scripts in the page. */
async function assetUrls(path: string): Promise<string[]> {
  const $ = cheerio.load((await get(path)).body);
  const linked = [...$('link[href^="/assets/"]').map((_i, el) => $(el).attr('href')!).get(), ...$('script[src]').map((_i, el) => $(el).attr('src')!).get()];
  const imported = $('script:not([src])').text().match(/\/assets\/[^'"]+/g) ?? [];
  return [...linked, ...imported];
}

describe('compression', () => {
  it('sends pages, stylesheets and scripts with brotli or gzip to a browser that accepts it, and plain to one that does not', async () => {
    const urls = await assetUrls('/find');
    const css = urls.find((u) => u.startsWith('/assets/app.'))!;
    const js = urls.find((u) => u.startsWith('/assets/govuk-frontend.'))!;
    for (const url of ['/', '/find', css, js]) {
      const plain = await get(url);
      expect(plain.statusCode, url).toBe(200);
      expect(plain.headers['content-encoding'], url).toBeUndefined();

      const br = await get(url, 'gzip, deflate, br');
      expect(br.headers['content-encoding'], url).toBe('br');
      expect(String(br.headers.vary), url).toMatch(/accept-encoding/i);
      const text = brotliDecompressSync(br.rawPayload).toString();
      // A page differs in its nonce and CSRF token from one response to the next; a file is the same bytes.
      if (url.startsWith('/assets/')) expect(text).toBe(plain.body);
      else expect(text).toContain('</html>');
      expect(br.rawPayload.length, url).toBeLessThan(Buffer.byteLength(plain.body) / 3);

      const gzip = await get(url, 'gzip');
      expect(gzip.headers['content-encoding'], url).toBe('gzip');
      expect(gunzipSync(gzip.rawPayload).toString()).toContain(url.endsWith('.css') ? '.govuk-' : url.endsWith('.js') ? 'initAll' : '</html>');
    }
  });
});

describe('static files', () => {
  it('are named in pages by a hash of their content and kept for a year at that address', async () => {
    const urls = await assetUrls('/find');
    expect(urls.map((u) => u.replace(/\.[0-9a-f]{12}\./, '.HASH.')).sort()).toEqual([
      '/assets/app.HASH.css', '/assets/favicon.HASH.svg', '/assets/find.HASH.css', '/assets/find.HASH.js', '/assets/govuk-frontend.min.HASH.js',
    ]);
    for (const url of urls) {
      const response = await get(url, 'br');
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['cache-control'], url).toBe('public, max-age=31536000, immutable');
    }
  });

  it('answer an old or unknown hash with 404 that nobody keeps, and the plain name with the file to ask for again each time', async () => {
    const css = (await assetUrls('/find')).find((u) => u.startsWith('/assets/app.'))!;
    for (const url of [css.replace(/\.[0-9a-f]{12}\./, '.000000000000.'), '/assets/nothing.0123456789ab.css', '/assets/app.css.map']) {
      const response = await get(url, 'br');
      expect(response.statusCode, url).toBe(404);
      expect(response.headers['cache-control'], url).toBe('no-store');
      expect(response.body).not.toContain('govuk');
    }
    const plain = await get('/assets/app.css');
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['cache-control']).toBe('no-cache');
    expect(plain.body).toBe((await get(css)).body);
  });

  it('a stylesheet names only files that are served: GOV.UK’s typeface and crest are left out', async () => {
    for (const url of (await assetUrls('/find')).filter((u) => u.endsWith('.css'))) {
      const css = (await get(url)).body;
      const referenced = [...css.matchAll(/url\(\s*['"]?([^'")]+)/g)].map((m) => m[1]!).filter((u) => !u.startsWith('data:') && !u.startsWith('#'));
      for (const file of referenced) expect((await get(new URL(file, `http://${host}${url}`).pathname)).statusCode, `${file} in ${url}`).toBe(200);
      expect(css).not.toContain('GDS Transport');
    }
  });
});
