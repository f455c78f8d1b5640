import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import type { JobQueue } from '../../platform/jobs.js';
import type { ReferralStatus } from '../../platform/db/volunteering-schema.js';
import { permitted } from '../../platform/http/guards.js';
import { str } from '../../platform/http/forms.js';
import { readPeriod } from '../../platform/http/period.js';
import { can } from '../../platform/auth/policy.js';
import { paginationOf, readPageNumber } from '../../platform/http/pagination.js';
import { publicOrigin } from '../../platform/tenancy.js';
import { isUuid } from '../../platform/validation/ids.js';
import { toCsv } from '../../platform/csv.js';
import { REFERRAL_STATUSES } from '../vocabulary.js';
import { publicReads } from '../../platform/http/request-context.js';
import { OpportunitiesService } from '../opportunities/service.js';
import { closedRolePage } from '../opportunities/present.js';
import { LINK_DAYS, ReferralsService, STEP_BUTTONS, figureRows, type Outcome } from './service.js';

const V = 'volunteering/referrals/views';
const PAGE_SIZE = 50;

const day = (at: Date | string | null) => (at ? new Date(at).toLocaleDateString('en-GB', { dateStyle: 'medium', timeZone: 'Europe/London' }) : '');
const statusItems = (selected: string) => [{ value: '', text: 'Any status' }, ...Object.entries(REFERRAL_STATUSES).map(([value, text]) => ({ value, text, selected: value === selected }))];
const actions = (next: ReferralStatus[]) => next.map((step) => ({ step, text: STEP_BUTTONS[step], needsReason: step === 'declined' || step === 'ended' }));

/** Referrals: the volunteer's enquiry, the coordinator's list and page, the organisation's portal and e-mailed link, and the figures. */
export async function registerReferralRoutes(app: FastifyInstance, deps: { db: Database; clock: Clock; config: Config; jobs: JobQueue }) {
  const referrals = new ReferralsService(deps);
  const roles = new OpportunitiesService(deps);
  const origin = (request: FastifyRequest) => publicOrigin(request.lio, request, deps.config.baseUrl);
  const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;
  const present = (r: { status: ReferralStatus; enquired_at: Date | string; referred_at: Date | string | null; escalated_at: Date | string | null; chased_at: Date | string | null }) => ({
    ...r, statusLabel: REFERRAL_STATUSES[r.status], enquiredOn: day(r.enquired_at), referredOn: day(r.referred_at),
    pastLimit: r.status === 'referred' && r.escalated_at !== null, chased: r.status === 'referred' && r.chased_at !== null,
  });

  // --- The volunteer's enquiry ---

  const enquiryPage = async (request: FastifyRequest, reply: FastifyReply, errors: { text: string; href: string }[] = [], status = 200) => {
    const id = idOf(request);
    if (!request.actor) {
      // Asked to sign in only for a role they could then enquire about.
      const found = await roles.publicPage(publicReads(request, deps.db), request.lio.id, id);
      if (!found) return reply.callNotFound();
      if (!found.open) return closedRolePage(reply, found.closed);
      return reply.render(`${V}/enquire-sign-in.njk`, { title: 'Sign in to enquire about this role', signIn: `/sign-in?returnTo=${encodeURIComponent(`/opportunities/${id}/enquire`)}` });
    }
    if (!can(request.actor, 'volunteering.self')) {
      return reply.render('web/views/error.njk', { title: 'Only volunteers can enquire about a role', message: 'Sign in with your volunteer account, or refer a volunteer from the referrals pages.' }, 403);
    }
    const check = await referrals.enquiryCheck(request.actor, id);
    if (!check) return reply.callNotFound();
    return reply.render(`${V}/enquire.njk`, { title: `Enquire about ${check.role.title}`, ...check, errors: errors.length ? errors : undefined }, status);
  };

  app.get('/opportunities/:id/enquire', async (request, reply) => enquiryPage(request, reply));

  app.post('/opportunities/:id/enquire', { preHandler: permitted('volunteering.self') }, async (request, reply) => {
    const outcome = await referrals.enquire(request.actor, idOf(request));
    if (!outcome.ok) {
      if (outcome.missing) return reply.callNotFound();
      return enquiryPage(request, reply, [{ text: outcome.message, href: '#enquire' }], 400);
    }
    return reply.flash('Your enquiry has been sent').redirect('/my-volunteering/enquiries', 303);
  });

  app.get('/my-volunteering/enquiries', { preHandler: permitted('volunteering.self') }, async (request, reply) => {
    const rows = await referrals.mine(request.actor);
    return reply.render(`${V}/mine.njk`, {
      title: 'Your enquiries', registered: rows !== null,
      enquiries: (rows ?? []).map((r) => ({ ...present(r), canWithdraw: referrals.nextFor(r.status, 'volunteer').length > 0 })),
    });
  });

  app.post('/my-volunteering/enquiries/:id/withdraw', { preHandler: permitted('volunteering.self') }, async (request, reply) => {
    const outcome = await referrals.act(request.actor, idOf(request), 'withdrawn', '', origin(request), 'volunteer');
    if (!outcome.ok && outcome.missing) return reply.callNotFound();
    return reply.flash(outcome.ok ? 'Enquiry withdrawn' : outcome.message).redirect('/my-volunteering/enquiries', 303);
  });

  // --- The coordinator's list, form and page ---

  app.get('/volunteering/referrals', { preHandler: permitted('referrals.manage') }, async (request, reply) => {
    const status = str(request.query, 'status');
    const organisation = str(request.query, 'organisation');
    const pastLimit = str(request.query, 'waiting') === 'past';
    const page = readPageNumber(request.query);
    const filter = {
      ...(status in REFERRAL_STATUSES ? { status: status as ReferralStatus } : {}),
      ...(isUuid(organisation) ? { organisationId: organisation } : {}),
      pastLimit,
    };
    const { total, rows, organisations } = await referrals.list(request.actor, filter, page, PAGE_SIZE);
    const query = { ...(filter.status ? { status } : {}), ...(filter.organisationId ? { organisation } : {}), ...(pastLimit ? { waiting: 'past' } : {}) };
    return reply.render(`${V}/list.njk`, {
      title: pastLimit ? 'Volunteers waiting past the limit' : 'Referrals', total, referrals: rows.map(present), pastLimit,
      statuses: statusItems(filter.status ?? ''),
      organisations: [{ value: '', text: 'Any organisation' }, ...organisations.map((o) => ({ value: o.id, text: o.name, selected: o.id === organisation }))],
      pagination: paginationOf(page, Math.ceil(total / PAGE_SIZE), (n) => `/volunteering/referrals?${new URLSearchParams({ ...query, page: String(n) })}`),
    });
  });

  const referForm = async (request: FastifyRequest, reply: FastifyReply, values: { volunteer: string; role: string }, errors?: { text: string; href: string }[]) => {
    const choices = await referrals.referChoices(request.actor!);
    return reply.render(`${V}/new.njk`, {
      title: 'Refer a volunteer to a role', errors, values,
      volunteers: [{ value: '', text: 'Choose a volunteer' }, ...choices.volunteers.map((v) => ({ value: v.id, text: v.full_name, selected: v.id === values.volunteer }))],
      roles: [{ value: '', text: 'Choose a role' }, ...choices.roles.map((o) => ({ value: o.id, text: o.organisation_name ? `${o.title} (${o.organisation_name})` : o.title, selected: o.id === values.role }))],
    }, errors ? 400 : 200);
  };

  app.get('/volunteering/referrals/new', { preHandler: permitted('referrals.manage') }, async (request, reply) =>
    referForm(request, reply, { volunteer: str(request.query, 'volunteer'), role: str(request.query, 'role') }));

  app.post('/volunteering/referrals', { preHandler: permitted('referrals.manage') }, async (request, reply) => {
    const values = { volunteer: str(request.body, 'volunteer'), role: str(request.body, 'role') };
    const outcome = await referrals.refer(request.actor, values.volunteer, values.role, origin(request));
    if (!outcome.ok) return referForm(request, reply, values, [{ text: outcome.message, href: `#${outcome.field}` }]);
    return reply.flash(outcome.notice ?? 'Volunteer referred: the organisation has been e-mailed').redirect(`/volunteering/referrals/${outcome.id}`, 303);
  });

  const referralPage = async (request: FastifyRequest, reply: FastifyReply, party: 'coordinator' | 'organisation', failed?: Outcome & { ok: false }, reason = '') => {
    const shown = await referrals.show(request.actor!, idOf(request), party);
    if (!shown) return reply.callNotFound();
    const base = party === 'coordinator' ? '/volunteering/referrals' : '/our-volunteering/referrals';
    return reply.render(`${V}/referral.njk`, {
      title: `${shown.referral.volunteer_name}: ${shown.referral.role_title}`, party, action: `${base}/${shown.referral.id}/steps`, back: base,
      referral: present(shown.referral), volunteer: shown.volunteer, reason,
      steps: shown.steps.map((s) => ({ ...s, on: day(s.at), label: s.step === 'chased' ? 'Organisation reminded' : s.step === 'escalated' ? 'Passed to the coordinators' : REFERRAL_STATUSES[s.step as ReferralStatus], by: s.display_name ?? s.actor_label ?? '' })),
      actions: actions(shown.next), errors: failed ? [{ text: failed.message, href: `#${failed.field}` }] : undefined,
    }, failed ? 400 : 200);
  };

  const stepRoute = (party: 'coordinator' | 'organisation') => async (request: FastifyRequest, reply: FastifyReply) => {
    const reason = str(request.body, 'reason');
    const outcome = await referrals.act(request.actor!, idOf(request), str(request.body, 'step'), reason, origin(request), party);
    if (!outcome.ok) {
      if (outcome.missing) return reply.callNotFound();
      return referralPage(request, reply, party, outcome, reason);
    }
    const base = party === 'coordinator' ? '/volunteering/referrals' : '/our-volunteering/referrals';
    return reply.flash(outcome.notice ?? 'Referral updated').redirect(`${base}/${outcome.id}`, 303);
  };

  app.get('/volunteering/referrals/:id', { preHandler: permitted('referrals.manage') }, async (request, reply) => referralPage(request, reply, 'coordinator'));
  app.post('/volunteering/referrals/:id/steps', { preHandler: permitted('referrals.manage') }, stepRoute('coordinator'));

  // --- The organisation's portal ---

  app.get('/our-volunteering/referrals', { preHandler: permitted('referrals.answer') }, async (request, reply) => {
    const page = readPageNumber(request.query);
    const result = await referrals.forOrganisation(request.actor, page, PAGE_SIZE);
    if (!result) return reply.render('web/views/error.njk', { title: 'Your account is not linked to an organisation', message: 'Ask the LIO to link your account to your organisation.' }, 403);
    return reply.render(`${V}/portal.njk`, {
      title: 'Volunteers referred to you', total: result.total, referrals: result.rows.map(present),
      pagination: paginationOf(page, Math.ceil(result.total / PAGE_SIZE), (n) => `/our-volunteering/referrals?page=${n}`),
    });
  });
  app.get('/our-volunteering/referrals/:id', { preHandler: permitted('referrals.answer') }, async (request, reply) => referralPage(request, reply, 'organisation'));
  app.post('/our-volunteering/referrals/:id/steps', { preHandler: permitted('referrals.answer') }, stepRoute('organisation'));

  // --- The e-mailed link: no sign-in ---

  const linkLimit = { rateLimit: { max: Math.max(30, deps.config.signInRateLimit * 3), timeWindow: '1 minute' } };
  const tokenOf = (request: FastifyRequest) => (request.params as { token: string }).token;
  const linkProblem = (reply: FastifyReply, state: 'unknown' | 'expired' | 'used') => reply.render(`${V}/link-problem.njk`, {
    title: state === 'used' ? 'This referral has already been answered' : state === 'expired' ? 'This link has expired' : 'This link is not valid',
    state, linkDays: LINK_DAYS,
  }, state === 'unknown' ? 404 : 410);

  const linkPage = async (request: FastifyRequest, reply: FastifyReply, failed?: Outcome & { ok: false }, reason = '') => {
    const check = await referrals.checkLink(request.lio.id, tokenOf(request));
    if (check.state !== 'valid') return linkProblem(reply, check.state);
    return reply.render(`${V}/link.njk`, {
      title: `A volunteer for ${check.referral.role_title}`, referral: present(check.referral), volunteer: check.volunteer, reason,
      actions: actions(check.next), errors: failed ? [{ text: failed.message, href: `#${failed.field}` }] : undefined,
    }, failed ? 400 : 200);
  };

  app.get('/volunteer/referral/:token', { config: linkLimit }, async (request, reply) => linkPage(request, reply));

  app.post('/volunteer/referral/:token', { config: linkLimit }, async (request, reply) => {
    const reason = str(request.body, 'reason');
    const step = str(request.body, 'step');
    const answer = await referrals.answerByLink(request.lio.id, tokenOf(request), step, reason);
    if (answer.state !== 'valid') return linkProblem(reply, answer.state);
    if (answer.outcome && !answer.outcome.ok) return linkPage(request, reply, answer.outcome, reason);
    if (step === 'contacted') return reply.flash('Thank you: marked as contacted. Use the same link to accept or decline the volunteer.').redirect(request.url, 303);
    return reply.render(`${V}/link-done.njk`, { title: step === 'accepted' ? 'Thank you: the volunteer is accepted' : 'Thank you: the volunteer is declined', step });
  });

  // --- Figures ---

  const period = (query: unknown) => {
    const today = referrals.today();
    return readPeriod(query, { from: `${today.slice(0, 8)}01`, to: today });
  };

  app.get('/volunteering/figures', { preHandler: permitted('volunteering.figures') }, async (request, reply) => {
    const { period: p, errors, values } = period(request.query);
    if (!p) return reply.render(`${V}/figures.njk`, { title: 'Volunteering figures', values, errors: errors.list, rows: null }, 400);
    const rows = figureRows(await referrals.figures(request.actor, p));
    return reply.render(`${V}/figures.njk`, { title: 'Volunteering figures', values, rows, period: { from: day(p.from), to: day(p.to) },
      csvHref: `/volunteering/figures.csv?${new URLSearchParams({ from: p.from, to: p.to })}` });
  });

  app.get('/volunteering/figures.csv', { preHandler: permitted('volunteering.figures') }, async (request, reply) => {
    const { period: p, errors } = period(request.query);
    if (!p) return reply.code(400).type('text/plain; charset=utf-8').send(errors.list.map((e) => e.text).join('\n'));
    const rows = await referrals.figuresCsv(request.actor, p);
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="volunteering-figures-${p.from}-to-${p.to}.csv"`)
      .header('cache-control', 'no-store').send(toCsv(['Figure', `${p.from} to ${p.to}`], rows));
  });
}
