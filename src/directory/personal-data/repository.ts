import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/index.js';
import { containing } from '../../platform/db/like.js';
import { anyOf, namesAPerson, none } from '../../platform/db/personal-data-sql.js';
import { FORMER_USER_LABEL, type PersonIdentity } from '../../platform/personal-data.js';

export const HISTORY_YEARS = 6;

/** A phone number as digits from 0, as migration 014's index holds it: the person's phones are compared in that form. */
const digits = (column: string) => sql<string>`cg_phone_digits(${sql.ref(column)})`;
const lowered = (column: string) => sql<string>`lower(${sql.ref(column)})`;
/**
 * The addresses as one case-blind regular expression matching each as a whole address only: not inside a longer one
 * (jo@x.org is not in bojo@x.org.uk). Before: no character an address can hold; after: none, nor a dot that goes on.
 */
export function addressPattern(emails: string[]): string {
  const alternatives = emails.map((e) => e.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  return `(?<![a-z0-9._%+'-])(${alternatives})(?![a-z0-9_-]|\\.[a-z0-9])`;
}
/**
 * A JSON document (a listing change, an event's detail) that holds one of the addresses, in any case, as a whole
 * address: LIKE finds the candidates, the anchored pattern keeps the ones that really hold it.
 */
const mentions = (column: string, emails: string[]) =>
  sql<boolean>`(lower(${sql.ref(column)}::text) like any(${emails.map(containing)}::text[]) and ${sql.ref(column)}::text ~* ${addressPattern(emails)})`;
export const ERASED_ADDRESS = '[erased]';

/**
 * All SQL of the directory's personal data. A person appears in the directory by their e-mail address or phone number
 * (a named contact, an organisation's or service's contact details) and by their user account (listing changes they
 * proposed or reviewed, signposting lists they made, histories and imports naming the address they signed in with).
 */
export const directoryDataRepository = {
  contacts(db: Queryable, who: PersonIdentity) {
    if (who.emails.length === 0) return none;
    return db.selectFrom('contacts').leftJoin('organisations', 'organisations.id', 'contacts.organisation_id').leftJoin('services', 'services.id', 'contacts.service_id')
      .select(['contacts.id', 'contacts.name', 'contacts.title', 'contacts.department', 'contacts.email', 'contacts.organisation_id', 'contacts.service_id',
        'organisations.name as organisation_name', 'services.name as service_name'])
      .where('contacts.lio_id', '=', who.lioId).where(lowered('contacts.email'), '=', anyOf(who.emails)).orderBy('contacts.id').execute();
  },

  phones(db: Queryable, who: PersonIdentity, contactIds: string[]) {
    if (who.phones.length === 0 && contactIds.length === 0) return none;
    return db.selectFrom('phones').select(['id', 'number', 'extension', 'type', 'description', 'organisation_id', 'service_id', 'location_id', 'contact_id'])
      .where('lio_id', '=', who.lioId)
      .where((eb) => eb.or([
        ...(who.phones.length ? [eb(digits('number'), '=', anyOf(who.phones))] : []),
        ...(contactIds.length ? [eb('contact_id', 'in', contactIds)] : []),
      ])).orderBy('id').execute();
  },

  /**
   * Public lines holding one of the person's numbers: an organisation's, service's or venue's phone (no contact), and
   * an organisation's own phone. Erasure leaves them (see the provider), so the confirmation page names them.
   */
  async publicLines(db: Queryable, who: PersonIdentity): Promise<string[]> {
    if (who.phones.length === 0) return [];
    const lines = await db.selectFrom('phones').leftJoin('organisations', 'organisations.id', 'phones.organisation_id').leftJoin('services', 'services.id', 'phones.service_id')
      .select(['phones.number', 'organisations.name as organisation_name', 'services.name as service_name'])
      .where('phones.lio_id', '=', who.lioId).where('phones.contact_id', 'is', null).where(digits('phones.number'), '=', anyOf(who.phones))
      .orderBy('phones.id').execute();
    const organisations = await db.selectFrom('organisations').select(['name', 'phone']).where('lio_id', '=', who.lioId).where(digits('phone'), '=', anyOf(who.phones)).orderBy('name').execute();
    return [
      ...organisations.map((o) => `${o.phone}: ${o.name}`),
      ...lines.map((l) => `${l.number}: ${[l.service_name, l.organisation_name].filter(Boolean).join(', ') || 'a venue'}`),
    ];
  },

  /** Languages spoken on the person's phone lines (HSDS languages of a phone): they say something about the person. */
  languages(db: Queryable, phoneIds: string[]) {
    if (phoneIds.length === 0) return none;
    return db.selectFrom('languages').select(['id', 'phone_id', 'name', 'code', 'note']).where('phone_id', 'in', phoneIds).orderBy('id').execute();
  },

  organisations(db: Queryable, who: PersonIdentity) {
    if (who.emails.length === 0 && who.phones.length === 0) return none;
    return db.selectFrom('organisations').select(['id', 'name', 'email', 'phone'])
      .where('lio_id', '=', who.lioId)
      .where((eb) => eb.or([eb(lowered('email'), '=', anyOf(who.emails)), eb(digits('phone'), '=', anyOf(who.phones))])).orderBy('name').execute();
  },

  services(db: Queryable, who: PersonIdentity) {
    if (who.emails.length === 0) return none;
    return db.selectFrom('services').select(['id', 'name', 'email', 'assurer_email'])
      .where('lio_id', '=', who.lioId)
      .where((eb) => eb.or([eb(lowered('email'), '=', anyOf(who.emails)), eb(lowered('assurer_email'), '=', anyOf(who.emails))])).orderBy('name').execute();
  },

  /** Changes they proposed or reviewed, and changes that wrote their address into a listing. */
  listingChanges(db: Queryable, who: PersonIdentity) {
    if (who.userIds.length === 0 && who.emails.length === 0) return none;
    return db.selectFrom('listing_changes').innerJoin('organisations', 'organisations.id', 'listing_changes.organisation_id')
      .select(['listing_changes.id', 'listing_changes.organisation_id', 'listing_changes.service_id', 'listing_changes.submitted_by', 'listing_changes.submitted_at',
        'listing_changes.status', 'listing_changes.changes', 'listing_changes.reviewed_by', 'listing_changes.reviewed_at', 'listing_changes.review_note',
        'organisations.name as organisation_name'])
      .where((eb) => eb.or([
        ...(who.userIds.length ? [eb('listing_changes.submitted_by', 'in', who.userIds), eb('listing_changes.reviewed_by', 'in', who.userIds)] : []),
        ...(who.emails.length ? [mentions('listing_changes.changes', who.emails)] : []),
      ]))
      .orderBy('listing_changes.submitted_at').execute();
  },

  /** History entries written by them, or recording their address (an edit that set it as a listing's contact). */
  events(db: Queryable, who: PersonIdentity) {
    if (who.actorLabels.length === 0 && who.emails.length === 0) return none;
    return db.selectFrom('organisation_events').innerJoin('organisations', 'organisations.id', 'organisation_events.organisation_id')
      .select(['organisation_events.id', 'organisation_events.organisation_id', 'organisation_events.occurred_at', 'organisation_events.actor_label',
        'organisation_events.kind', 'organisation_events.summary', 'organisations.name as organisation_name'])
      .where('organisation_events.lio_id', '=', who.lioId)
      .where((eb) => eb.or([
        eb(lowered('organisation_events.actor_label'), '=', anyOf(who.actorLabels)),
        ...(who.emails.length ? [mentions('organisation_events.detail', who.emails)] : []),
      ]))
      .orderBy('organisation_events.occurred_at').execute();
  },

  signpostingLists(db: Queryable, who: PersonIdentity) {
    if (who.userIds.length === 0) return none;
    return db.selectFrom('signposting_lists').select(['id', 'title', 'created_by', 'created_at', 'updated_at'])
      .where('created_by', 'in', who.userIds).orderBy('created_at').execute();
  },

  imports(db: Queryable, who: PersonIdentity) {
    if (who.actorLabels.length === 0) return none;
    return db.selectFrom('directory_imports').select(['id', 'kind', 'source', 'status', 'started_at', 'finished_at', 'actor_label', 'counts'])
      .where(lowered('actor_label'), '=', anyOf(who.actorLabels)).orderBy('started_at').execute();
  },

  // --- Erasure ---

  deletePhones(db: Queryable, ids: string[]) {
    return ids.length ? db.deleteFrom('phones').where('id', 'in', ids).executeTakeFirst() : undefined;
  },
  deleteContacts(db: Queryable, ids: string[]) {
    return ids.length ? db.deleteFrom('contacts').where('id', 'in', ids).executeTakeFirst() : undefined;
  },
  /** Only the organisation's email when it is the person's address: the listing stays, and so does its public phone line. */
  async clearOrganisationContacts(db: Queryable, who: PersonIdentity, now: Date) {
    const emails = await db.updateTable('organisations').set({ email: null, updated_at: now })
      .where('lio_id', '=', who.lioId).where(lowered('email'), '=', anyOf(who.emails)).executeTakeFirst();
    return Number(emails.numUpdatedRows);
  },
  async clearServiceContacts(db: Queryable, who: PersonIdentity, now: Date) {
    const emails = await db.updateTable('services').set({ email: null, updated_at: now })
      .where('lio_id', '=', who.lioId).where(lowered('email'), '=', anyOf(who.emails)).executeTakeFirst();
    const assurers = await db.updateTable('services').set({ assurer_email: null, updated_at: now })
      .where('lio_id', '=', who.lioId).where(lowered('assurer_email'), '=', anyOf(who.emails)).executeTakeFirst();
    return Number(emails.numUpdatedRows) + Number(assurers.numUpdatedRows);
  },
  async unlinkListingChanges(db: Queryable, userIds: string[]) {
    if (userIds.length === 0) return 0;
    const submitted = await db.updateTable('listing_changes').set({ submitted_by: null }).where('submitted_by', 'in', userIds).executeTakeFirst();
    const reviewed = await db.updateTable('listing_changes').set({ reviewed_by: null }).where('reviewed_by', 'in', userIds).executeTakeFirst();
    return Number(submitted.numUpdatedRows) + Number(reviewed.numUpdatedRows);
  },
  async relabelEvents(db: Queryable, who: PersonIdentity, label: string) {
    if (who.actorLabels.length === 0) return 0;
    const r = await db.updateTable('organisation_events').set({ actor_label: label })
      .where('lio_id', '=', who.lioId).where(lowered('actor_label'), '=', anyOf(who.actorLabels)).executeTakeFirst();
    return Number(r.numUpdatedRows);
  },
  /** Their addresses blanked inside the JSON of listing changes and history details (what was changed from and to). */
  async scrubAddresses(db: Queryable, who: PersonIdentity) {
    if (who.emails.length === 0) return { listing_changes: 0, organisation_events: 0 };
    const pattern = addressPattern(who.emails);
    const changes = await db.updateTable('listing_changes').set({ changes: sql<string>`regexp_replace(changes::text, ${pattern}, ${ERASED_ADDRESS}, 'gi')::jsonb` })
      .where(mentions('changes', who.emails)).executeTakeFirst();
    const events = await db.updateTable('organisation_events').set({ detail: sql<string>`regexp_replace(detail::text, ${pattern}, ${ERASED_ADDRESS}, 'gi')::jsonb` })
      .where('lio_id', '=', who.lioId).where(mentions('detail', who.emails)).executeTakeFirst();
    return { listing_changes: Number(changes.numUpdatedRows), organisation_events: Number(events.numUpdatedRows) };
  },
  async unlinkSignpostingLists(db: Queryable, userIds: string[]) {
    if (userIds.length === 0) return 0;
    return Number((await db.updateTable('signposting_lists').set({ created_by: null }).where('created_by', 'in', userIds).executeTakeFirst()).numUpdatedRows);
  },
  async relabelImports(db: Queryable, who: PersonIdentity, label: string) {
    if (who.actorLabels.length === 0) return 0;
    return Number((await db.updateTable('directory_imports').set({ actor_label: label }).where(lowered('actor_label'), '=', anyOf(who.actorLabels)).executeTakeFirst()).numUpdatedRows);
  },

  // --- Retention ---

  /** Histories older than the retention period no longer name who acted: the one rule of every history, `namesAPerson`. */
  async forgetOldActors(db: Queryable, now: Date) {
    const cutoff = new Date(now);
    cutoff.setUTCFullYear(cutoff.getUTCFullYear() - HISTORY_YEARS);
    const events = await db.updateTable('organisation_events').set({ actor_label: FORMER_USER_LABEL })
      .where('occurred_at', '<', cutoff).where(namesAPerson('actor_label')).executeTakeFirst();
    const imports = await db.updateTable('directory_imports').set({ actor_label: FORMER_USER_LABEL })
      .where('started_at', '<', cutoff).where(namesAPerson('actor_label')).executeTakeFirst();
    const changes = await db.updateTable('listing_changes').set({ submitted_by: null, reviewed_by: null })
      .where('submitted_at', '<', cutoff).where('status', '<>', 'pending')
      .where((eb) => eb.or([eb('submitted_by', 'is not', null), eb('reviewed_by', 'is not', null)])).executeTakeFirst();
    return { organisation_events: Number(events.numUpdatedRows), directory_imports: Number(imports.numUpdatedRows), listing_changes: Number(changes.numUpdatedRows) };
  },
};
