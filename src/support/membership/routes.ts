import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import { permitted } from '../../platform/http/guards.js';
import { MembershipService, type MembershipAction } from './service.js';
import { joinValues, typeValues, REGISTER_FLAGS, type JoinValues, type TypeValues } from './form.js';
import { membershipRows, statusText, typeItems, typeRows } from './present.js';

const VIEWS = 'support/membership/views';
type Errors = { text: string; href: string }[];
const DONE: Record<MembershipAction, (name: string, renewsOn?: string | null) => string> = {
  approve: (name) => `${name} is now a member`,
  renew: (name, renewsOn) => `${name}’s membership is renewed until ${renewsOn ? new Date(`${renewsOn}T12:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric' }) : 'its next date'}`,
  end: (name) => `${name}’s membership has ended`,
};

const manage = { preHandler: permitted('membership.manage') };

/** Membership: staff keep it at /support/membership; a group member sees and asks for their own at /our-support/membership. */
export async function registerMembershipRoutes(app: FastifyInstance, deps: { db: Database; clock: Clock }) {
  const membership = new MembershipService(deps);
  registerStaffPages(app, membership);
  registerStaffActions(app, membership);
  registerOwnMembership(app, membership);
}

const renderTypes = async (membership: MembershipService, request: FastifyRequest, reply: FastifyReply, values: TypeValues, errors?: Errors) => {
  const o = await membership.overview(request.actor);
  const flags = Object.entries(REGISTER_FLAGS).map(([value, text]) => ({ value, text, checked: values.registerFlag === value }));
  return reply.render(`${VIEWS}/types.njk`, { title: 'Membership types', types: typeRows(o.types), values, flags, errors }, errors ? 400 : 200);
};

const renderAdd = async (membership: MembershipService, request: FastifyRequest, reply: FastifyReply, values: JoinValues, errors?: Errors) => {
  const c = await membership.joinChoices(request.actor);
  return reply.render(`${VIEWS}/add.njk`, {
    title: 'Add a member', values, errors, types: typeItems(c.types, values.typeId), hasTypes: c.types.length > 0,
    organisations: [{ value: '', text: 'Choose an organisation' }, ...c.organisations.map((o) => ({ value: o.id, text: o.name, selected: o.id === values.organisationId }))],
  }, errors ? 400 : 200);
};

/** The staff's overview, membership types and the form to add a member. */
function registerStaffPages(app: FastifyInstance, membership: MembershipService) {
  app.get('/support/membership', manage, async (request, reply) => {
    const o = await membership.overview(request.actor);
    return reply.render(`${VIEWS}/overview.njk`, {
      title: 'Membership', pending: membershipRows(o.pending), due: membershipRows(o.due), all: membershipRows(o.all), hasTypes: o.types.length > 0,
    });
  });
  app.get('/support/membership/types', manage, async (request, reply) =>
    renderTypes(membership, request, reply, { name: '', description: '', registerFlag: 'member', annualFee: '', termMonths: '12' }));
  app.get('/support/membership/new', manage, async (request, reply) => renderAdd(membership, request, reply, { organisationId: '', typeId: '' }));
}

/** Adding a type and a member, and approving, renewing and ending a membership. */
function registerStaffActions(app: FastifyInstance, membership: MembershipService) {
  app.post('/support/membership/types', manage, async (request, reply) => {
    const values = typeValues(request.body);
    const errors = await membership.addType(request.actor, values);
    if (errors.any) return renderTypes(membership, request, reply, values, errors.list);
    return reply.flash(`Membership type “${values.name}” added`).redirect('/support/membership/types', 303);
  });

  app.post('/support/membership/new', manage, async (request, reply) => {
    const values = joinValues(request.body);
    const errors = await membership.add(request.actor, values);
    if (errors.any) return renderAdd(membership, request, reply, values, errors.list);
    return reply.flash('Member added: the register now shows them as a member').redirect('/support/membership', 303);
  });

  for (const action of ['approve', 'renew', 'end'] as const) {
    app.post(`/support/membership/:id/${action}`, manage, async (request, reply) => {
      const outcome = await membership.act(request.actor, (request.params as { id: string }).id, action);
      if (!outcome) return reply.callNotFound();
      return reply.flash(outcome.done ? DONE[action](outcome.name, outcome.renewsOn) : `Nothing changed: ${outcome.name}’s membership was not in a state to ${action}`)
        .redirect('/support/membership', 303);
    });
  }
}

/** A group member's own organisation's membership, and their application to join. */
function registerOwnMembership(app: FastifyInstance, membership: MembershipService) {
  const renderOwn = async (request: FastifyRequest, reply: FastifyReply, values: JoinValues, errors?: Errors) => {
    const own = await membership.own(request.actor);
    return reply.render(`${VIEWS}/own.njk`, {
      title: 'Your membership', organisation: own.organisation, membership: own.membership ? { ...own.membership, statusText: statusText(own.membership.status) } : null,
      types: typeItems(own.types, values.typeId), hasTypes: own.types.length > 0, values, errors,
    }, errors ? 400 : 200);
  };
  app.get('/our-support/membership', { preHandler: permitted('membership.join') }, async (request, reply) => renderOwn(request, reply, { organisationId: '', typeId: '' }));
  app.post('/our-support/membership', { preHandler: permitted('membership.join') }, async (request, reply) => {
    const values = joinValues(request.body);
    const errors = await membership.apply(request.actor, values);
    if (errors.any) return renderOwn(request, reply, values, errors.list);
    return reply.flash('Thank you: your application to join is with us, and we will let you know when it is approved').redirect('/our-support/membership', 303);
  });
}
