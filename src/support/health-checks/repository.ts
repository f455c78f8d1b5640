import type { Queryable } from '../../platform/db/index.js';
import { asDay } from '../casework/repository.js';

/** All SQL of group health checks. */
export const healthChecksRepository = {
  insert(db: Queryable, row: { lioId: string; organisationId: string; caseId: string | null; stage: 'before' | 'after'; answers: Record<string, number>; score: number; assessedOn: string; userId: string; now: Date }) {
    return db.insertInto('group_health_checks').values({
      lio_id: row.lioId, organisation_id: row.organisationId, case_id: row.caseId, stage: row.stage, answers: JSON.stringify(row.answers), score: row.score,
      assessed_on: row.assessedOn, assessed_by_user_id: row.userId, created_at: row.now,
    }).returning('id').executeTakeFirstOrThrow();
  },

  ofCase(db: Queryable, caseId: string) {
    return db.selectFrom('group_health_checks').select(['id', 'stage', 'answers', 'score', asDay('assessed_on', 'assessed_on'), 'case_id'])
      .where('case_id', '=', caseId).orderBy('assessed_on').orderBy('created_at').execute();
  },

  async countOf(db: Queryable, organisationId: string): Promise<number> {
    const row = await db.selectFrom('group_health_checks').select((eb) => eb.fn.countAll<string>().as('n')).where('organisation_id', '=', organisationId).executeTakeFirstOrThrow();
    return Number(row.n);
  },

  ofOrganisation(db: Queryable, organisationId: string) {
    return db.selectFrom('group_health_checks as h').leftJoin('support_cases as c', 'c.id', 'h.case_id')
      .select(['h.id', 'h.stage', 'h.answers', 'h.score', asDay('h.assessed_on', 'assessed_on'), 'h.case_id', 'c.reference'])
      .where('h.organisation_id', '=', organisationId).orderBy('h.assessed_on').orderBy('h.created_at').execute();
  },
};
