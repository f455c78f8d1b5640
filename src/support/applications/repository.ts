import type { Queryable } from '../../platform/db/index.js';
import { asNullableDay } from '../casework/repository.js';
import type { ApplicationAnswer } from './form.js';

const selectApplication = (db: Queryable) => db.selectFrom('funding_applications')
  .select(['id', 'organisation_id', 'case_id', 'funder_name', 'programme', 'amount_requested', 'status', 'amount_awarded', 'created_at'])
  .select([asNullableDay('submitted_on', 'submitted_on'), asNullableDay('decision_on', 'decision_on')]);

/** All SQL of the funding applications supported on cases. */
export const applicationsRepository = {
  ofCase(db: Queryable, caseId: string) {
    return selectApplication(db).where('case_id', '=', caseId).orderBy('created_at', 'desc').execute();
  },

  byId(db: Queryable, caseId: string, id: string) {
    return selectApplication(db).where('case_id', '=', caseId).where('id', '=', id).executeTakeFirst();
  },

  insert(db: Queryable, row: ApplicationAnswer & { lioId: string; caseId: string; organisationId: string; now: Date }) {
    const { lioId, caseId, organisationId, now, ...answer } = row;
    return db.insertInto('funding_applications').values({ ...answer, lio_id: lioId, case_id: caseId, organisation_id: organisationId, created_at: now, updated_at: now })
      .returning('id').executeTakeFirstOrThrow();
  },

  update(db: Queryable, id: string, answer: ApplicationAnswer, now: Date) {
    return db.updateTable('funding_applications').set({ ...answer, updated_at: now }).where('id', '=', id).executeTakeFirst();
  },
};
