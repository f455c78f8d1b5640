import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { JobQueue } from '../../platform/jobs.js';
import { permitted } from '../../platform/http/guards.js';
import { SUPPORT_TOPICS } from '../vocabulary.js';
import { dayText, statusTag } from '../casework/present.js';
import { OurSupportService } from './service.js';
import { readMessage, readRequest, requestValues, type RequestValues } from './form.js';
import { portalCase } from './present.js';

const V = 'support/our-support/views';
const guard = { preHandler: permitted('support.request') };
type Id = { Params: { id: string } };
type Errors = { text: string; href: string }[];

/** The group member's support pages: their organisation's cases, asking for support, and each case with its messages. */
export async function registerOurSupportRoutes(app: FastifyInstance, deps: { db: Database; clock: Clock; jobs: JobQueue }) {
  const ours = new OurSupportService(deps);

  app.get('/our-support', guard, async (request, reply) => {
    const { organisation, cases } = await ours.cases(request.actor);
    return reply.render(`${V}/list.njk`, {
      title: 'Our support', organisation,
      cases: cases.map((c) => ({ href: `/our-support/cases/${c.id}`, reference: c.reference, title: c.title, topic: SUPPORT_TOPICS[c.topic], status: statusTag(c.status),
        adviser: c.adviser_name ?? 'Not yet given to an adviser', opened: dayText(c.opened_on), yourMove: c.status === 'waiting_on_group' })),
    });
  });

  const renderNew = (reply: FastifyReply, values: RequestValues, errors?: Errors) => reply.render(`${V}/new.njk`, {
    title: 'Ask for support', values, errors,
    topics: Object.entries(SUPPORT_TOPICS).map(([value, text]) => ({ value, text, checked: values.topic === value })),
    contactBy: [{ value: 'email', text: 'By email' }, { value: 'phone', text: 'By phone' }].map((o) => ({ ...o, checked: values.contactBy === o.value })),
  }, errors ? 400 : 200);

  app.get('/our-support/new', guard, async (request, reply) => renderNew(reply, requestValues(request.query)));
  app.post('/our-support', guard, async (request, reply) => {
    const values = requestValues(request.body);
    const { errors, answer } = readRequest(values);
    if (!answer) return renderNew(reply, values, errors.list);
    const id = await ours.request(request.actor, answer, `${request.protocol}://${request.host}`);
    return reply.flash('Thank you: we have your request and an adviser will be in touch').redirect(`/our-support/cases/${id}`, 303);
  });

  const renderCase = async (request: FastifyRequest<Id>, reply: FastifyReply, values: { message: string }, errors?: Errors) => {
    const found = await ours.view(request.actor, request.params.id);
    if (!found) return reply.callNotFound();
    return reply.render(`${V}/case.njk`, { title: `${found.case.reference}: ${found.case.title}`, ...portalCase(found.case, found.notes), values, errors }, errors ? 400 : 200);
  };
  app.get<Id>('/our-support/cases/:id', guard, async (request, reply) => renderCase(request, reply, { message: '' }));
  app.post<Id>('/our-support/cases/:id/messages', guard, async (request, reply) => {
    const { errors, message } = readMessage(request.body);
    if (errors.any) return renderCase(request, reply, { message }, errors.list);
    if (!(await ours.message(request.actor, request.params.id, message))) return reply.callNotFound();
    return reply.flash('Message sent to your adviser').redirect(`/our-support/cases/${request.params.id}`, 303);
  });
}
