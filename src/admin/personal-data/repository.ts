import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/index.js';
import { anyOf, namesAPerson, none } from '../../platform/db/personal-data-sql.js';
import { ERASED_LABEL, FORMER_USER_LABEL, type PersonIdentity } from '../../platform/personal-data.js';

export const AUDIT_NAMES_YEARS = 6;
export const OUTBOX_DAYS = 365;

/**
 * All SQL of the admin capability's personal data: the audit log (what the person did, and what was done to their
 * records), the e-mails sent to them, and the API tokens they made.
 */
export const adminDataRepository = {
  /**
   * Entries where they acted: by their account; by a label of theirs only in entries written with no account (their
   * address, before an account was known). Another account's entries are never theirs, whatever its label says.
   */
  actedBy(db: Queryable, who: PersonIdentity) {
    if (who.userIds.length === 0 && who.actorLabels.length === 0) return none;
    return db.selectFrom('audit_events').select(['id', 'occurred_at', 'actor_user_id', 'actor_label', 'action', 'subject_type', 'subject_id', 'detail'])
      .where((eb) => eb.or([
        ...(who.userIds.length ? [eb('actor_user_id', 'in', who.userIds)] : []),
        ...(who.actorLabels.length ? [eb.and([eb('lio_id', '=', who.lioId), eb('actor_user_id', 'is', null), eb(sql<string>`lower(actor_label)`, '=', anyOf(who.actorLabels))])] : []),
      ])).orderBy('occurred_at').orderBy('id').execute();
  },

  /** Entries about their person record (and the records merged into it) or their accounts (views, exports, changes by staff). */
  about(db: Queryable, who: PersonIdentity) {
    const records = [...new Set([who.personId, ...who.recordIds])];
    return db.selectFrom('audit_events').select(['id', 'occurred_at', 'actor_label', 'action', 'subject_type', 'subject_id'])
      .where((eb) => eb.or([
        eb.and([eb('subject_type', '=', 'person'), eb('subject_id', 'in', records)]),
        ...(who.userIds.length ? [eb.and([eb('subject_type', '=', 'user'), eb('subject_id', 'in', who.userIds)])] : []),
      ])).orderBy('occurred_at').orderBy('id').execute();
  },

  emailsTo(db: Queryable, who: PersonIdentity) {
    if (who.emails.length === 0) return none;
    return db.selectFrom('email_messages').select(['id', 'to_address', 'subject', 'body_text', 'status', 'created_at', 'sent_at'])
      .where('lio_id', '=', who.lioId).where(sql<string>`lower(to_address)`, '=', anyOf(who.emails)).orderBy('created_at').execute();
  },

  tokensMadeBy(db: Queryable, who: PersonIdentity) {
    if (who.userIds.length === 0) return none;
    return db.selectFrom('api_tokens').select(['id', 'name', 'scope', 'created_by', 'created_at', 'last_used_at', 'revoked_at'])
      .where('created_by', 'in', who.userIds).orderBy('created_at').execute();
  },

  async deleteEmails(db: Queryable, who: PersonIdentity) {
    if (who.emails.length === 0) return 0;
    const r = await db.deleteFrom('email_messages').where('lio_id', '=', who.lioId).where(sql<string>`lower(to_address)`, '=', anyOf(who.emails)).executeTakeFirst();
    return Number(r.numDeletedRows);
  },

  /** The entry keeps what was done and when, and the (now anonymous) account; only the name is replaced. */
  async relabelActor(db: Queryable, who: PersonIdentity) {
    const ids = (await adminDataRepository.actedBy(db, who)).map((e) => e.id);
    if (ids.length === 0) return 0;
    const r = await db.updateTable('audit_events').set({ actor_label: ERASED_LABEL }).where('id', 'in', ids).executeTakeFirst();
    return Number(r.numUpdatedRows);
  },

  async unlinkTokens(db: Queryable, userIds: string[]) {
    if (userIds.length === 0) return 0;
    return Number((await db.updateTable('api_tokens').set({ created_by: null }).where('created_by', 'in', userIds).executeTakeFirst()).numUpdatedRows);
  },

  async deleteOldEmails(db: Queryable, now: Date) {
    const cutoff = new Date(now.getTime() - OUTBOX_DAYS * 86_400_000);
    return Number((await db.deleteFrom('email_messages').where('created_at', '<', cutoff).where('status', '<>', 'queued').executeTakeFirst()).numDeletedRows);
  },

  /** Names in entries older than the period (the one rule of every history, `namesAPerson`); labels like "Retention job" are not people. */
  async forgetOldActors(db: Queryable, now: Date) {
    const cutoff = new Date(now);
    cutoff.setUTCFullYear(cutoff.getUTCFullYear() - AUDIT_NAMES_YEARS);
    const r = await db.updateTable('audit_events').set({ actor_label: FORMER_USER_LABEL }).where('occurred_at', '<', cutoff).where(namesAPerson('actor_label')).executeTakeFirst();
    return Number(r.numUpdatedRows);
  },
};
