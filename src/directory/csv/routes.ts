import type { FastifyInstance } from 'fastify';
import { permitted } from '../../platform/http/guards.js';
import type { RegisterCsvService } from './service.js';

/** Spreadsheet downloads of the register, for staff with the export permission (each one audited). */
export async function registerCsvExportRoutes(app: FastifyInstance, deps: { csv: RegisterCsvService }) {
  const guard = { preHandler: permitted('directory.export') };
  const send = (what: string, body: string) => ({
    body: `\ufeff${body}`,
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${what}-${new Date().toISOString().slice(0, 10)}.csv"`,
      'cache-control': 'no-store',
    },
  });

  app.get('/organisations/export.csv', guard, async (request, reply) => {
    const out = send('organisations', await deps.csv.exportOrganisations(request.actor));
    return reply.headers(out.headers).send(out.body);
  });

  app.get('/services/export.csv', guard, async (request, reply) => {
    const out = send('services', await deps.csv.exportServices(request.actor));
    return reply.headers(out.headers).send(out.body);
  });
}
