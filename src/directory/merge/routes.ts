import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import { permitted } from '../../platform/http/guards.js';
import { FormErrors, str } from '../../platform/http/forms.js';
import { isUuid } from '../../platform/validation/ids.js';
import { presentDuplicates } from '../organisations/present.js';
import { MergeService } from './service.js';

const V = 'directory/merge/views';

/** Merging two records of the same organisation: choosing the other record, comparing the two, merging. */
export async function registerMergeRoutes(app: FastifyInstance, deps: { db: Database; clock: Clock }) {
  const merges = new MergeService(deps);
  const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;

  app.get('/organisations/:id/merge', { preHandler: permitted('organisations.write') }, async (request, reply) => {
    const id = idOf(request);
    const withId = str(request.query, 'with');
    if (withId) return mergeCompare(request, reply, id, withId);
    const q = str(request.query, 'q').slice(0, 200);
    const found = await merges.candidates(request.actor, id, q);
    if (!found || found.organisation.merged_into_id) return reply.callNotFound();
    return reply.render(`${V}/choose.njk`, { title: `Merge ${found.organisation.name} with another record`, ...found, duplicates: presentDuplicates(found.duplicates), q });
  });

  async function mergeCompare(request: FastifyRequest, reply: FastifyReply, id: string, otherId: string, errors?: FormErrors, keep?: string) {
    const found = await merges.compare(request.actor, id, otherId);
    if (!found) return reply.callNotFound();
    if (found.a.merged_into_id) return reply.callNotFound();
    return reply.render(`${V}/compare.njk`, {
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
      if (isUuid(input.other) && input.other !== id) {
        const page = await mergeCompare(request, reply, id, input.other, result.errors, input.keep);
        return page;
      }
      const found = await merges.candidates(request.actor, id, '');
      if (!found) return reply.callNotFound();
      return reply.render(`${V}/choose.njk`, { title: `Merge ${found.organisation.name} with another record`, ...found, duplicates: presentDuplicates(found.duplicates), q: '',
        errors: result.errors.list.filter((e) => e.href === '#other').map((e) => ({ ...e, href: '#q' })),
      }, 400);
    }
    return reply.flash('The records have been merged. Everything from the other record is now on this one.').redirect(`/organisations/${result.outcome.keptId}`, 303);
  });
}
