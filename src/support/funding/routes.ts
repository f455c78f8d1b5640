import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import { permitted } from '../../platform/http/guards.js';
import { str } from '../../platform/http/forms.js';
import { registerOneStepLink } from '../../platform/http/one-step-links.js';
import { EMPTY_OPPORTUNITY, formValuesOf, opportunityFormValues, type OpportunityFormValues } from './form.js';
import { FundingService } from './service.js';
import { formItems, opportunityView, summaryRows } from './present.js';
import type { OpportunityList } from './repository.js';

const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;
const V = 'support/funding/views';
const LISTS: Record<OpportunityList, string> = { open: 'Open', closing: 'Closing soon', past: 'Past and withdrawn' };

/**
 * Funding opportunities: advisers curate them (/support/funding), see what fits any organisation
 * (/support/funding/fit?organisation=…), and each group member sees those that fit their own (/our-support/funding)
 * and gets e-mail digests of them, which a link in each stops without signing in.
 */
export async function registerFundingRoutes(app: FastifyInstance, deps: { db: Database; clock: Clock; config: Config }) {
  const funding = new FundingService(deps);
  registerCurationPages(app, funding);
  registerCurationActions(app, funding);
  registerGroupPages(app, funding);
  registerDigestStopLinks(app, funding);
}

const manage = { preHandler: permitted('funding.manage') };

const renderForm = async (funding: FundingService, request: FastifyRequest, reply: FastifyReply, values: OpportunityFormValues, ctx: { action: string; title: string; errors?: unknown[] }, status = 200) =>
  reply.render('support/funding/views/form.njk', { values, ...formItems(values), areasServed: await funding.formContext(request.actor), ...ctx }, status);

/** The advisers' pages: the lists, what fits an organisation, one opportunity and its forms. */
function registerCurationPages(app: FastifyInstance, funding: FundingService) {
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
    renderForm(funding, request, reply, EMPTY_OPPORTUNITY, { action: '/support/funding', title: 'Add a funding opportunity' }));

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
    return renderForm(funding, request, reply, formValuesOf(found), { action: `/support/funding/${found.id}`, title: `Change ${found.programme}` });
  });
}

/** The advisers' forms: adding, changing and withdrawing an opportunity. */
function registerCurationActions(app: FastifyInstance, funding: FundingService) {
  app.post('/support/funding', manage, async (request, reply) => {
    const values = opportunityFormValues(request.body);
    const saved = await funding.add(request.actor, values);
    if (saved.errors) return renderForm(funding, request, reply, values, { action: '/support/funding', title: 'Add a funding opportunity', errors: saved.errors.list }, 400);
    return reply.flash('Funding opportunity added').redirect(`/support/funding/${saved.id}`, 303);
  });

  app.post('/support/funding/:id', manage, async (request, reply) => {
    const values = opportunityFormValues(request.body);
    const saved = await funding.edit(request.actor, idOf(request), values);
    if (!saved) return reply.callNotFound();
    if (saved.errors) return renderForm(funding, request, reply, values, { action: `/support/funding/${idOf(request)}`, title: 'Change the funding opportunity', errors: saved.errors.list }, 400);
    return reply.flash('Funding opportunity changed').redirect(`/support/funding/${saved.id}`, 303);
  });

  app.post('/support/funding/:id/withdraw', manage, async (request, reply) => {
    if (!(await funding.withdraw(request.actor, idOf(request)))) return reply.callNotFound();
    return reply.flash('Funding opportunity withdrawn: groups no longer see it').redirect('/support/funding?show=past', 303);
  });
}

/** A group member: funding that fits their own organisation, and their e-mail digests. */
function registerGroupPages(app: FastifyInstance, funding: FundingService) {
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

/** The link in each digest e-mail: its page stops the digests with one button, no sign-in needed; the signature in the link is the proof. */
function registerDigestStopLinks(app: FastifyInstance, funding: FundingService) {
  const stopped = (title: string, message: string) => ({ template: `${V}/stopped.njk`, context: { title, message } });
  registerOneStepLink(app, {
    path: '/funding/digests/stop/:token',
    find: (lioId, token) => funding.stopLink(lioId, token),
    act: (lioId, token) => funding.stopByLink(lioId, token),
    pages: {
      ask: (link) => ({ template: `${V}/stop.njk`, context: { title: 'Stop funding e-mails', email: link.email, already: link.already } }),
      outcome: (outcome) => (outcome === 'done'
        ? stopped('Funding e-mails stopped', 'We will not send you any more e-mails about funding.')
        : stopped('Funding e-mails were already stopped', 'This link was used before: we had already stopped your e-mails about funding.')),
      unknown: { template: `${V}/stop-unknown.njk`, context: { title: 'We do not recognise this link' } },
    },
    oneClickAnswers: { done: 'Funding e-mails stopped', already: 'Funding e-mails were already stopped', unknown: 'Unknown link' },
  });
}
