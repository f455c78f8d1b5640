import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import { permitted } from '../../platform/http/guards.js';
import { str } from '../../platform/http/forms.js';
import { EMPTY_OPPORTUNITY, formValuesOf, opportunityFormValues, type OpportunityFormValues } from './form.js';
import { FundingService } from './service.js';
import { formItems, opportunityView, summaryRows } from './present.js';
import type { OpportunityList } from './repository.js';

const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;
const LISTS: Record<OpportunityList, string> = { open: 'Open', closing: 'Closing soon', past: 'Past and withdrawn' };

/**
 * Funding opportunities: advisers curate them (/support/funding), see what fits any organisation
 * (/support/funding/fit?organisation=…), and each group member sees those that fit their own (/our-support/funding).
 */
export async function registerFundingRoutes(app: FastifyInstance, deps: { db: Database; clock: Clock }) {
  const funding = new FundingService(deps);
  const manage = { preHandler: permitted('funding.manage') };

  const renderForm = async (request: FastifyRequest, reply: FastifyReply, values: OpportunityFormValues, ctx: { action: string; title: string; errors?: unknown[] }, status = 200) =>
    reply.render('support/funding/views/form.njk', { values, ...formItems(values), areasServed: await funding.formContext(request.actor), ...ctx }, status);

  app.get('/support/funding', manage, async (request, reply) => {
    const asked = str(request.query, 'show');
    const which: OpportunityList = Object.hasOwn(LISTS, asked) ? (asked as OpportunityList) : 'open';
    const { rows, counts, organisations, today } = await funding.list(request.actor, which);
    return reply.render('support/funding/views/list.njk', {
      title: 'Funding opportunities', which, opportunities: rows.map((o) => opportunityView(o, today)), counts,
      tabs: Object.entries(LISTS).map(([value, text]) => ({ href: `/support/funding?show=${value}`, text, current: value === which })),
      organisationItems: [{ value: '', text: 'Choose an organisation' }, ...organisations.map((o) => ({ value: o.id, text: o.name }))],
    });
  });

  app.get('/support/funding/new', manage, async (request, reply) =>
    renderForm(request, reply, EMPTY_OPPORTUNITY, { action: '/support/funding', title: 'Add a funding opportunity' }));

  app.post('/support/funding', manage, async (request, reply) => {
    const values = opportunityFormValues(request.body);
    const saved = await funding.add(request.actor, values);
    if (saved.errors) return renderForm(request, reply, values, { action: '/support/funding', title: 'Add a funding opportunity', errors: saved.errors.list }, 400);
    return reply.flash('Funding opportunity added').redirect(`/support/funding/${saved.id}`, 303);
  });

  app.get('/support/funding/fit', manage, async (request, reply) => {
    const organisationId = str(request.query, 'organisation');
    const found = organisationId ? await funding.forOrganisation(request.actor, organisationId) : undefined;
    if (!found) return reply.redirect('/support/funding', 303);
    return reply.render('support/funding/views/fit.njk', {
      title: `Funding that fits ${found.organisation.name}`, organisation: found.organisation, staff: true,
      eligible: found.eligible.map((o) => opportunityView(o, found.today, o.fit)), notEligible: found.notEligible.map((o) => opportunityView(o, found.today, o.fit)),
    });
  });

  app.get('/support/funding/:id', manage, async (request, reply) => {
    const found = await funding.opportunity(request.actor, idOf(request));
    if (!found) return reply.callNotFound();
    const view = opportunityView(found, funding.today());
    return reply.render('support/funding/views/show.njk', { title: `${found.programme}`, opportunity: view, rows: summaryRows(view) });
  });

  app.get('/support/funding/:id/edit', manage, async (request, reply) => {
    const found = await funding.opportunity(request.actor, idOf(request));
    if (!found) return reply.callNotFound();
    return renderForm(request, reply, formValuesOf(found), { action: `/support/funding/${found.id}`, title: `Change ${found.programme}` });
  });

  app.post('/support/funding/:id', manage, async (request, reply) => {
    const values = opportunityFormValues(request.body);
    const saved = await funding.edit(request.actor, idOf(request), values);
    if (!saved) return reply.callNotFound();
    if (saved.errors) return renderForm(request, reply, values, { action: `/support/funding/${idOf(request)}`, title: 'Change the funding opportunity', errors: saved.errors.list }, 400);
    return reply.flash('Funding opportunity changed').redirect(`/support/funding/${saved.id}`, 303);
  });

  app.post('/support/funding/:id/withdraw', manage, async (request, reply) => {
    if (!(await funding.withdraw(request.actor, idOf(request)))) return reply.callNotFound();
    return reply.flash('Funding opportunity withdrawn: groups no longer see it').redirect('/support/funding?show=past', 303);
  });

  // A group member: funding that fits their own organisation, and their e-mail digests.
  app.get('/our-support/funding', { preHandler: permitted('funding.portal') }, async (request, reply) => {
    const found = await funding.forOwnGroup(request.actor);
    if (!found) return reply.callNotFound();
    return reply.render('support/funding/views/fit.njk', {
      title: 'Funding for your group', organisation: found.organisation, staff: false, digestsStopped: found.digestsStopped,
      eligible: found.eligible.map((o) => opportunityView(o, found.today, o.fit)), notEligible: found.notEligible.map((o) => opportunityView(o, found.today, o.fit)),
    });
  });

  app.post('/our-support/funding/digests', { preHandler: permitted('funding.portal') }, async (request, reply) => {
    const wanted = str(request.body, 'digests') === 'start';
    await funding.setDigests(request.actor, wanted);
    return reply.flash(wanted ? 'You will get funding e-mails again' : 'You will not get funding e-mails').redirect('/our-support/funding', 303);
  });
}
