import { dateTimeText as when, type ErasureOutcome, type PersonalDataProvider } from '../../platform/personal-data.js';
import { adminDataRepository as repo, AUDIT_NAMES_YEARS, OUTBOX_DAYS } from './repository.js';

/** What the person's page shows of what they did: a member of staff writes thousands of entries; the audit log holds the rest. */
export const ACTED_ON_PAGE = 100;

/** The audit log's entries by and about the person, e-mails sent to them, API tokens they made. */
export const adminPersonalData: PersonalDataProvider = {
  key: 'admin',
  title: 'Audit log and emails',
  tables: ['audit_events', 'email_messages', 'api_tokens'],

  async describe({ tx }, who) {
    const acted = await repo.actedBy(tx, who);
    const about = await repo.about(tx, who);
    const emails = await repo.emailsTo(tx, who);
    const tokens = await repo.tokensMadeBy(tx, who);
    return [
      { heading: 'Emails sent to them', permission: 'outbox.read', records: emails.map((m) => ({ title: m.subject, fields: [{ label: 'To', value: m.to_address }, { label: 'Created', value: when(m.created_at) }, { label: 'Status', value: m.status }] })) },
      {
        heading: 'What they did (audit log)', permission: 'audit.read',
        onPage: { latest: ACTED_ON_PAGE, more: { text: 'See everything they did in the audit log', href: `/admin/audit?${new URLSearchParams({ actor: who.actorLabels.find((l) => l.includes('@')) ?? who.emails[0] ?? '' })}` } },
        records: acted.map((e) => ({ title: e.action, fields: [{ label: 'When', value: when(e.occurred_at) }, { label: 'Record', value: [e.subject_type, e.subject_id].filter(Boolean).join(' ') }] })),
      },
      { heading: 'Who looked at or changed their records (audit log)', permission: 'audit.read', records: about.map((e) => ({ title: e.action, fields: [{ label: 'When', value: when(e.occurred_at) }, { label: 'By', value: e.actor_label }] })) },
      { heading: 'API tokens they made', permission: 'api_tokens.manage', records: tokens.map((t) => ({ title: t.name, fields: [{ label: 'Made', value: when(t.created_at) }, { label: 'Revoked', value: when(t.revoked_at) || 'No' }] })) },
    ];
  },

  async export({ tx }, who) {
    return {
      audit_events: [...await repo.actedBy(tx, who), ...await repo.about(tx, who)],
      email_messages: await repo.emailsTo(tx, who),
      api_tokens: await repo.tokensMadeBy(tx, who),
    };
  },

  erasure: 'Emails sent to them are deleted from the outbox. The audit log keeps what was done and when (the law asks the LIO to show how it handled data), with “Erased person” in place of their name. API tokens they made keep working, without their name.',

  async erase({ tx }, who): Promise<ErasureOutcome> {
    return {
      removed: { email_messages: await repo.deleteEmails(tx, who) },
      anonymised: { audit_events: await repo.relabelActor(tx, who), api_tokens: await repo.unlinkTokens(tx, who.userIds) },
    };
  },

  /** The audit log and outbox point at user accounts and addresses, which the kept record takes over: nothing to move. */
  async merge() {
    return {};
  },

  retention: {
    rule: `Emails are deleted from the outbox ${OUTBOX_DAYS} days after they were made. The audit log is kept; after ${AUDIT_NAMES_YEARS} years its entries no longer name who acted.`,
    async apply({ tx, now }) {
      return { email_messages: await repo.deleteOldEmails(tx, now), audit_events: await repo.forgetOldActors(tx, now) };
    },
  },
};
