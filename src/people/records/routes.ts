import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import { str } from '../../platform/http/forms.js';
import { formatUkPhone } from '../../platform/validation/phones.js';
import { londonDay } from '../../platform/validation/dates.js';
import { permitted } from '../../platform/http/guards.js';
import { paginationOf, readPageNumber } from '../../platform/http/pagination.js';
import { RecordsService, PAGE_SIZE } from './service.js';
import { SHOWN_ON_FORM, consentFormValues, personFormValues, personFormValuesOf, type ConsentFormValues, type PersonFormValues } from './form.js';
import { consentMethodItems, consentPurposeItems, contactMethodItems, listRows } from './present.js';

const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;

function formContext(values: PersonFormValues, extra: Record<string, unknown>) {
  return { values, contactMethods: contactMethodItems(values.contactMethods), ...extra };
}

function consentContext(personId: string, values: ConsentFormValues, today: Date) {
  const [year, month, day] = londonDay(today).split('-');
  const filled = values.givenDay || values.givenMonth || values.givenYear ? values
    : { ...values, givenDay: String(Number(day)), givenMonth: String(Number(month)), givenYear: year! };
  return { title: 'Record a consent', personId, values: filled, purposes: consentPurposeItems(values.purpose), methods: consentMethodItems(values.method) };
}

/** The addresses and numbers beyond the form's boxes: shown, and kept as they are when the form is saved. */
function alsoHeld(p: { emails: string[]; phones: string[] }): string[] {
  return [...p.emails.slice(SHOWN_ON_FORM), ...p.phones.slice(SHOWN_ON_FORM).map(formatUkPhone)];
}

const EMPTY_CONSENT: ConsentFormValues = { purpose: '', method: '', wordingVersion: '', givenDay: '', givenMonth: '', givenYear: '' };

/** The register of people: search, add, correct, consents. */
export async function registerRecordRoutes(app: FastifyInstance, deps: { db: Database; clock: Clock }) {
  const records = new RecordsService(deps);

  app.get('/people', { preHandler: permitted('people.read') }, async (request, reply) => {
    const q = str(request.query, 'q').slice(0, 200);
    const page = readPageNumber(request.query);
    const { total, rows } = await records.list(request.actor, q, page);
    const link = (n: number) => `/people?${new URLSearchParams({ ...(q ? { q } : {}), page: String(n) })}`;
    return reply.render('people/records/views/list.njk', {
      title: 'People', q, total, people: listRows(rows), pagination: paginationOf(page, Math.ceil(total / PAGE_SIZE), link),
    });
  });

  app.get('/people/new', { preHandler: permitted('people.write') }, async (_request, reply) =>
    reply.render('people/records/views/form.njk', formContext(personFormValues({}), { title: 'Add a person', action: '/people' })));

  app.post('/people', { preHandler: permitted('people.write') }, async (request, reply) => {
    const values = personFormValues(request.body);
    const saved = await records.create(request.actor, values);
    if (saved.errors) return reply.render('people/records/views/form.njk', formContext(values, { title: 'Add a person', action: '/people', errors: saved.errors.list }), 400);
    return reply.flash('Person added').redirect(`/people/${saved.id}`, 303);
  });

  app.get('/people/:id/edit', { preHandler: permitted('people.write') }, async (request, reply) => {
    const person = await records.forEdit(request.actor, idOf(request));
    if (!person || person.full_name === null) return reply.callNotFound();
    return reply.render('people/records/views/form.njk', formContext(personFormValuesOf({ ...person, full_name: person.full_name }), {
      title: 'Change details', action: `/people/${person.id}`, personId: person.id, alsoHeld: alsoHeld(person),
    }));
  });

  app.post('/people/:id', { preHandler: permitted('people.write') }, async (request, reply) => {
    const id = idOf(request);
    const values = personFormValues(request.body);
    const saved = await records.update(request.actor, id, values);
    if (!saved) return reply.callNotFound();
    if (saved.errors) return reply.render('people/records/views/form.njk', formContext(values, { title: 'Change details', action: `/people/${id}`, personId: id, errors: saved.errors.list }), 400);
    return reply.flash('Details saved').redirect(`/people/${id}`, 303);
  });

  app.get('/people/:id/consents/new', { preHandler: permitted('people.write') }, async (request, reply) => {
    if (!(await records.exists(request.actor, idOf(request)))) return reply.callNotFound();
    return reply.render('people/records/views/consent-form.njk', consentContext(idOf(request), EMPTY_CONSENT, deps.clock.now()));
  });

  app.post('/people/:id/consents', { preHandler: permitted('people.write') }, async (request, reply) => {
    const id = idOf(request);
    const values = consentFormValues(request.body);
    const result = await records.recordConsent(request.actor, id, values);
    if (result.missing) return reply.callNotFound();
    if (result.errors) return reply.render('people/records/views/consent-form.njk', { ...consentContext(id, values, deps.clock.now()), errors: result.errors.list }, 400);
    return reply.flash('Consent recorded').redirect(`/people/${id}#consents`, 303);
  });

  app.post('/people/:id/consents/:consentId/withdraw', { preHandler: permitted('people.write') }, async (request, reply) => {
    const { id, consentId } = request.params as { id: string; consentId: string };
    if (!(await records.withdrawConsent(request.actor, id, consentId))) return reply.callNotFound();
    return reply.flash('Consent withdrawn').redirect(`/people/${id}#consents`, 303);
  });
}
