import type { FastifyInstance } from 'fastify';
import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { Period } from '../../platform/http/period.js';
import { permitted } from '../../platform/http/guards.js';
import { readPeriod } from '../../platform/http/period.js';
import { toCsv } from '../../platform/csv.js';
import { can } from '../../platform/auth/policy.js';
import { dayText, periodText } from '../spend/present.js';
import { SupportFiguresService, quarterOf } from './service.js';
import { figureCsvRows, figureSections, leverageText, periodQuery, periodShortcuts, spendCountedRows } from './present.js';
import { AWARDS_SHOWN } from './repository.js';
import { penceOf, penceText } from '../../platform/money.js';

const VIEWS = 'support/figures/views';

/** The figures of support for groups at /support/figures, their CSV, and the records behind the leverage figure. */
export async function registerFiguresRoutes(app: FastifyInstance, deps: { db: Database; clock: Clock }) {
  const figures = new SupportFiguresService(deps);

  // The quarter so far unless asked otherwise: the period funders most often ask about.
  const period = (query: unknown) => {
    const today = figures.today();
    return readPeriod(query, { from: quarterOf(today).from, to: today });
  };
  const shortcuts = () => periodShortcuts(figures.today()).map((s) => ({ text: s.text, href: `/support/figures?${periodQuery(s.period)}` }));
  const leverageHref = (p: Period) => `/support/figures/leverage?${periodQuery(p)}`;

  app.get('/support/figures', { preHandler: permitted('support.figures') }, async (request, reply) => {
    const { period: p, errors, values } = period(request.query);
    const page = { title: 'Support for groups: figures', values, shortcuts: shortcuts(), action: '/support/figures' };
    if (!p) return reply.render(`${VIEWS}/figures.njk`, { ...page, errors: errors.list }, 400);
    const f = await figures.figures(request.actor, p);
    return reply.render(`${VIEWS}/figures.njk`, {
      ...page, period: periodText(p.from, p.to), sections: figureSections(f, leverageHref(p)), leverage: leverageText(f),
      secured: penceText(f.fundingSecuredPence), spent: penceText(f.spendPence), leverageHref: leverageHref(p),
      csvHref: `/support/figures.csv?${periodQuery(p)}`, canEnterSpend: can(request.actor, 'support.spend'),
    });
  });

  app.get('/support/figures.csv', { preHandler: permitted('support.figures') }, async (request, reply) => {
    const { period: p, errors } = period(request.query);
    if (!p) return reply.code(400).type('text/plain; charset=utf-8').send(errors.list.map((e) => e.text).join('\n'));
    const f = await figures.figuresForExport(request.actor, p);
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="support-figures-${p.from}-to-${p.to}.csv"`)
      .header('cache-control', 'no-store').send(toCsv(['Section', 'Figure', `${p.from} to ${p.to}`], figureCsvRows(f)));
  });

  app.get('/support/figures/leverage', { preHandler: permitted('support.figures') }, async (request, reply) => {
    const { period: p, errors, values } = period(request.query);
    const page = { title: 'Funding secured and spend on support', values, action: '/support/figures/leverage' };
    if (!p) return reply.render(`${VIEWS}/leverage.njk`, { ...page, errors: errors.list }, 400);
    const { figures: f, awards } = await figures.leverageRecords(request.actor, p);
    return reply.render(`${VIEWS}/leverage.njk`, {
      ...page, period: periodText(p.from, p.to), leverage: leverageText(f), secured: penceText(f.fundingSecuredPence), spent: penceText(f.spendPence),
      awardsCount: f.applications.awarded, awardsCapped: f.applications.awarded > awards.length, awardsShown: AWARDS_SHOWN,
      awards: awards.map((a) => ({
        organisation: a.organisation_name, funder: a.funder_name, programme: a.programme ?? '', amount: penceText(penceOf(a.amount_awarded)),
        decided: dayText(a.decision_on), caseHref: a.case_id ? `/support/cases/${a.case_id}` : null, caseReference: a.case_reference,
      })),
      spend: spendCountedRows(f), canEnterSpend: can(request.actor, 'support.spend'), figuresHref: `/support/figures?${periodQuery(p)}`,
    });
  });
}
