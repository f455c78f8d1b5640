import { dateTimeText, type PersonalDataPart, type RowCounts } from '../../platform/personal-data.js';
import { caseworkDataRepository as repo } from './casework-repository.js';
import { CASE_STATUSES, SUPPORT_TOPICS } from '../vocabulary.js';

/** Six years after a case closes (the limitation period funders' audits work to), it no longer names who asked. */
export const CASE_RETENTION_YEARS = 6;

/**
 * Casework with groups: cases a person asked for (for their group), the messages they sent an adviser from the
 * portal, and, for staff, their part in cases (as adviser, author of notes, uploader of documents).
 */
export const caseworkPersonalData: PersonalDataPart = {
  tables: ['support_cases', 'support_case_notes', 'support_case_documents', 'support_outcomes', 'group_health_checks'],

  async describe({ tx }, identity) {
    const cases = await repo.asked(tx, identity.recordIds, identity.userIds);
    const sent = await repo.messages(tx, identity.userIds);
    return [
      { heading: 'Support asked for a group', records: cases.map((c) => ({
        title: `${c.reference}: ${c.title} (${c.organisation_name})`,
        fields: [{ label: 'Topic', value: SUPPORT_TOPICS[c.topic] }, { label: 'Asked', value: c.opened_on }, { label: 'Where it stands', value: CASE_STATUSES[c.status] }],
      })) },
      { heading: 'Messages to an adviser', records: sent.map((m) => ({ title: dateTimeText(m.created_at), fields: [{ label: 'Message', value: m.body }] })) },
    ].filter((s) => s.records.length > 0);
  },

  async export({ tx }, identity) {
    return {
      support_cases_asked: await repo.asked(tx, identity.recordIds, identity.userIds),
      support_case_messages_sent: await repo.messages(tx, identity.userIds),
      ...(await repo.staffWork(tx, identity.userIds)),
    };
  },

  erasure: 'Support cases they asked for stay with their group, no longer naming them; messages they sent an adviser are removed; where they worked cases, the work stays without their name.',

  async erase({ tx }, identity) {
    const removed: RowCounts = { support_case_notes: await repo.removeMessages(tx, identity.userIds) };
    const anonymised: RowCounts = { support_cases: await repo.unnameAsker(tx, identity.recordIds, identity.userIds) };
    for (const [table, n] of Object.entries(await repo.unnameStaff(tx, identity.userIds))) anonymised[table] = (anonymised[table] ?? 0) + n;
    return { removed, anonymised };
  },

  async merge({ tx }, { kept, merged }) {
    return { support_cases: await repo.moveAsker(tx, kept.personId, merged.recordIds) };
  },

  retention: {
    rule: `${CASE_RETENTION_YEARS} years after a support case closes it no longer names who asked, and the messages the group sent on it are removed; the case stays in the group's history and the LIO's counts.`,
    async apply({ tx, now }) {
      const cutoff = new Date(now.getTime() - CASE_RETENTION_YEARS * 365.25 * 86_400_000).toISOString().slice(0, 10);
      return repo.retire(tx, cutoff);
    },
  },
};
