import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { govukDist, srcDir } from './views.js';

/**
 * Our stylesheet is GOV.UK Frontend's, with its typeface swapped for a system font (the GDS
 * Transport font is for GOV.UK alone), followed by our own identity rules. Built once at start.
 */
async function buildStylesheet(): Promise<string> {
  const govuk = await readFile(path.join(govukDist, 'govuk', 'govuk-frontend.min.css'), 'utf8');
  const ours = await readFile(path.join(srcDir, 'web', 'assets', 'app.css'), 'utf8');
  const withoutFont = govuk
    .replace(/@font-face\{[^}]*\}/g, '')
    .replaceAll('"GDS Transport",arial,sans-serif', 'system-ui,-apple-system,"Segoe UI",Roboto,arial,sans-serif')
    .replaceAll('GDS Transport,arial,sans-serif', 'system-ui,-apple-system,"Segoe UI",Roboto,arial,sans-serif');
  return `${withoutFont}\n${ours}`;
}

export async function registerAssets(app: FastifyInstance): Promise<void> {
  const css = await buildStylesheet();
  const files: Record<string, { body: string | Buffer; type: string }> = {
    'app.css': { body: css, type: 'text/css; charset=utf-8' },
    'app.js': { body: await readFile(path.join(srcDir, 'web', 'assets', 'app.js')), type: 'text/javascript; charset=utf-8' },
    'govuk-frontend.min.js': { body: await readFile(path.join(govukDist, 'govuk', 'govuk-frontend.min.js')), type: 'text/javascript; charset=utf-8' },
    'favicon.svg': { body: await readFile(path.join(srcDir, 'web', 'assets', 'favicon.svg')), type: 'image/svg+xml' },
  };
  app.get('/assets/:file', { schema: { hide: true } }, async (request, reply) => {
    const file = files[(request.params as { file: string }).file];
    if (!file) return reply.callNotFound();
    return reply.header('cache-control', 'public, max-age=3600').type(file.type).send(file.body);
  });
}
