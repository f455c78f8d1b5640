import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import { permitted } from '../../platform/http/guards.js';
import { dateBoxes } from '../casework/form.js';
import { dayText } from '../casework/present.js';
import { londonDay } from '../../platform/validation/dates.js';
import { HealthChecksService } from './service.js';
import { HEALTH_QUESTIONS, MAX_SCORE, healthValues, readHealthCheck, type HealthValues } from './form.js';
import { comparison } from './present.js';

type Id = { Params: { id: string } };

/** The health check's form on a case, and an organisation's checks over all its cases. */
export async function registerHealthCheckRoutes(app: FastifyInstance, deps: { db: Database; clock: Clock }) {
  const checks = new HealthChecksService(deps);

  const render = async (request: FastifyRequest<Id>, reply: FastifyReply, values: HealthValues, errors?: { text: string; href: string }[]) => {
    const c = await checks.caseFor(request.actor, request.params.id);
    if (!c) return reply.callNotFound();
    return reply.render('support/health-checks/views/form.njk', {
      title: 'Group health check', c, values, errors,
      stages: [{ value: 'before', text: 'Before support' }, { value: 'after', text: 'After support' }].map((s) => ({ ...s, checked: values.stage === s.value })),
      questions: HEALTH_QUESTIONS.map((q) => ({ ...q, items: q.levels.map((text, level) => ({ value: String(level), text: `${level}: ${text}`, checked: values[q.code] === String(level) })) })),
    }, errors ? 400 : 200);
  };

  app.get<Id>('/support/cases/:id/health-checks/new', { preHandler: permitted('cases.write') }, async (request, reply) =>
    render(request, reply, healthValues({ ...dateBoxes('assessed', londonDay(deps.clock.now())) })));

  app.post<Id>('/support/cases/:id/health-checks', { preHandler: permitted('cases.write') }, async (request, reply) => {
    const values = healthValues(request.body);
    const { errors, answer } = readHealthCheck(values, deps.clock.now());
    if (!answer) return render(request, reply, values, errors.list);
    if (!(await checks.record(request.actor, request.params.id, answer))) return reply.callNotFound();
    return reply.flash(`Health check recorded: ${answer.score} of ${MAX_SCORE}`).redirect(`/support/cases/${request.params.id}`, 303);
  });

  app.get<Id>('/support/organisations/:id/health-checks', { preHandler: permitted('cases.read') }, async (request, reply) => {
    const found = await checks.ofOrganisation(request.actor, request.params.id);
    if (!found) return reply.callNotFound();
    return reply.render('support/health-checks/views/organisation.njk', {
      title: `Health checks of ${found.organisation.name}`, health: comparison(found.checks), max: MAX_SCORE,
      checks: found.checks.map((h) => ({ on: dayText(h.assessed_on), stage: h.stage === 'before' ? 'Before support' : 'After support', score: h.score, reference: h.reference, caseHref: h.case_id ? `/support/cases/${h.case_id}` : null })),
      cases: found.cases.map((c) => ({ href: `/support/cases/${c.id}`, text: `${c.reference}: ${c.title}` })),
    });
  });
}
