import nunjucks from 'nunjucks';
import { webAddressOrNull } from '../platform/validation/web-addresses.js';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Assets } from './assets.js';

const require = createRequire(import.meta.url);
export const srcDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const govukDist = path.dirname(path.dirname(require.resolve('govuk-frontend/package.json'))) + '/govuk-frontend/dist';
export const mojDir = path.dirname(require.resolve('@ministryofjustice/frontend/package.json'));

/**
 * Templates live beside the code of their capability (src/accounts/views/…); the GOV.UK and MoJ
 * component macros are found by their usual names ("govuk/components/…", "moj/components/…").
 */
export function createViewEnvironment(assets: Assets): nunjucks.Environment {
  const env = new nunjucks.Environment(
    new nunjucks.FileSystemLoader([srcDir, govukDist, mojDir], { noCache: process.env.NODE_ENV === 'development' }),
    { autoescape: true, throwOnUndefined: false, trimBlocks: true, lstripBlocks: true },
  );
  /** The one way a template names a static file: its address carries the content's hash (see Assets). */
  env.addGlobal('assetUrl', (name: string) => assets.url(name));
  env.addFilter('dateTime', (value: Date | string | null | undefined) => {
    if (!value) return '';
    const d = value instanceof Date ? value : new Date(value);
    return d.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/London' });
  });
  env.addFilter('date', (value: Date | string | null | undefined) => {
    if (!value) return '';
    const d = value instanceof Date ? value : new Date(value);
    return d.toLocaleDateString('en-GB', { dateStyle: 'medium', timeZone: 'Europe/London' });
  });
  /** An address to link to only when it is http or https: a stored `javascript:` address is shown as text, never as a link. */
  env.addFilter('webAddress', (value: string | null | undefined) => webAddressOrNull(value));
  env.addFilter('json', (value: unknown) => JSON.stringify(value));
  /** Find the message for one field in an error list shaped for govukErrorSummary. */
  env.addFilter('errorFor', (errors: { text: string; href: string }[] | undefined, field: string) => {
    const found = errors?.find((e) => e.href === `#${field}`);
    return found ? { text: found.text } : undefined;
  });
  return env;
}
