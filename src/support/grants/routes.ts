import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import type { JobQueue } from '../../platform/jobs.js';
import { permitted } from '../../platform/http/guards.js';
import { decimalOf, moneyText, penceOf } from '../../platform/money.js';
import { GrantsService } from './service.js';
import { claimUpload, storeUpload, uploadOf, uploadsFolder } from './uploads.js';
import { RefusedFile, sniffFormat } from './reader.js';
import { FORMATS, IMPORT_STATUSES, funderHref, grantView } from './present.js';

/** Uploads up to this size are read: a funder's whole 360Giving history is far smaller. */
export const UPLOAD_LIMIT = 300 * 1024 * 1024;
const REFRESH_SECONDS = 3;

/**
 * Grants data: advisers import 360Giving files (/support/grants/import: the file is kept on disk and imported by a
 * job; its page shows the progress until the report takes its place), and read who funds the LIO's area
 * (/support/grants), a funder's local grants, an organisation's grants, and the groups that have never had one.
 */
export async function registerGrantRoutes(app: FastifyInstance, deps: { db: Database; clock: Clock; config: Config; jobs: JobQueue }) {
  const grants = new GrantsService(deps);
  registerFunderRoutes(app, grants);
  await registerImportRoutes(app, grants, deps.config);
}

/** Reading the grants imported: who funds the area, one funder, one organisation, and the groups never funded. */
function registerFunderRoutes(app: FastifyInstance, grants: GrantsService) {
  const manage = { preHandler: permitted('funding.manage') };

  app.get('/support/grants', manage, async (request, reply) => {
    const { funders, totals } = await grants.funders(request.actor);
    return reply.render('support/grants/views/funders.njk', {
      title: 'Who funds our area', totals: { ...totals, total: moneyText(totals.total) },
      funders: funders.map((f) => ({ ...f, href: funderHref(f.identifier), total: moneyText(f.total) })),
    });
  });

  app.get<{ Params: { identifier: string } }>('/support/grants/funders/:identifier', manage, async (request, reply) => {
    const rows = await grants.funder(request.actor, request.params.identifier);
    if (!rows.length) return reply.callNotFound();
    const total = rows.filter((r) => r.currency === 'GBP').reduce((sum, r) => sum + penceOf(r.amount_awarded), 0);
    return reply.render('support/grants/views/funder.njk', {
      title: rows[0]!.funding_org_name, identifier: request.params.identifier, total: moneyText(decimalOf(total)),
      grants: rows.map((r) => ({ ...grantView(r), recipient: r.organisation_name ?? r.recipient_org_name, organisationId: r.organisation_id })),
    });
  });

  app.get<{ Params: { id: string } }>('/support/grants/organisations/:id', { preHandler: permitted('funding.view') }, async (request, reply) => {
    const found = await grants.organisationGrants(request.actor, request.params.id);
    if (!found) return reply.callNotFound();
    const total = found.grants.filter((g) => g.currency === 'GBP').reduce((sum, g) => sum + penceOf(g.amount_awarded), 0);
    return reply.render('support/grants/views/organisation.njk', {
      title: `Grants to ${found.organisation.name}`, organisation: found.organisation, total: moneyText(decimalOf(total)),
      staff: request.actor?.role !== 'group_member',
      grants: found.grants.map((g) => ({ ...grantView(g), funder: g.funding_org_name, funderHref: funderHref(g.funding_org_identifier) })),
    });
  });

  app.get('/support/grants/never-funded', manage, async (request, reply) => {
    const organisations = await grants.neverFunded(request.actor);
    return reply.render('support/grants/views/never-funded.njk', { title: 'Local groups that have never had a grant', organisations });
  });
}

/** Importing a 360Giving file: the form with the recent imports, the upload, and the import's progress then report. */
async function registerImportRoutes(app: FastifyInstance, grants: GrantsService, config: Config) {
  const importing = { preHandler: permitted('grants.import') };

  const renderImport = async (request: FastifyRequest, reply: FastifyReply, errors?: { text: string; href: string }[], status = 200) =>
    reply.render('support/grants/views/import.njk', {
      title: 'Import 360Giving grants data', errors, limitMb: UPLOAD_LIMIT / (1024 * 1024),
      imports: (await grants.recent(request.actor)).map((i) => ({ ...i, statusLabel: IMPORT_STATUSES[i.status], formatLabel: FORMATS[i.format] })),
    }, status);

  app.get('/support/grants/import', importing, async (request, reply) => renderImport(request, reply));

  app.get<{ Params: { id: string } }>('/support/grants/import/:id', importing, async (request, reply) => {
    const found = await grants.find(request.actor, request.params.id);
    if (!found) return reply.callNotFound();
    if (found.status === 'queued' || found.status === 'running') {
      const percent = found.progress.share === null ? null : Math.floor(found.progress.share * 100);
      return reply.render('support/grants/views/progress.njk', { title: found.status === 'queued' ? 'Import waiting to start' : 'Import running', item: found, percent, refreshSeconds: REFRESH_SECONDS });
    }
    return reply.render('support/grants/views/report.njk', { title: found.status === 'imported' ? 'Import report' : 'Import refused', item: { ...found, formatLabel: FORMATS[found.format] } });
  });

  await app.register(async (scope) => {
    await storeUpload(scope, uploadsFolder(config.dataDir), UPLOAD_LIMIT, permitted('grants.import'));
    scope.post('/support/grants/import', importing, async (request, reply) => {
      const upload = uploadOf(request);
      if (!upload) return renderImport(request, reply, [{ text: 'Choose a 360Giving file to import', href: '#file' }], 400);
      let format;
      try {
        format = await sniffFormat(upload.file, upload.name);
      } catch (err) {
        if (!(err instanceof RefusedFile)) throw err;
        return renderImport(request, reply, [{ text: err.message, href: '#file' }], 400);
      }
      const result = await grants.queue(request.actor, { name: upload.name, format, claim: (dir) => claimUpload(request, dir) });
      if ('busy' in result) return renderImport(request, reply, [{ text: 'Another import is waiting or running: wait for it to finish, then import this file', href: '#file' }], 400);
      return reply.flash('The import has started').redirect(`/support/grants/import/${result.id}`, 303);
    });
  });
}
