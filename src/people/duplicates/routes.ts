import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { PersonalDataProvider } from '../../platform/personal-data.js';
import { can } from '../../platform/auth/policy.js';
import { str } from '../../platform/http/forms.js';
import { permitted } from '../../platform/http/guards.js';
import { nameOf, personFields } from '../records/present.js';
import { countsText } from '../data-rights/present.js';
import { DuplicatesService, type Pairing } from './service.js';
import { choiceGroups, pairsView, resultRows } from './present.js';
import type { Choices } from './form.js';

const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;
const summary = (p: Parameters<typeof personFields>[0]) => personFields(p).map((f) => ({ key: { text: f.label }, value: { text: f.value || '–' } }));

/** A pair that cannot be merged: not found, or a clear reason (already merged, erased, the same record). */
function refuse(reply: FastifyReply, pair: Exclude<Pairing, { state: 'ok' }>) {
  if (pair.state === 'missing') return reply.callNotFound();
  return reply.render('web/views/error.njk', { title: 'These records cannot be merged', message: pair.message }, 409);
}

/** Likely duplicate people, and merging them: choose values, check, confirm. */
export async function registerDuplicateRoutes(app: FastifyInstance, deps: { db: Database; clock: Clock; personalData: readonly PersonalDataProvider[] }) {
  const duplicates = new DuplicatesService({ ...deps, providers: deps.personalData });

  app.get('/people/duplicates', { preHandler: permitted('people.read') }, async (request, reply) => {
    const pairs = await duplicates.pairs(request.actor);
    return reply.render('people/duplicates/views/list.njk', { title: 'Possible duplicate people', pairs: pairsView(pairs), canMerge: can(request.actor, 'people.merge') });
  });

  const choosePage = (reply: FastifyReply, pair: Extract<Pairing, { state: 'ok' }>, choices?: Choices, errors?: { text: string; href: string }[]) =>
    reply.render('people/duplicates/views/choose.njk', {
      title: 'Merge two records of one person', kept: pair.kept, merged: pair.merged, keptName: nameOf(pair.kept), mergedName: nameOf(pair.merged),
      keptRows: summary(pair.kept), mergedRows: summary(pair.merged), groups: choiceGroups(pair.kept, pair.merged, choices), errors,
    }, errors?.length ? 400 : 200);

  app.get('/people/:id/merge', { preHandler: permitted('people.merge') }, async (request, reply) => {
    const pair = await duplicates.pairFor(request.actor, idOf(request), str(request.query, 'with'));
    return pair.state === 'ok' ? choosePage(reply, pair) : refuse(reply, pair);
  });

  app.post('/people/:id/merge/check', { preHandler: permitted('people.merge') }, async (request, reply) => {
    const { errors, choices, pair } = await duplicates.check(request.actor, idOf(request), request.body);
    if (pair.state !== 'ok') return errors.any && pair.state === 'missing' ? reply.render('web/views/error.njk', { title: 'There is a problem', message: errors.list[0]!.text }, 400) : refuse(reply, pair);
    if (errors.any) return choosePage(reply, pair, choices, errors.list);
    return reply.render('people/duplicates/views/check.njk', {
      title: 'Check the merged record', kept: pair.kept, merged: pair.merged, keptName: nameOf(pair.kept), mergedName: nameOf(pair.merged),
      rows: resultRows(pair.kept, pair.merged, choices), choices,
    });
  });

  app.post('/people/:id/merge', { preHandler: permitted('people.merge') }, async (request, reply) => {
    const id = idOf(request);
    const { errors, pair, moved } = await duplicates.merge(request.actor, id, request.body);
    if (errors.any) return reply.render('web/views/error.njk', { title: 'There is a problem', message: errors.list[0]!.text }, 400);
    if (pair && pair.state !== 'ok') return refuse(reply, pair);
    return reply.flash(`Records merged. Moved to this record: ${countsText(moved ?? {})}.`).redirect(`/people/${id}`, 303);
  });
}
