import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { JobQueue } from '../../platform/jobs.js';
import { permitted } from '../../platform/http/guards.js';
import { FormErrors, str } from '../../platform/http/forms.js';
import { FIELD_LABELS, MEMBER_FIELDS } from '../organisations/record.js';
import type { FormValues } from '../organisations/form.js';
import { formContext } from '../organisations/present.js';
import { DAYS, DELIVERY_MODES, STATUSES as SERVICE_STATUSES, keptSchedules, statusText, withBlankRows, type ServiceFormValues } from '../services/service.js';
import { ListingChangesService } from './service.js';

const V = 'directory/listing-changes/views';

/** A group member's own listing and services, and the changes they propose, which staff approve or reject. */
export async function registerListingChangeRoutes(app: FastifyInstance, deps: { db: Database; clock: Clock; jobs: JobQueue }) {
  const listingChanges = new ListingChangesService(deps);
  const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;

  // --- A group member's own listing ---

  const renderMine = async (request: FastifyRequest, reply: FastifyReply, values?: FormValues, errors?: FormErrors) => {
    const mine = await listingChanges.myListing(request.actor);
    if (!mine) return reply.callNotFound();
    return reply.render(`${V}/my-organisation.njk`, {
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
    return reply.render(`${V}/my-service.njk`, {
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
}
