import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/index.js';
import { dateTimeText, type PersonalDataPart, type PersonalDataSection, type PersonIdentity, type RowCounts } from '../../platform/personal-data.js';

/** Years after a bulletin was sent that its recipients' addresses are kept (to answer "did you send me that?"). */
export const RECIPIENT_RETENTION_YEARS = 2;

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

/**
 * Bulletins and membership: the bulletins sent to the person's addresses (and whether they opened them), their
 * unsubscribe, the memberships they asked for on behalf of their organisation, and the bulletins they wrote as staff.
 */
export const bulletinsPersonalData: PersonalDataPart = {
  tables: ['bulletins', 'bulletin_recipients', 'bulletin_unsubscribes', 'memberships'],

  async describe({ tx }, identity) {
    const [received, unsubscribes, applications, written] = [await recipientsOf(tx, identity), await unsubscribesOf(tx, identity), await applicationsOf(tx, identity), await writtenBy(tx, identity)];
    const sections: PersonalDataSection[] = [
      { heading: 'Bulletins sent to them', records: [
        ...received.map((r) => ({ title: r.subject, fields: [{ label: 'To', value: r.email }, { label: 'Sent', value: dateTimeText(r.sent_at) || 'Not sent' },
          { label: 'Opened', value: r.opened_at ? dateTimeText(r.opened_at) : 'Not known to have been opened' }] })),
        ...unsubscribes.map((u) => ({ title: 'Unsubscribed from bulletins', fields: [{ label: 'Address', value: u.email }, { label: 'When', value: dateTimeText(u.created_at) }] })),
      ] },
      { heading: 'Membership applications they made', records: applications.map((a) => ({
        title: `${a.type_name} for ${a.organisation_name}`, fields: [{ label: 'Asked', value: dateTimeText(a.created_at) }, { label: 'Status', value: a.status }],
      })) },
      { heading: 'Bulletins they wrote', permission: 'bulletins.send', records: written.map((b) => ({ title: b.subject, fields: [{ label: 'Status', value: b.status }, { label: 'Sent', value: dateTimeText(b.sent_at) }] })) },
    ];
    return sections.filter((s) => s.records.length > 0);
  },

  async export({ tx }, identity) {
    return {
      bulletin_recipients: await recipientsOf(tx, identity), bulletin_unsubscribes: await unsubscribesOf(tx, identity),
      memberships_applied_for_by_them: await applicationsOf(tx, identity), bulletins_written_by_them: await writtenBy(tx, identity),
    };
  },

  erasure: 'The addresses bulletins were sent to are taken out (the rows stay, so sent and opened counts stay true). An unsubscribe is kept, address and all, so that they are never written to again: the record of an objection to direct marketing is what honours it. Membership applications and bulletins they wrote stay with the organisation and the LIO, without their account.',

  async keptOnErasure({ tx }, identity) {
    const unsubscribes = await unsubscribesOf(tx, identity);
    return unsubscribes.length ? [{ heading: 'Kept so they are never sent bulletins again', items: unsubscribes.map((u) => `${u.email}: unsubscribed ${dateTimeText(u.created_at)}`) }] : [];
  },

  async erase({ tx }, identity) {
    const ids = (await recipientsOf(tx, identity)).map((r) => r.id);
    const anonymised: RowCounts = {};
    // Not yet sent: it never will be, to an address that is no longer there.
    if (ids.length) await tx.updateTable('bulletin_recipients').set({ status: 'failed' }).where('id', 'in', ids).where('status', '=', 'queued').execute();
    if (ids.length) anonymised.bulletin_recipients = Number((await tx.updateTable('bulletin_recipients').set(ANONYMISED).where('id', 'in', ids).executeTakeFirst()).numUpdatedRows);
    if (identity.userIds.length) {
      anonymised.memberships = Number((await tx.updateTable('memberships').set({ applied_by_user_id: null }).where('applied_by_user_id', 'in', identity.userIds).executeTakeFirst()).numUpdatedRows);
      anonymised.bulletins = Number((await tx.updateTable('bulletins').set({ created_by_user_id: null }).where('created_by_user_id', 'in', identity.userIds).executeTakeFirst()).numUpdatedRows);
    }
    return { removed: {}, anonymised };
  },

  async merge({ tx }, { kept, merged }): Promise<RowCounts> {
    if (!merged.recordIds.length) return {};
    const moved = await tx.updateTable('bulletin_recipients').set({ person_id: kept.personId }).where('person_id', 'in', merged.recordIds).executeTakeFirst();
    return { bulletin_recipients: Number(moved.numUpdatedRows) };
  },

  retention: {
    rule: `The addresses a bulletin was sent to are taken out ${RECIPIENT_RETENTION_YEARS} years after it was sent; the counts stay. Unsubscribes are kept for as long as the LIO sends bulletins.`,
    async apply({ tx, now }) {
      const before = new Date(now);
      before.setUTCFullYear(before.getUTCFullYear() - RECIPIENT_RETENTION_YEARS);
      const done = await tx.updateTable('bulletin_recipients').set(ANONYMISED).where('created_at', '<', before).where('email', 'not like', 'erased-%@erased.invalid').executeTakeFirst();
      return { bulletin_recipients: Number(done.numUpdatedRows) };
    },
  },
};
