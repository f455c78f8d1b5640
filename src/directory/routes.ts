import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../platform/db/index.js';
import type { Clock } from '../platform/clock.js';
import type { Config } from '../platform/config.js';
import type { JobQueue } from '../platform/jobs.js';
import { permitted } from '../platform/http/guards.js';
import { can } from '../platform/auth/policy.js';
import { FormErrors, str } from '../platform/http/forms.js';
import { publicOrigin } from '../platform/tenancy.js';
import {
  FIELD_LABELS, GROUPS_SERVED, INCOME_BANDS, MEMBER_FIELDS, MEMBERSHIP, ORGANISATION_FIELDS, ORGANISATION_TYPES, RELATIONSHIPS, STATUSES, THEMES,
  displayValue, formValuesOf, inputOf, type FormValues, type OrganisationField,
} from './organisation-policy.js';
import { OrganisationsService, type OrganisationFilter, type OrganisationSort } from './organisations.js';
import { ListingChangesService } from './listing-changes.js';
import { DAYS, DELIVERY_MODES, STATUSES as SERVICE_STATUSES, keptSchedules, statusText, withBlankRows, type ServiceFormValues } from './services/service.js';
import { VERIFY_LINK_DAYS, VerificationService, type LinkCheck } from './verification.js';
import { MergeService } from './duplicates.js';
import type { LikelyDuplicate } from './duplicates.js';
import { paginationOf, readPageNumber } from '../platform/http/pagination.js';

const PAGE_SIZE = 50;
const V = 'directory/views';

const options = (labels: Record<string, string>, selected: string, key: 'selected' | 'checked' = 'selected') =>
  Object.entries(labels).map(([value, text]) => ({ value, text, [key]: value === selected }));

const asList = (v: string | string[] | undefined) => (Array.isArray(v) ? v : v ? [v] : []);

/** Everything the organisation form needs to draw its choices, from the values being shown. */
function formContext(values: FormValues, fields: readonly OrganisationField[], recordThemes: string[] = [], recordGroups: string[] = []) {
  const one = (f: OrganisationField) => (typeof values[f] === 'string' ? (values[f] as string) : '');
  const themes = asList(values.themes);
  const groups = asList(values.groups_served);
  const extraThemes = [...new Set([...recordThemes, ...themes])].filter((t) => !THEMES.includes(t));
  const extraGroups = [...new Set([...recordGroups, ...groups])].filter((g) => !(g in GROUPS_SERVED));
  return {
    values,
    show: Object.fromEntries(fields.map((f) => [f, true])),
    typeItems: [{ value: '', text: 'Not known' }, ...options(ORGANISATION_TYPES, one('organisation_type'))],
    incomeItems: [{ value: '', text: 'Not given' }, ...options(INCOME_BANDS, one('income_band'))],
    themeItems: [...THEMES, ...extraThemes].map((t) => ({ value: t, text: t, checked: themes.includes(t) })),
    groupItems: [...Object.entries(GROUPS_SERVED), ...extraGroups.map((g) => [g, g] as const)].map(([value, text]) => ({ value, text, checked: groups.includes(value) })),
    consentItems: [{ value: 'yes', text: 'Yes', checked: one('consent_to_publish') === 'yes' }, { value: 'no', text: 'No', checked: one('consent_to_publish') !== 'yes' }],
    membershipItems: options(MEMBERSHIP, one('membership') || 'none', 'checked'),
    statusItems: options(STATUSES, one('status') || 'active', 'checked'),
    relationshipItems: options(RELATIONSHIPS, one('relationship') || 'none'),
  };
}

const REASONS: Record<string, string> = { charity_number: 'Same charity number', name_and_postcode: 'Similar name, same postcode' };
const presentDuplicates = (duplicates: LikelyDuplicate[] | undefined) => duplicates?.map((d) => ({ ...d, why: d.reasons.map((r) => REASONS[r]).join('; ') }));

const SORTS: Record<Exclude<OrganisationSort, 'relevance'>, string> = { name: 'Name (A to Z)', verified: 'Least recently verified', updated: 'Recently updated' };

/** The verification e-mails and the daily sweep that sends them for listings fallen due. */
export function registerVerificationJobs(jobs: JobQueue, deps: { db: Database; clock: Clock; config: Config }) {
  const verification = new VerificationService({ ...deps, jobs });
  verification.register();
  verification.registerDailySweep(deps.config.baseUrl);
}

export async function registerOrganisationRoutes(app: FastifyInstance, deps: { db: Database; clock: Clock; config: Config; jobs: JobQueue }) {
  const organisations = new OrganisationsService(deps);
  const listingChanges = new ListingChangesService(deps);
  const verification = new VerificationService(deps);
  const merges = new MergeService(deps);
  const origin = (request: FastifyRequest) => publicOrigin(request.lio, request, deps.config.baseUrl);
  const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;

  // --- The register ---

  app.get('/organisations', { preHandler: permitted('organisations.read') }, async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const pick = (field: string, allowed: Record<string, string>) => {
      const v = str(query, field);
      return Object.hasOwn(allowed, v) ? v : '';
    };
    const values = {
      q: str(query, 'q').slice(0, 200), type: pick('type', ORGANISATION_TYPES), status: pick('status', STATUSES), membership: pick('membership', MEMBERSHIP),
      theme: str(query, 'theme').slice(0, 100), consent: pick('consent', { yes: '', no: '' }), sort: pick('sort', SORTS),
    };
    const page = readPageNumber(query);
    const sort = (values.sort || (values.q ? 'relevance' : 'name')) as OrganisationSort;
    const filter: OrganisationFilter = {
      q: values.q, type: values.type, status: values.status, membership: values.membership, theme: values.theme,
      consent: (values.consent || undefined) as 'yes' | 'no' | undefined, sort, page, pageSize: PAGE_SIZE,
    };
    const { total, items, themes } = await organisations.search(request.actor, filter);
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const params = new URLSearchParams(Object.entries(values).filter(([, v]) => v));
    const link = (p: number) => `/organisations?${new URLSearchParams([...params, ['page', String(p)]])}`;
    return reply.render(`${V}/organisations.njk`, {
      title: 'Organisations', items: items.map((o) => ({ ...o, typeLabel: displayValue('organisation_type', o.organisation_type), membershipLabel: displayValue('membership', o.membership) })),
      total, page, pages, values, filtered: params.size > 0,
      canWrite: can(request.actor, 'organisations.write'),
      typeItems: [{ value: '', text: 'Any type' }, ...options(ORGANISATION_TYPES, values.type)],
      statusItems: [{ value: '', text: 'Any status' }, ...options(STATUSES, values.status)],
      membershipItems: [{ value: '', text: 'Any membership' }, ...options(MEMBERSHIP, values.membership)],
      themeItems: [{ value: '', text: 'Any theme' }, ...[...new Set([...themes, ...(values.theme ? [values.theme] : [])])].map((t) => ({ value: t, text: t, selected: t === values.theme }))],
      consentItems: [{ value: '', text: 'Either' }, { value: 'yes', text: 'Consent given', selected: values.consent === 'yes' }, { value: 'no', text: 'No consent', selected: values.consent === 'no' }],
      sortItems: [...(values.q ? [{ value: '', text: 'Best match' }] : []), ...options(SORTS, values.sort || (values.q ? '' : 'name'))],
      pagination: paginationOf(page, pages, link, { numbered: true }),
    });
  });

  const renderForm = (reply: FastifyReply, context: { title: string; action: string; values: FormValues; errors?: FormErrors; duplicates?: LikelyDuplicate[]; record?: { id: string; name: string; themes: string[]; groups_served: string[] } }, status = 200) =>
    reply.render(`${V}/organisation-form.njk`, {
      ...formContext(context.values, ORGANISATION_FIELDS, context.record?.themes, context.record?.groups_served),
      title: context.title, action: context.action, errors: context.errors?.list, record: context.record,
      duplicates: presentDuplicates(context.duplicates), labels: FIELD_LABELS,
    }, status);

  app.get('/organisations/new', { preHandler: permitted('organisations.write') }, async (_request, reply) =>
    renderForm(reply, { title: 'Add an organisation', action: '/organisations', values: { membership: 'none', status: 'active', relationship: 'none', consent_to_publish: 'no' } }));

  app.post('/organisations', { preHandler: permitted('organisations.write') }, async (request, reply) => {
    const result = await organisations.createFromForm(request.actor, request.body);
    if (result.outcome === 'invalid') return renderForm(reply, { title: 'Add an organisation', action: '/organisations', values: result.values, errors: result.errors }, 400);
    if (result.outcome === 'duplicates') return renderForm(reply, { title: 'Add an organisation', action: '/organisations', values: result.values, errors: result.errors, duplicates: result.duplicates }, 409);
    if (result.outcome !== 'saved') return reply.callNotFound();
    return reply.flash(`${result.name} added to the register`).redirect(`/organisations/${result.id}`, 303);
  });

  app.get('/organisations/:id', { preHandler: permitted('organisations.read') }, async (request, reply) => {
    const found = await organisations.page(request.actor, idOf(request));
    if (!found) return reply.callNotFound();
    const o = found.organisation;
    const input = inputOf(o);
    const rows = ORGANISATION_FIELDS.map((f) => ({ key: { text: FIELD_LABELS[f] }, value: { text: displayValue(f, input[f]) || 'Not given' } }));
    return reply.render(`${V}/organisation.njk`, {
      title: o.name, rows, ...found,
      statusLabel: STATUSES[o.status], canWrite: can(request.actor, 'organisations.write'), canApprove: can(request.actor, 'listing.approve'),
    });
  });

  app.get('/organisations/:id/edit', { preHandler: permitted('organisations.write') }, async (request, reply) => {
    const o = await organisations.get(request.actor, idOf(request));
    if (!o || o.merged_into_id) return reply.callNotFound();
    return renderForm(reply, { title: `Edit ${o.name}`, action: `/organisations/${o.id}/edit`, values: formValuesOf(inputOf(o)), record: o });
  });

  app.post('/organisations/:id/edit', { preHandler: permitted('organisations.write') }, async (request, reply) => {
    const id = idOf(request);
    const result = await organisations.updateFromForm(request.actor, id, request.body);
    if (result.outcome === 'not_found') return reply.callNotFound();
    if (result.outcome === 'saved') {
      const n = Object.keys(result.changes).length;
      return reply.flash(n ? `${result.name} updated` : 'Nothing was changed').redirect(`/organisations/${id}`, 303);
    }
    const o = (await organisations.get(request.actor, id))!;
    return renderForm(reply, {
      title: `Edit ${o.name}`, action: `/organisations/${id}/edit`, values: result.values, errors: result.errors, record: o,
      duplicates: result.outcome === 'duplicates' ? result.duplicates : undefined,
    }, result.outcome === 'duplicates' ? 409 : 400);
  });

  app.post('/organisations/:id/verify', { preHandler: permitted('organisations.write') }, async (request, reply) => {
    const id = idOf(request);
    const name = await organisations.markVerified(request.actor, id);
    if (!name) return reply.callNotFound();
    const back = str(request.body, 'returnTo') === 'review' ? '/directory/review' : `/organisations/${id}`;
    return reply.flash(`${name} marked as verified`).redirect(back, 303);
  });

  app.post('/organisations/:id/send-verification', { preHandler: permitted('organisations.write') }, async (request, reply) => {
    const id = idOf(request);
    const result = await verification.requestEmails(request.actor, origin(request), id);
    if (result.outcome === 'not_found') return reply.callNotFound();
    if (result.outcome === 'no_email') {
      return reply.render('web/views/error.njk', { title: 'There is no email address for this organisation', message: 'Add an email address to the organisation’s record, or a contact with one, then send the verification email.' }, 400);
    }
    return reply.flash('A verification email is being sent').redirect(`/organisations/${id}`, 303);
  });

  // --- Merging duplicates ---

  app.get('/organisations/:id/merge', { preHandler: permitted('organisations.write') }, async (request, reply) => {
    const id = idOf(request);
    const withId = str(request.query, 'with');
    if (withId) return mergeCompare(request, reply, id, withId);
    const q = str(request.query, 'q').slice(0, 200);
    const found = await merges.candidates(request.actor, id, q);
    if (!found || found.organisation.merged_into_id) return reply.callNotFound();
    return reply.render(`${V}/merge.njk`, { title: `Merge ${found.organisation.name} with another record`, ...found, duplicates: presentDuplicates(found.duplicates), q });
  });

  async function mergeCompare(request: FastifyRequest, reply: FastifyReply, id: string, otherId: string, errors?: FormErrors, keep?: string) {
    const found = await merges.compare(request.actor, id, otherId);
    if (!found) return reply.callNotFound();
    if (found.a.merged_into_id) return reply.callNotFound();
    return reply.render(`${V}/merge-compare.njk`, {
      title: `Merge ${found.a.name} and ${found.b.name}`, ...found, errors: errors?.list,
      keepItems: [
        { value: found.a.id, text: `Keep ${found.a.name}`, hint: { text: `Added ${found.a.created_at.toLocaleDateString('en-GB')}` }, checked: keep === found.a.id },
        { value: found.b.id, text: `Keep ${found.b.name}`, hint: { text: `Added ${found.b.created_at.toLocaleDateString('en-GB')}` }, checked: keep === found.b.id },
      ],
    }, errors?.any ? 400 : 200);
  }

  app.post('/organisations/:id/merge', { preHandler: permitted('organisations.write') }, async (request, reply) => {
    const id = idOf(request);
    const input = { other: str(request.body, 'other'), keep: str(request.body, 'keep') };
    const result = await merges.merge(request.actor, id, input);
    if (result.notFound) return reply.callNotFound();
    if (result.errors.any || !result.outcome) {
      if (/^[0-9a-f-]{36}$/i.test(input.other) && input.other !== id) {
        const page = await mergeCompare(request, reply, id, input.other, result.errors, input.keep);
        return page;
      }
      const found = await merges.candidates(request.actor, id, '');
      if (!found) return reply.callNotFound();
      return reply.render(`${V}/merge.njk`, { title: `Merge ${found.organisation.name} with another record`, ...found, duplicates: presentDuplicates(found.duplicates), q: '',
        errors: result.errors.list.filter((e) => e.href === '#other').map((e) => ({ ...e, href: '#q' })),
      }, 400);
    }
    return reply.flash('The records have been merged. Everything from the other record is now on this one.').redirect(`/organisations/${result.outcome.keptId}`, 303);
  });

  // --- A group member's own listing ---

  const renderMine = async (request: FastifyRequest, reply: FastifyReply, values?: FormValues, errors?: FormErrors) => {
    const mine = await listingChanges.myListing(request.actor);
    if (!mine) return reply.callNotFound();
    return reply.render(`${V}/organisation-mine.njk`, {
      title: 'Our listing', ...mine, ...formContext(values ?? mine.values, MEMBER_FIELDS, mine.current.themes, mine.current.groups_served),
      errors: errors?.list, labels: FIELD_LABELS, statusText,
    }, errors?.any ? 400 : 200);
  };

  app.get('/my-organisation', { preHandler: permitted('listing.edit_own') }, async (request, reply) => renderMine(request, reply));

  app.post('/my-organisation', { preHandler: permitted('listing.edit_own') }, async (request, reply) => {
    // The form names its organisation; the service refuses (403) any but the member's own.
    const organisationId = str(request.body, 'organisationId') || request.actor!.organisationId!;
    const result = await listingChanges.propose(request.actor, organisationId, request.body);
    if (!result) return reply.callNotFound();
    if (result.outcome === 'invalid') return renderMine(request, reply, result.values, result.errors);
    if (result.outcome === 'unchanged') return reply.flash('You have not changed anything, so there is nothing to send').redirect('/my-organisation', 303);
    return reply.flash(`Your changes have been sent to ${request.lio.name}. They will appear in the directory once approved.`).redirect('/my-organisation', 303);
  });

  // A service of the member's own organisation: the same fields as staff edit for what the group knows best.
  const renderMyService = async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply, typed?: { values: ServiceFormValues; errors: FormErrors }) => {
    const mine = await listingChanges.myService(request.actor, request.params.id);
    if (!mine) return reply.callNotFound();
    return reply.render(`${V}/service-mine.njk`, {
      title: `Change ${mine.service.name}`, ...mine, values: withBlankRows(typed?.values ?? mine.values), keptSchedules: keptSchedules(mine.service.schedules),
      statuses: SERVICE_STATUSES, deliveryModes: DELIVERY_MODES, days: DAYS, errors: typed?.errors.list,
    }, typed ? 400 : 200);
  };

  app.get<{ Params: { id: string } }>('/my-organisation/services/:id', { preHandler: permitted('listing.edit_own') }, async (request, reply) => renderMyService(request, reply));

  app.post<{ Params: { id: string } }>('/my-organisation/services/:id', { preHandler: permitted('listing.edit_own') }, async (request, reply) => {
    const result = await listingChanges.proposeServiceChange(request.actor, request.params.id, request.body, request.lio.name);
    if (!result) return reply.callNotFound();
    if (result.outcome === 'invalid') return renderMyService(request, reply, result);
    const back = `/my-organisation/services/${request.params.id}`;
    if (result.outcome === 'unchanged') return reply.flash('You have not changed anything, so there is nothing to send').redirect(back, 303);
    return reply.flash(`Your changes have been sent to ${request.lio.name}. They will appear in the directory once approved.`).redirect(back, 303);
  });

  // --- Approvals ---

  const renderApprovals = async (request: FastifyRequest, reply: FastifyReply, errors?: FormErrors, notes: Record<string, string> = {}) => {
    const changes = await listingChanges.pending(request.actor);
    return reply.render(`${V}/approvals.njk`, { title: 'Listing changes to approve', changes, errors: errors?.list, notes }, errors?.any ? 400 : 200);
  };

  app.get('/directory/approvals', { preHandler: permitted('listing.approve') }, async (request, reply) => renderApprovals(request, reply));

  app.post('/directory/approvals/:id/approve', { preHandler: permitted('listing.approve') }, async (request, reply) => {
    const result = await listingChanges.approve(request.actor, idOf(request), request.lio.name);
    if (result.outcome === 'not_found') return reply.callNotFound();
    if (result.outcome === 'already_reviewed') return reply.flash('Those changes had already been reviewed').redirect('/directory/approvals', 303);
    if (result.outcome === 'cannot_apply') return renderApprovals(request, reply, result.errors);
    return reply.flash(`Changes to ${result.outcome === 'done' ? result.name : 'the listing'} approved and published`).redirect('/directory/approvals', 303);
  });

  app.post('/directory/approvals/:id/reject', { preHandler: permitted('listing.approve') }, async (request, reply) => {
    const id = idOf(request);
    const note = str(request.body, 'note');
    const result = await listingChanges.reject(request.actor, id, note, request.lio.name);
    if (result.outcome === 'not_found') return reply.callNotFound();
    if (result.outcome === 'invalid') return renderApprovals(request, reply, result.errors, { [id]: note });
    if (result.outcome !== 'done') return reply.flash('Those changes had already been reviewed').redirect('/directory/approvals', 303);
    return reply.flash(`Changes to ${result.name} not approved; the group has been told why`).redirect('/directory/approvals', 303);
  });

  // --- Review queue and verification ---

  app.get('/directory/review', { preHandler: permitted('organisations.read') }, async (request, reply) => {
    const page = readPageNumber(request.query);
    const queue = await verification.queue(request.actor, page, PAGE_SIZE);
    const pages = Math.max(1, Math.ceil(queue.total / PAGE_SIZE));
    return reply.render(`${V}/review.njk`, {
      title: 'Listings to review', ...queue, page, pages,
      canWrite: can(request.actor, 'organisations.write'), canSettings: can(request.actor, 'directory.settings'),
      pagination: paginationOf(page, pages, (p) => `/directory/review?page=${p}`),
    });
  });

  app.post('/directory/review/send', { preHandler: permitted('organisations.write') }, async (request, reply) => {
    const result = await verification.requestEmails(request.actor, origin(request));
    const count = result.outcome === 'queued' ? result.count : 0;
    return reply.flash(count === 0 ? 'No listings need an email now: every due listing was emailed in the last 14 days or has no email address'
      : `Verification emails are being sent to ${count} ${count === 1 ? 'listing' : 'listings'}`).redirect('/directory/review', 303);
  });

  app.get('/directory/settings', { preHandler: permitted('directory.settings') }, async (request, reply) => {
    const settings = await verification.settings(request.actor);
    return reply.render(`${V}/review-settings.njk`, { title: 'Directory settings', values: { verificationMonths: String(settings.verificationMonths) } });
  });

  app.post('/directory/settings', { preHandler: permitted('directory.settings') }, async (request, reply) => {
    const raw = str(request.body, 'verificationMonths');
    const result = await verification.saveSettings(request.actor, raw);
    if (result.errors.any) return reply.render(`${V}/review-settings.njk`, { title: 'Directory settings', values: { verificationMonths: raw }, errors: result.errors.list }, 400);
    return reply.flash('Settings saved').redirect('/directory/review', 303);
  });

  // --- The e-mailed link: no sign-in ---

  const linkProblem = (reply: FastifyReply, check: LinkCheck) => reply.render(`${V}/review-link-problem.njk`, {
    title: check.state === 'used' ? 'These details have already been confirmed' : check.state === 'expired' ? 'This link has expired' : 'This link is not valid',
    state: check.state, linkDays: VERIFY_LINK_DAYS,
  }, check.state === 'unknown' ? 404 : 410);

  const linkLimit = { rateLimit: { max: Math.max(30, deps.config.signInRateLimit * 3), timeWindow: '1 minute' } };

  app.get('/verify/:token', { config: linkLimit }, async (request, reply) => {
    const check = await verification.checkLink(request.lio.id, (request.params as { token: string }).token);
    if (check.state !== 'valid') return linkProblem(reply, check);
    return reply.render(`${V}/review-verify.njk`, { title: `Check the details of ${check.organisation.name}`, organisation: check.organisation });
  });

  app.post('/verify/:token', { config: linkLimit }, async (request, reply) => {
    const check = await verification.confirm(request.lio.id, (request.params as { token: string }).token);
    if (check.state !== 'valid') return linkProblem(reply, check);
    return reply.render(`${V}/review-verify-done.njk`, { title: 'Thank you: the listing is confirmed', organisation: check.organisation });
  });
}
