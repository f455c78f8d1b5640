import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import { permitted } from '../../platform/http/guards.js';
import { FUNDING_APPLICATION_STATUSES } from '../vocabulary.js';
import { dateBoxes } from '../casework/form.js';
import { ApplicationsService } from './service.js';
import { applicationValues, readApplication, type ApplicationValues } from './form.js';
import { moneyText } from '../../platform/money.js';

type Params = { Params: { id: string; applicationId?: string } };
const write = permitted('cases.write');

/** Funding applications supported, recorded on a case: /support/cases/:id/applications/new and each one's page. */
export async function registerApplicationRoutes(app: FastifyInstance, deps: { db: Database; clock: Clock }) {
  const applications = new ApplicationsService(deps);

  const render = async (request: FastifyRequest<Params>, reply: FastifyReply, values: ApplicationValues | null, errors?: { text: string; href: string }[]) => {
    const found = await applications.find(request.actor, request.params.id, request.params.applicationId);
    if (!found) return reply.callNotFound();
    const a = found.application;
    const shown = values ?? (a ? applicationValues({
      funder: a.funder_name, programme: a.programme ?? '', amountRequested: moneyText(a.amount_requested), status: a.status, amountAwarded: moneyText(a.amount_awarded),
      ...dateBoxes('submitted', a.submitted_on), ...dateBoxes('decision', a.decision_on),
    }) : applicationValues({ status: 'in_preparation' }));
    return reply.render('support/applications/views/form.njk', {
      title: a ? `Funding application to ${a.funder_name}` : 'Record a funding application', c: found.case, values: shown, errors,
      action: a ? `/support/cases/${found.case.id}/applications/${a.id}` : `/support/cases/${found.case.id}/applications`,
      statuses: Object.entries(FUNDING_APPLICATION_STATUSES).map(([value, text]) => ({ value, text, checked: shown.status === value })),
    }, errors ? 400 : 200);
  };

  app.get<Params>('/support/cases/:id/applications/new', { preHandler: write }, async (request, reply) => render(request, reply, null));
  app.post<Params>('/support/cases/:id/applications', { preHandler: write }, async (request, reply) => {
    const values = applicationValues(request.body);
    const { errors, answer } = readApplication(values, deps.clock.now());
    if (!answer) return render(request, reply, values, errors.list);
    if (!(await applications.add(request.actor, request.params.id, answer))) return reply.callNotFound();
    return reply.flash('Funding application recorded').redirect(`/support/cases/${request.params.id}`, 303);
  });

  app.get<Params>('/support/cases/:id/applications/:applicationId', { preHandler: write }, async (request, reply) => render(request, reply, null));
  app.post<Params>('/support/cases/:id/applications/:applicationId', { preHandler: write }, async (request, reply) => {
    const values = applicationValues(request.body);
    const { errors, answer } = readApplication(values, deps.clock.now());
    if (!answer) return render(request, reply, values, errors.list);
    if (!(await applications.update(request.actor, request.params.id, request.params.applicationId!, answer))) return reply.callNotFound();
    return reply.flash(answer.status === 'awarded' ? `Award of ${moneyText(answer.amount_awarded)} recorded` : 'Funding application updated').redirect(`/support/cases/${request.params.id}`, 303);
  });
}
