import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database, Queryable } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { SignedInUser } from '../../platform/auth/actor.js';
import { authorise, can } from '../../platform/auth/policy.js';
import { permitted } from '../../platform/http/guards.js';
import { FormErrors, list, str } from '../../platform/http/forms.js';
import { acceptMultipart } from '../../platform/http/multipart.js';
import { RegisterCsvService } from '../csv/register-csv.js';
import { registerCsvExportRoutes } from '../csv/routes.js';
import { OrukImportService } from './import/importer.js';
import { isUuid } from '../../platform/validation/ids.js';
import { isWebAddress } from '../../platform/validation/web-addresses.js';

/**
 * /admin/imports: an admin imports an Open Referral feed (its address, or ORUK JSON / HSDS CSV files) or the
 * register's own spreadsheets, and reads each import's report. Imports run while the admin waits; the report
 * page says what was created, updated and flagged, row by row for a spreadsheet.
 */

/** Uploads up to this size are read (a whole county's feed as JSON is far smaller). */
export const UPLOAD_LIMIT = 200 * 1024 * 1024;

const importsRepository = {
  recent: (db: Queryable, limit: number) => db.selectFrom('directory_imports')
    .select(['id', 'kind', 'source', 'status', 'started_at', 'finished_at', 'actor_label', 'counts']).orderBy('started_at', 'desc').orderBy('id').limit(limit).execute(),
  find: (db: Queryable, id: string) => db.selectFrom('directory_imports').selectAll().where('id', '=', id).executeTakeFirst(),
};

export class ImportHistoryService {
  constructor(private readonly deps: { db: Database }) {}

  recent(actor: SignedInUser | null) {
    authorise(actor, 'directory.import');
    return this.deps.db.withTenant(actor.lioId, (tx) => importsRepository.recent(tx, 20));
  }

  find(actor: SignedInUser | null, id: string) {
    authorise(actor, 'directory.import');
    if (!isUuid(id)) return Promise.resolve(undefined);
    return this.deps.db.withTenant(actor.lioId, (tx) => importsRepository.find(tx, id));
  }
}

export const KIND_LABELS: Record<string, string> = {
  oruk: 'Open Referral feed', hsds_csv: 'HSDS CSV package', organisations_csv: 'Organisations spreadsheet', services_csv: 'Services spreadsheet',
};

type Fields = Record<string, string | string[]>;
const files = (body: unknown, field: string) => {
  const texts = list(body, field);
  const names = list(body, `${field}Filename`);
  return texts.map((text, i) => ({ name: names[i] ?? `file-${i + 1}`, text })).filter((f) => f.name !== '' || f.text !== '');
};

export async function registerImportRoutes(app: FastifyInstance, deps: { db: Database; clock: Clock }) {
  const oruk = new OrukImportService(deps);
  const csv = new RegisterCsvService(deps);
  const history = new ImportHistoryService(deps);
  const guard = { preHandler: permitted('directory.import') };

  const renderPage = async (request: FastifyRequest, reply: FastifyReply, extra: { errors?: { text: string; href: string }[]; values?: Fields } = {}, status = 200) => {
    const imports = await history.recent(request.actor);
    return reply.render('directory/oruk/views/imports.njk', {
      title: 'Imports', imports, kinds: KIND_LABELS, values: extra.values ?? {}, errors: extra.errors, canExport: can(request.actor, 'directory.export'),
    }, status);
  };

  app.get('/admin/imports', guard, async (request, reply) => renderPage(request, reply));

  app.get<{ Params: { id: string } }>('/admin/imports/:id', guard, async (request, reply) => {
    const found = await history.find(request.actor, request.params.id);
    if (!found) return reply.render('web/views/404.njk', { title: 'Page not found' }, 404);
    const counts = found.counts as Record<string, unknown>;
    const entities = ['services', 'organisations', 'locations', 'taxonomies', 'taxonomy_terms'].filter((k) => typeof counts[k] === 'object' && counts[k] !== null)
      .map((k) => ({ name: k.replace('_', ' '), ...(counts[k] as { created: number; updated: number }) }));
    return reply.render('directory/oruk/views/import-report.njk', {
      title: found.status === 'completed' ? 'Import report' : 'Import rejected', item: found, counts, entities, kinds: KIND_LABELS,
      issues: found.issues as { level: string; record?: string; id?: string; name?: string; file?: string; row?: number; field?: string; message: string }[],
    });
  });

  await app.register(async (scope) => {
    await acceptMultipart(scope, UPLOAD_LIMIT);

    scope.post('/admin/imports/oruk', guard, async (request, reply) => {
      const url = str(request.body, 'url');
      const uploaded = files(request.body, 'files');
      const errors = new FormErrors();
      if (!url && uploaded.length === 0) errors.add('url', 'Enter the address of a feed, or choose files to upload');
      else if (url && uploaded.length) errors.add('url', 'Enter an address or choose files, not both');
      else if (url && !isWebAddress(url)) errors.add('url', 'Enter the feed’s address in full, starting with https:// or http://');
      if (errors.any) return renderPage(request, reply, { errors: errors.list, values: { url } }, 400);
      const report = await oruk.importOruk(request.actor!, request.lio.id, url ? { kind: 'url', url } : { kind: 'files', files: uploaded });
      reply.flash(report.status === 'completed' ? 'The import is complete' : 'The import was rejected: nothing was imported');
      return reply.redirect(`/admin/imports/${report.id}`, 303);
    });

    scope.post('/admin/imports/csv', guard, async (request, reply) => {
      const what = str(request.body, 'what');
      const [file] = files(request.body, 'file');
      const errors = new FormErrors();
      if (what !== 'organisations' && what !== 'services') errors.add('what', 'Select what the spreadsheet holds: organisations or services');
      if (!file || (!file.text && !file.name)) errors.add('file', 'Choose a CSV file to upload');
      else if (!/\.csv$/i.test(file.name)) errors.add('file', 'The file must be a CSV file (saved from a spreadsheet as “CSV”)');
      if (errors.any) return renderPage(request, reply, { errors: errors.list, values: { what } }, 400);
      const report = await csv.importCsv(request.actor, what as 'organisations' | 'services', file!);
      reply.flash(report.status === 'completed' ? `The spreadsheet was imported: ${report.created} added, ${report.updated} updated` : 'The spreadsheet was rejected: nothing was imported');
      return reply.redirect(`/admin/imports/${report.id}`, 303);
    });
  });

  await registerCsvExportRoutes(app, { csv });
}
