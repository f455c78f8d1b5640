import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import negotiate from '@fastify/accept-negotiator';
import type { AssetFile } from '../platform/capability.js';
import { govukDist, srcDir } from './views.js';

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};
const ENCODINGS = ['br', 'gzip'] as const;
type Encoding = (typeof ENCODINGS)[number];
/**
 * Each file is compressed once, when first asked for, and the same bytes go to every visitor after. Brotli's
 * quality 9 is the strongest of its quick settings: 10 and 11 save about a tenth more on the stylesheet but take
 * seconds on a busy machine, which every process (and every test that builds the app) would pay.
 */
const ENCODERS: Record<Encoding, (body: Buffer) => Promise<Buffer>> = {
  br: (body) => promisify(brotliCompress)(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 9, [zlib.BROTLI_PARAM_SIZE_HINT]: body.length } }),
  gzip: (body) => promisify(gzip)(body, { level: zlib.Z_BEST_COMPRESSION }),
};
/** A hashed address names these bytes for ever, so a browser keeps them a year without asking again. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** The plain name (an old page, a bookmark) may be any version: the browser asks again each time. */
const REVALIDATE = 'no-cache';

interface Asset {
  hash: string;
  type: string;
  body: Buffer;
  encoded: Partial<Record<Encoding, Promise<Buffer>>>;
}

/**
 * The static files: ours, GOV.UK Frontend's and each capability's. Each is served at an address that carries a
 * hash of its content (/assets/app.3f9c0a1b2c4d.css), so it can be cached immutably and a new release is fetched at
 * once; templates get the address from `assetUrl('app.css')`.
 */
export class Assets {
  private readonly files = new Map<string, Asset>();

  add(name: string, body: string | Buffer, type = TYPES[path.extname(name)]): void {
    if (!type) throw new Error(`No content type known for the asset ${name}`);
    if (this.files.has(name)) throw new Error(`Two assets are named ${name}`);
    const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
    this.files.set(name, { hash: createHash('sha256').update(bytes).digest('hex').slice(0, 12), type, body: bytes, encoded: {} });
  }

  /** The address of an asset's current content. An unknown name is a mistake in a template: fail loudly. */
  url(name: string): string {
    const file = this.files.get(name);
    if (!file) throw new Error(`No asset is named ${name}`);
    const ext = path.extname(name);
    return `/assets/${name.slice(0, name.length - ext.length)}.${file.hash}${ext}`;
  }

  /** The asset an address asks for, and whether the address carries its current hash; null for any other address. */
  find(requested: string): { file: Asset; hashed: boolean } | null {
    const plain = this.files.get(requested);
    if (plain) return { file: plain, hashed: false };
    const match = /^(.+)\.([0-9a-f]{12})(\.[a-z0-9]+)$/.exec(requested);
    const file = match ? this.files.get(`${match[1]}${match[3]}`) : undefined;
    return file && file.hash === match![2] ? { file, hashed: true } : null;
  }
}

/**
 * Our stylesheet is GOV.UK Frontend's, with its typeface swapped for a system font (the GDS
 * Transport font is for GOV.UK alone), followed by our own identity rules. Built once at start.
 * The crest is GOV.UK's too: the rules that draw it (the footer's copyright logo, which we do not
 * use) lose their image, so the stylesheet refers to no file that is not served.
 */
async function buildStylesheet(): Promise<string> {
  const govuk = await readFile(path.join(govukDist, 'govuk', 'govuk-frontend.min.css'), 'utf8');
  const ours = await readFile(path.join(srcDir, 'web', 'assets', 'app.css'), 'utf8');
  const withoutFont = govuk
    .replace(/@font-face\{[^}]*\}/g, '')
    .replace(/(?:-webkit-)?(?:mask-image|background-image):url\(\/assets\/images\/govuk-crest\.svg\);?/g, '')
    .replaceAll('"GDS Transport",arial,sans-serif', 'system-ui,-apple-system,"Segoe UI",Roboto,arial,sans-serif')
    .replaceAll('GDS Transport,arial,sans-serif', 'system-ui,-apple-system,"Segoe UI",Roboto,arial,sans-serif');
  return `${withoutFont}\n${ours}`;
}

/** Reads every asset (the web's own and the capabilities' files), then serves them at /assets/. */
export async function registerAssets(app: FastifyInstance, assets: Assets, capabilityFiles: readonly AssetFile[]): Promise<void> {
  assets.add('app.css', await buildStylesheet());
  assets.add('govuk-frontend.min.js', await readFile(path.join(govukDist, 'govuk', 'govuk-frontend.min.js')));
  assets.add('favicon.svg', await readFile(path.join(srcDir, 'web', 'assets', 'favicon.svg')));
  for (const file of capabilityFiles) assets.add(file.name, await readFile(file.path));

  app.get('/assets/:file', { schema: { hide: true }, compress: false }, async (request, reply) => {
    const found = assets.find((request.params as { file: string }).file);
    // A hash that is not the current one is an old release's file, which is gone: say so, and let nobody keep the answer.
    if (!found) return reply.code(404).header('cache-control', 'no-store').type('text/plain; charset=utf-8').send('Not found');
    const { file, hashed } = found;
    reply.header('cache-control', hashed ? IMMUTABLE : REVALIDATE).header('vary', 'accept-encoding').type(file.type);
    const encoding = negotiate(request.headers['accept-encoding'] ?? '', [...ENCODINGS]);
    if (!encoding) return reply.send(file.body);
    const encoded = await (file.encoded[encoding] ??= ENCODERS[encoding](file.body));
    return reply.header('content-encoding', encoding).send(encoded);
  });
}
