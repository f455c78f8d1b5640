import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { PersonalDataProvider } from '../../platform/personal-data.js';
import { can } from '../../platform/auth/policy.js';
import { FormErrors, str } from '../../platform/http/forms.js';
import { permitted } from '../../platform/http/guards.js';
import { nameOf } from '../records/present.js';
import { CONSENT_PURPOSES } from '../records/form.js';
import { DataRightsService, type PersonLookup } from './service.js';
import { countsText, duplicatesView, exportDocument, heldView } from './present.js';

const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;

/** A person merged into another is found at the same page of the record kept; one unknown is not found. */
function elsewhere(reply: FastifyReply, found: Exclude<PersonLookup<unknown>, { state: 'found' }>) {
  if (found.state === 'merged') return reply.redirect(`/people/${found.into}${reply.request.url.split('?')[0]!.replace(/^\/people\/[^/]+/, '')}`, 303);
  return reply.callNotFound();
}

type Deps = { db: Database; clock: Clock; personalData: readonly PersonalDataProvider[] };

/** The person's page, subject-access export and erasure. */
export async function registerDataRightsRoutes(app: FastifyInstance, deps: Deps) {
  const rights = new DataRightsService({ ...deps, providers: deps.personalData });

  app.get('/people/:id', { preHandler: permitted('people.read') }, async (request, reply) => {
    const found = await rights.personPage(request.actor, idOf(request));
    if (found.state !== 'found') return elsewhere(reply, found);
    const { person, value } = found;
    return reply.render('people/data-rights/views/person.njk', {
      title: nameOf(person), person, held: heldView(value.held, { may: (permission) => can(request.actor, permission) }), duplicates: duplicatesView(value.duplicates), isSelf: value.isSelf,
      openConsents: value.openConsents.map((c) => ({ id: c.id, purpose: CONSENT_PURPOSES[c.purpose] })),
      canWrite: can(request.actor, 'people.write'), canRights: can(request.actor, 'people.rights'), canMerge: can(request.actor, 'people.merge'),
    });
  });

  const exportPage = (reply: FastifyReply, person: { id: string }, name: string, errors?: FormErrors) =>
    reply.render('people/data-rights/views/export.njk', { title: `Export the data held about ${name}`, person, name, errors: errors?.list }, errors ? 400 : 200);

  app.get('/people/:id/export', { preHandler: permitted('people.rights') }, async (request, reply) => {
    const found = await rights.forRights(request.actor, idOf(request));
    if (found.state !== 'found') return elsewhere(reply, found);
    return exportPage(reply, found.person, nameOf(found.person));
  });

  app.post('/people/:id/export', { preHandler: permitted('people.rights') }, async (request, reply) => {
    const id = idOf(request);
    const format = str(request.body, 'format');
    if (format === 'json') {
      const found = await rights.exportMachineReadable(request.actor, id);
      if (found.state !== 'found') return elsewhere(reply, found);
      const body = exportDocument({ lio: { id: request.lio.id, name: request.lio.name }, personId: id, exportedAt: found.value.exportedAt }, found.value.providers);
      return reply.header('content-disposition', `attachment; filename="subject-access-${id}.json"`).header('cache-control', 'no-store')
        .type('application/json; charset=utf-8').send(body);
    }
    if (format === 'html') {
      const found = await rights.exportReadable(request.actor, id);
      if (found.state !== 'found') return elsewhere(reply, found);
      return reply.render('people/data-rights/views/export-document.njk', {
        title: `Data held about ${nameOf(found.person)}`, person: found.person, held: heldView(found.value.held), exportedAt: found.value.exportedAt,
      });
    }
    const found = await rights.forRights(request.actor, id);
    if (found.state !== 'found') return elsewhere(reply, found);
    const errors = new FormErrors();
    errors.add('format', 'Choose a format for the export');
    return exportPage(reply, found.person, nameOf(found.person), errors);
  });

  const erasePage = (reply: FastifyReply, found: Extract<Awaited<ReturnType<DataRightsService['forRights']>>, { state: 'found' }>, errors?: FormErrors) =>
    reply.render('people/data-rights/views/erase.njk', {
      title: `Erase ${nameOf(found.person)}`, person: found.person, name: nameOf(found.person), erasure: found.value.erasure, kept: found.value.kept, isSelf: found.value.isSelf, errors: errors?.list,
    }, errors ? 400 : 200);

  app.get('/people/:id/erase', { preHandler: permitted('people.rights') }, async (request, reply) => {
    const found = await rights.forRights(request.actor, idOf(request));
    if (found.state !== 'found') return elsewhere(reply, found);
    if (found.person.erased_at) return reply.flash('This person’s data has already been erased').redirect(`/people/${found.person.id}`, 303);
    return erasePage(reply, found);
  });

  app.post('/people/:id/erase', { preHandler: permitted('people.rights') }, async (request, reply) => {
    const id = idOf(request);
    if (str(request.body, 'confirm') !== 'yes') {
      const found = await rights.forRights(request.actor, id);
      if (found.state !== 'found') return elsewhere(reply, found);
      const errors = new FormErrors();
      errors.add('confirm', 'Confirm that you understand erasure cannot be undone');
      return erasePage(reply, found, errors);
    }
    const done = await rights.erase(request.actor, id);
    if (done.state !== 'found') return elsewhere(reply, done);
    if (done.value === 'already') return reply.flash('This person’s data has already been erased').redirect(`/people/${id}`, 303);
    if (done.value === 'self') {
      const found = await rights.forRights(request.actor, id);
      if (found.state !== 'found') return elsewhere(reply, found);
      const errors = new FormErrors();
      errors.add('confirm', 'You cannot erase your own record. Ask another admin to do it');
      return erasePage(reply, found, errors);
    }
    return reply.flash(`Personal data erased. Removed: ${countsText(done.value.removed)}. Anonymised: ${countsText(done.value.anonymised)}.`).redirect(`/people/${id}`, 303);
  });
}
