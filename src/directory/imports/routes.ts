import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import { can } from '../../platform/auth/policy.js';
import { permitted } from '../../platform/http/guards.js';
import { str } from '../../platform/http/forms.js';
import { acceptMultipart } from '../../platform/http/multipart.js';
import { RegisterCsvService } from '../csv/service.js';
import { registerCsvExportRoutes } from '../csv/routes.js';
import { OrukImportService } from '../oruk/import/importer.js';
import { readFeedForm, readSpreadsheetForm, type Fields } from './form.js';
import { KIND_LABELS, entityCounts, type ImportIssue } from './present.js';
import { ImportHistoryService, REFUSED_DAYS } from './service.js';

/**
 * /admin/imports: an admin imports an Open Referral feed (its address, or ORUK JSON / HSDS CSV files) or the
 * register's own spreadsheets, and reads each import's report. Imports run while the admin waits; the report
 * page says what was created, updated and flagged, row by row for a spreadsheet.
 */

/** Uploads up to this size are read (a whole county's feed as JSON is far smaller). */
export const UPLOAD_LIMIT = 200 * 1024 * 1024;

export async function registerImportRoutes(app: FastifyInstance, deps: { db: Database; clock: Clock; config: Config }) {
  const oruk = new OrukImportService({ ...deps, limits: deps.config.imports });
  const csv = new RegisterCsvService(deps);
  const history = new ImportHistoryService(deps);
  const guard = { preHandler: permitted('directory.import') };

  const renderPage = async (request: FastifyRequest, reply: FastifyReply, extra: { errors?: { text: string; href: string }[]; values?: Fields } = {}, status = 200) => {
    // ?status=rejected lists only the imports refused lately, the list the home page's count opens.
    const refusedOnly = request.method === 'GET' && str(request.query, 'status') === 'rejected';
    const refused = refusedOnly ? await history.refused(request.actor) : null;
    const imports = refused ? refused.items : await history.recent(request.actor);
    return reply.render('directory/imports/views/imports.njk', {
      title: refused ? `Imports refused in the last ${REFUSED_DAYS} days` : 'Imports', imports, kinds: KIND_LABELS, values: extra.values ?? {}, errors: extra.errors, canExport: can(request.actor, 'directory.export'),
      refused: refused ? { total: refused.total, days: REFUSED_DAYS } : null, refusedDays: REFUSED_DAYS,
    }, status);
  };

  app.get('/admin/imports', guard, async (request, reply) => renderPage(request, reply));

  app.get<{ Params: { id: string } }>('/admin/imports/:id', guard, async (request, reply) => {
    const found = await history.find(request.actor, request.params.id);
    if (!found) return reply.render('web/views/404.njk', { title: 'Page not found' }, 404);
    const counts = found.counts as Record<string, unknown>;
    return reply.render('directory/imports/views/import-report.njk', {
      title: found.status === 'completed' ? 'Import report' : 'Import rejected', item: found, counts, entities: entityCounts(counts), kinds: KIND_LABELS,
      issues: found.issues as ImportIssue[],
    });
  });

  await app.register(async (scope) => {
    await acceptMultipart(scope, UPLOAD_LIMIT);

    scope.post('/admin/imports/oruk', guard, async (request, reply) => {
      const form = readFeedForm(request.body);
      if (form.errors.any) return renderPage(request, reply, { errors: form.errors.list, values: form.values }, 400);
      const report = await oruk.importOruk(request.actor!, request.lio.id, form.source);
      reply.flash(report.status === 'completed' ? 'The import is complete' : 'The import was rejected: nothing was imported');
      return reply.redirect(`/admin/imports/${report.id}`, 303);
    });

    scope.post('/admin/imports/csv', guard, async (request, reply) => {
      const form = readSpreadsheetForm(request.body);
      if (form.errors.any) return renderPage(request, reply, { errors: form.errors.list, values: form.values }, 400);
      const report = await csv.importCsv(request.actor, form.what, form.file);
      reply.flash(report.status === 'completed' ? `The spreadsheet was imported: ${report.created} added, ${report.updated} updated` : 'The spreadsheet was rejected: nothing was imported');
      return reply.redirect(`/admin/imports/${report.id}`, 303);
    });
  });

  await registerCsvExportRoutes(app, { csv });
}
