import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/index.js';
import type { PersonIdentity, RowCounts } from '../../platform/personal-data.js';

/** A recipient row whose address is taken out: the row stays so sent and opened counts stay true, and its link stops working. */
const ANONYMISED = { email: sql<string>`'erased-' || id::text || '@erased.invalid'`, person_id: null, unsubscribe_token_hash: sql<string>`'erased-' || id::text` };

function recipientsOf(tx: Queryable, identity: PersonIdentity) {
  return tx.selectFrom('bulletin_recipients as r').innerJoin('bulletins as b', 'b.id', 'r.bulletin_id')
    .select(['r.id', 'r.bulletin_id', 'r.email', 'r.person_id', 'r.organisation_id', 'r.status', 'r.sent_at', 'r.opened_at', 'r.created_at', 'b.subject'])
    .where((eb) => eb.or([
      ...(identity.recordIds.length ? [eb('r.person_id', 'in', identity.recordIds)] : []),
      ...(identity.emails.length ? [eb('r.email', 'in', identity.emails)] : []),
      eb.val(false),
    ]))
    .orderBy('r.created_at').execute();
}

const unsubscribesOf = (tx: Queryable, identity: PersonIdentity) => (identity.emails.length
  ? tx.selectFrom('bulletin_unsubscribes').selectAll().where('email', 'in', identity.emails).orderBy('created_at').execute() : Promise.resolve([]));

const applicationsOf = (tx: Queryable, identity: PersonIdentity) => (identity.userIds.length
  ? tx.selectFrom('memberships as m').innerJoin('organisations as o', 'o.id', 'm.organisation_id').innerJoin('membership_types as t', 't.id', 'm.membership_type_id')
    .select(['m.id', 'm.organisation_id', 'm.membership_type_id', 'm.status', 'm.joined_on', 'm.applied_by_user_id', 'm.created_at', 'o.name as organisation_name', 't.name as type_name'])
    .where('m.applied_by_user_id', 'in', identity.userIds).orderBy('m.created_at').execute() : Promise.resolve([]));

const writtenBy = (tx: Queryable, identity: PersonIdentity) => (identity.userIds.length
  ? tx.selectFrom('bulletins').select(['id', 'subject', 'status', 'created_by_user_id', 'created_at', 'sent_at']).where('created_by_user_id', 'in', identity.userIds).orderBy('created_at').execute()
  : Promise.resolve([]));

/** SQL of what bulletins and membership hold about a person: what was sent to their addresses, their unsubscribe, their applications and bulletins. */
export const bulletinsDataRepository = {
  recipientsOf, unsubscribesOf, applicationsOf, writtenBy,

  /** Their addresses taken out of the recipients (the rows stay for the counts; one not yet sent never will be), their account off what they did. */
  async erase(tx: Queryable, identity: PersonIdentity): Promise<RowCounts> {
    const ids = (await recipientsOf(tx, identity)).map((r) => r.id);
    const anonymised: RowCounts = {};
    if (ids.length) await tx.updateTable('bulletin_recipients').set({ status: 'failed' }).where('id', 'in', ids).where('status', '=', 'queued').execute();
    if (ids.length) anonymised.bulletin_recipients = Number((await tx.updateTable('bulletin_recipients').set(ANONYMISED).where('id', 'in', ids).executeTakeFirst()).numUpdatedRows);
    if (identity.userIds.length) {
      anonymised.memberships = Number((await tx.updateTable('memberships').set({ applied_by_user_id: null }).where('applied_by_user_id', 'in', identity.userIds).executeTakeFirst()).numUpdatedRows);
      anonymised.bulletins = Number((await tx.updateTable('bulletins').set({ created_by_user_id: null }).where('created_by_user_id', 'in', identity.userIds).executeTakeFirst()).numUpdatedRows);
    }
    return anonymised;
  },

  async moveRecipients(tx: Queryable, keptPersonId: string, mergedPersonIds: string[]) {
    const moved = await tx.updateTable('bulletin_recipients').set({ person_id: keptPersonId }).where('person_id', 'in', mergedPersonIds).executeTakeFirst();
    return Number(moved.numUpdatedRows);
  },

  async anonymiseSentBefore(tx: Queryable, before: Date) {
    const done = await tx.updateTable('bulletin_recipients').set(ANONYMISED).where('created_at', '<', before).where('email', 'not like', 'erased-%@erased.invalid').executeTakeFirst();
    return Number(done.numUpdatedRows);
  },
};
