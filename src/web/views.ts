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
  const reload = process.env.NODE_ENV === 'development';
  const env = new nunjucks.Environment(
    new nunjucks.FileSystemLoader([srcDir, govukDist, mojDir], { noCache: reload }),
    { autoescape: true, throwOnUndefined: false, trimBlocks: true, lstripBlocks: true },
  );
  if (!reload) keepFoundTemplates(env);
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

type TemplateCallback = (err: Error | null, template?: nunjucks.Template) => void;

/**
 * Compiled templates are kept by the loader, but nunjucks works out each name again on every use: a relative one
 * ("./template.njk", which every GOV.UK macro includes each time it is called) against the file system, some
 * hundreds of times for a page of search results. Templates do not change while the process runs (outside
 * development), so the template found for a name from a parent is kept here and handed back at once.
 */
function keepFoundTemplates(env: nunjucks.Environment): void {
  // by parent, then by name
  const found = new Map<string, Map<string, nunjucks.Template>>();
  const getTemplate = env.getTemplate.bind(env) as (...args: unknown[]) => nunjucks.Template | undefined;
  (env as unknown as { getTemplate: unknown }).getTemplate = (name: unknown, eagerCompile?: unknown, parentName?: unknown, ignoreMissing?: unknown, cb?: unknown) => {
    // nunjucks's own reading of its optional arguments
    if (typeof parentName === 'function') [cb, parentName] = [parentName, null];
    if (typeof eagerCompile === 'function') [cb, eagerCompile] = [eagerCompile, false];
    const callback = typeof cb === 'function' ? (cb as TemplateCallback) : undefined;
    const parent = typeof parentName === 'string' ? parentName : '';
    const kept = typeof name === 'string' ? found.get(parent)?.get(name) : undefined;
    if (kept) {
      if (callback) return void callback(null, kept);
      return kept;
    }
    const keep = (template: nunjucks.Template | undefined) => {
      if (typeof name !== 'string' || !template) return;
      let byName = found.get(parent);
      if (!byName) found.set(parent, byName = new Map());
      byName.set(name, template);
    };
    if (!callback) {
      const template = getTemplate(name, eagerCompile, parentName, ignoreMissing);
      keep(template);
      return template;
    }
    return getTemplate(name, eagerCompile, parentName, ignoreMissing, (err: Error | null, template?: nunjucks.Template) => {
      if (!err) keep(template);
      callback(err, template);
    });
  };
}
