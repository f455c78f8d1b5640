import { dateTimeText, type PersonalDataPart, type PersonalDataSection, type RowCounts } from '../../platform/personal-data.js';
import { bulletinsDataRepository as repo } from './bulletins-repository.js';

/** Years after a bulletin was sent that its recipients' addresses are kept (to answer "did you send me that?"). */
export const RECIPIENT_RETENTION_YEARS = 2;

/**
 * Bulletins and membership: the bulletins sent to the person's addresses (and whether they opened them), their
 * unsubscribe, the memberships they asked for on behalf of their organisation, and the bulletins they wrote as staff.
 */
export const bulletinsPersonalData: PersonalDataPart = {
  tables: ['bulletins', 'bulletin_recipients', 'bulletin_unsubscribes', 'memberships'],

  async describe({ tx }, identity) {
    const [received, unsubscribes, applications, written] = [await repo.recipientsOf(tx, identity), await repo.unsubscribesOf(tx, identity), await repo.applicationsOf(tx, identity), await repo.writtenBy(tx, identity)];
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
      bulletin_recipients: await repo.recipientsOf(tx, identity), bulletin_unsubscribes: await repo.unsubscribesOf(tx, identity),
      memberships_applied_for_by_them: await repo.applicationsOf(tx, identity), bulletins_written_by_them: await repo.writtenBy(tx, identity),
    };
  },

  erasure: 'The addresses bulletins were sent to are taken out (the rows stay, so sent and opened counts stay true). An unsubscribe is kept, address and all, so that they are never written to again: the record of an objection to direct marketing is what honours it. Membership applications and bulletins they wrote stay with the organisation and the LIO, without their account.',

  async keptOnErasure({ tx }, identity) {
    const unsubscribes = await repo.unsubscribesOf(tx, identity);
    return unsubscribes.length ? [{ heading: 'Kept so they are never sent bulletins again', items: unsubscribes.map((u) => `${u.email}: unsubscribed ${dateTimeText(u.created_at)}`) }] : [];
  },

  async erase({ tx }, identity) {
    return { removed: {}, anonymised: await repo.erase(tx, identity) };
  },

  async merge({ tx }, { kept, merged }): Promise<RowCounts> {
    if (!merged.recordIds.length) return {};
    return { bulletin_recipients: await repo.moveRecipients(tx, kept.personId, merged.recordIds) };
  },

  retention: {
    rule: `The addresses a bulletin was sent to are taken out ${RECIPIENT_RETENTION_YEARS} years after it was sent; the counts stay. Unsubscribes are kept for as long as the LIO sends bulletins.`,
    async apply({ tx, now }) {
      const before = new Date(now);
      before.setUTCFullYear(before.getUTCFullYear() - RECIPIENT_RETENTION_YEARS);
      return { bulletin_recipients: await repo.anonymiseSentBefore(tx, before) };
    },
  },
};
