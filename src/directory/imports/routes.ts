import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import { can } from '../../platform/auth/policy.js';
import { permitted } from '../../platform/http/guards.js';
import { str } from '../../platform/http/forms.js';
import { acceptTextUploads } from '../../platform/http/multipart.js';
import { RegisterCsvService } from '../csv/service.js';
import { registerCsvExportRoutes } from '../csv/routes.js';
import type { JobQueue } from '../../platform/jobs.js';
import { readFeedForm, readSpreadsheetForm, type Fields } from './form.js';
import { KIND_LABELS, entityCounts, progressOf, type ImportIssue } from './present.js';
import { ImportHistoryService, REFUSED_DAYS } from './service.js';
import { QueuedImports } from './queued.js';
import { claimUpload, storeUploads, uploadOf, uploadsFolder } from './uploads.js';

/**
 * /admin/imports: an admin imports an Open Referral feed (its address, or ORUK JSON / HSDS CSV files) or the
 * register's own spreadsheets, and reads each import's report. A feed is imported by a job (its files kept on disk
 * until then): the admin is taken to the import's page, which shows its progress, refreshing itself, until the report
 * takes its place. A spreadsheet is small and imported while the admin waits. The report page says what was created,
 * updated and flagged, row by row for a spreadsheet.
 */

/** Seconds between refreshes of a running import's page. */
const REFRESH_SECONDS = 5;

/** Uploads up to this size are read (a whole county's feed as JSON is far smaller). */
export const UPLOAD_LIMIT = 200 * 1024 * 1024;

export async function registerImportRoutes(app: FastifyInstance, deps: { db: Database; clock: Clock; config: Config; jobs: JobQueue }) {
  const queued = new QueuedImports(deps);
  const csv = new RegisterCsvService(deps);
  const history = new ImportHistoryService(deps);
  const guard = { preHandler: permitted('directory.import') };

  const renderPage = async (request: FastifyRequest, reply: FastifyReply, extra: { errors?: { text: string; href: string }[]; values?: Fields; busy?: string } = {}, status = 200) => {
    // ?status=rejected lists only the imports refused lately, the list the home page's count opens.
    const refusedOnly = request.method === 'GET' && str(request.query, 'status') === 'rejected';
    const refused = refusedOnly ? await history.refused(request.actor) : null;
    const imports = refused ? refused.items : await history.recent(request.actor);
    return reply.render('directory/imports/views/imports.njk', {
      title: refused ? `Imports refused in the last ${REFUSED_DAYS} days` : 'Imports', imports, kinds: KIND_LABELS, values: extra.values ?? {}, errors: extra.errors, canExport: can(request.actor, 'directory.export'), canImportTaxonomy: can(request.actor, 'taxonomy.manage'),
      refused: refused ? { total: refused.total, days: REFUSED_DAYS } : null, refusedDays: REFUSED_DAYS, busy: extra.busy ?? null,
    }, status);
  };

  app.get('/admin/imports', guard, async (request, reply) => renderPage(request, reply));

  app.get<{ Params: { id: string } }>('/admin/imports/:id', guard, async (request, reply) => {
    const found = await queued.find(request.actor, request.params.id);
    if (!found) return reply.render('web/views/404.njk', { title: 'Page not found' }, 404);
    if (found.status === 'queued' || found.status === 'running') {
      return reply.render('directory/imports/views/import-progress.njk', {
        title: found.status === 'queued' ? 'Import waiting to start' : 'Import running', item: found, kinds: KIND_LABELS, progress: progressOf(found.progress),
        refreshSeconds: REFRESH_SECONDS,
      });
    }
    const counts = found.counts as Record<string, unknown>;
    return reply.render('directory/imports/views/import-report.njk', {
      title: found.status === 'completed' ? 'Import report' : 'Import rejected', item: found, counts, entities: entityCounts(counts), kinds: KIND_LABELS,
      issues: found.issues as ImportIssue[],
    });
  });

  await app.register(async (scope) => {
    await storeUploads(scope, uploadsFolder(deps.config.dataDir), UPLOAD_LIMIT, permitted('directory.import'));

    scope.post('/admin/imports/oruk', guard, async (request, reply) => {
      const upload = uploadOf(request);
      const form = readFeedForm(request.body, upload?.names ?? []);
      if (form.errors.any) return renderPage(request, reply, { errors: form.errors.list, values: form.values }, 400);
      const result = await queued.queue(request.actor, upload
        ? { kind: 'upload', names: upload.names, claim: (dir) => claimUpload(request, dir) }
        : { kind: 'url', url: form.values.url });
      if ('busy' in result) {
        return renderPage(request, reply, {
          errors: [{ text: 'Another import is waiting or running: wait for it to finish, then import this one', href: '#url' }], values: form.values, busy: result.busy,
        }, 400);
      }
      reply.flash('The import has started');
      return reply.redirect(`/admin/imports/${result.id}`, 303);
    });
  });

  await app.register(async (scope) => {
    await acceptTextUploads(scope, UPLOAD_LIMIT, guard.preHandler);

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
