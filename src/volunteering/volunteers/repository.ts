import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/index.js';
import { containing, escapeLike } from '../../platform/db/like.js';

/**
 * Finding a volunteer with their person record (name, e-mails, phones, postcode, date of birth): the one query every
 * volunteering feature starts from. A signed-in volunteer is found through their account's person.
 */
export const volunteersRepository = {
  selectVolunteer(db: Queryable) {
    return db.selectFrom('volunteers as v').innerJoin('people as p', 'p.id', 'v.person_id')
      .selectAll('v')
      .select(['p.full_name', 'p.preferred_name', 'p.emails', 'p.phones', 'p.postcode', 'p.contact_methods'])
      // As 'YYYY-MM-DD' text, as the type says: a Date would move with the time zone.
      .select(sql<string | null>`to_char(p.date_of_birth, 'YYYY-MM-DD')`.as('date_of_birth'));
  },

  byId(db: Queryable, id: string) {
    return this.selectVolunteer(db).where('v.id', '=', id).executeTakeFirst();
  },

  /** One entry of a volunteer's history, dated, with who did it (an account, or words for the system or an organisation). */
  async addEvent(db: Queryable, lioId: string, volunteerId: string, kind: string, detail: string | null, actor: { userId: string | null; label: string | null }, at: Date,
    signupKey: string | null = null): Promise<void> {
    await db.insertInto('volunteer_events').values({ lio_id: lioId, volunteer_id: volunteerId, kind, detail, actor_user_id: actor.userId, actor_label: actor.label, at, signup_key: signupKey }).execute();
  },

  /** The volunteer record of a signed-in person, if they have one. */
  ofUser(db: Queryable, userId: string) {
    return this.selectVolunteer(db).where('v.person_id', '=', (eb) => eb.selectFrom('users').select('person_id').where('users.id', '=', userId)).executeTakeFirst();
  },
};
export type VolunteerWithPerson = NonNullable<Awaited<ReturnType<typeof volunteersRepository.byId>>>;

/** The columns of a volunteer's profile that registration, staff and the volunteer themselves write. */
export interface ProfileColumns {
  travel_km: number | null; in_person: boolean; remote: boolean; skills: string[]; interests: string[]; causes: string[]; languages: string[];
  availability: string[]; access_needs: string | null; emergency_reserve: boolean; latitude: number | null; longitude: number | null;
}

export interface VolunteerFilter { q: string; status: string; skill: string; slot: string; reserve: boolean; page: number; pageSize: number }

/** All SQL of registering volunteers, finding them and keeping their records. */
export const volunteerRecordsRepository = {
  async minimumAge(db: Queryable): Promise<number> {
    const row = await db.selectFrom('volunteering_settings').select('minimum_age').executeTakeFirst();
    return row?.minimum_age ?? 14;
  },

  /** The person in use who holds this address (lower case), the oldest first: one e-mail, one person. */
  personByEmail(db: Queryable, email: string) {
    return db.selectFrom('people').select(['id'])
      .where('emails', '@>', sql<string[]>`array[${email}]::text[]`).where('merged_into_id', 'is', null).where('erased_at', 'is', null)
      .orderBy('created_at').limit(1).executeTakeFirst();
  },

  volunteerIdOfPerson(db: Queryable, personId: string) {
    return db.selectFrom('volunteers').select('id').where('person_id', '=', personId).executeTakeFirst();
  },

  bySignupKey(db: Queryable, key: string) {
    return db.selectFrom('volunteers').select(['id', 'person_id']).where('signup_key', '=', key).executeTakeFirst();
  },

  /** Whether a form's e-mailed link was followed: it made a volunteer, or went into the history of one held before. */
  async signupKeyFollowed(db: Queryable, key: string): Promise<boolean> {
    const { rows } = await sql<{ followed: boolean }>`select exists (select 1 from volunteers where signup_key = ${key})
      or exists (select 1 from volunteer_events where signup_key = ${key}) as followed`.execute(db);
    return rows[0]!.followed;
  },

  insertPerson(db: Queryable, row: { lioId: string; fullName: string; email: string; phones: string[]; postcode: string; dateOfBirth: string | null; contactMethods: ('email' | 'phone')[]; now: Date }) {
    return db.insertInto('people').values({
      lio_id: row.lioId, full_name: row.fullName, emails: [row.email], phones: row.phones, postcode: row.postcode, date_of_birth: row.dateOfBirth,
      contact_methods: row.contactMethods, created_at: row.now, updated_at: row.now,
    }).returning('id').executeTakeFirstOrThrow();
  },

  /** A person already held who registers: their new phone is added, their postcode is their latest, a date of birth fills a gap. */
  fillPerson(db: Queryable, id: string, row: { phone: string | null; postcode: string; dateOfBirth: string | null; now: Date }) {
    return db.updateTable('people').set({
      phones: row.phone ? sql<string[]>`case when ${row.phone} = any(phones) then phones else array_append(phones, ${row.phone}) end` : sql<string[]>`phones`,
      postcode: row.postcode, date_of_birth: sql<string>`coalesce(date_of_birth, ${row.dateOfBirth}::date)`, updated_at: row.now,
    }).where('id', '=', id).execute();
  },

  /** The person's own correction of their details (the first e-mail and phone; any others held are kept after them). */
  updatePerson(db: Queryable, id: string, row: { fullName: string; email: string; phone: string | null; postcode: string; dateOfBirth: string | null; now: Date }) {
    return db.updateTable('people').set({
      full_name: row.fullName,
      emails: sql<string[]>`array_prepend(${row.email}::text, array_remove(emails, ${row.email}::text))`,
      phones: row.phone ? sql<string[]>`array_prepend(${row.phone}::text, array_remove(phones, ${row.phone}::text))` : sql<string[]>`phones`,
      postcode: row.postcode, date_of_birth: row.dateOfBirth, updated_at: row.now,
    }).where('id', '=', id).execute();
  },

  /** Undefined when this person is already a volunteer or this form was sent before (the caller tells which). */
  insertVolunteer(db: Queryable, row: ProfileColumns & {
    lio_id: string; person_id: string; registered_via: 'online' | 'staff'; signup_key: string | null; confirm_token_hash: string | null;
    email_confirmed_at: Date | null; guardian_name: string | null; guardian_contact: string | null; guardian_consent_at: Date | null; now: Date;
  }) {
    const { now, ...values } = row;
    return db.insertInto('volunteers').values({ ...values, status: 'new', created_at: now, updated_at: now })
      .onConflict((oc) => oc.doNothing()).returning('id').executeTakeFirst();
  },

  updateProfile(db: Queryable, id: string, columns: ProfileColumns, now: Date) {
    return db.updateTable('volunteers').set({ ...columns, updated_at: now }).where('id', '=', id).execute();
  },

  /** The volunteering consents a form records; `wordingVersion` names the form's wording (registration or surge). */
  insertConsents(db: Queryable, rows: { lioId: string; personId: string; purpose: 'contact_about_volunteering' | 'volunteer_record'; method: 'online_form' | 'verbal'; recordedBy: string | null; now: Date }[], wordingVersion = 'volunteer-registration-1') {
    if (rows.length === 0) return Promise.resolve();
    return db.insertInto('consents').values(rows.map((r) => ({
      lio_id: r.lioId, person_id: r.personId, purpose: r.purpose, given_at: r.now, method: r.method, wording_version: wordingVersion,
      recorded_by: r.recordedBy, created_at: r.now,
    }))).execute();
  },

  insertEvent(db: Queryable, e: { lioId: string; volunteerId: string; kind: string; detail?: string | null; actorUserId: string | null; actorLabel: string | null; at: Date;
    signupKey?: string | null }) {
    return volunteersRepository.addEvent(db, e.lioId, e.volunteerId, e.kind, e.detail ?? null, { userId: e.actorUserId, label: e.actorLabel }, e.at, e.signupKey ?? null);
  },

  byConfirmToken(db: Queryable, tokenHash: string) {
    return volunteersRepository.selectVolunteer(db).where('v.confirm_token_hash', '=', tokenHash).executeTakeFirst();
  },

  confirmEmail(db: Queryable, id: string, now: Date) {
    return db.updateTable('volunteers').set({ email_confirmed_at: now }).where('id', '=', id).where('email_confirmed_at', 'is', null).executeTakeFirst();
  },

  /** The link is spent once an account is made from it. */
  spendConfirmToken(db: Queryable, id: string) {
    return db.updateTable('volunteers').set({ confirm_token_hash: null }).where('id', '=', id).execute();
  },

  userByEmail(db: Queryable, email: string) {
    return db.selectFrom('users').select(['id', 'role']).where(sql<string>`lower(email)`, '=', email.toLowerCase()).executeTakeFirst();
  },

  insertVolunteerUser(db: Queryable, row: { lioId: string; email: string; displayName: string; passwordHash: string; personId: string; now: Date }) {
    return db.insertInto('users').values({
      lio_id: row.lioId, email: row.email, display_name: row.displayName.slice(0, 120), password_hash: row.passwordHash, role: 'volunteer',
      person_id: row.personId, status: 'active', created_at: row.now, updated_at: row.now,
    }).returning('id').executeTakeFirstOrThrow();
  },

  async list(db: Queryable, f: VolunteerFilter) {
    let q = db.selectFrom('volunteers as v').innerJoin('people as p', 'p.id', 'v.person_id');
    if (f.q) {
      const like = containing(f.q.toLowerCase());
      const compact = f.q.replace(/\s+/g, '').toUpperCase();
      q = q.where((eb) => eb.or([
        eb(sql<string>`lower(coalesce(p.full_name, '') || ' ' || coalesce(p.preferred_name, ''))`, 'like', like),
        eb(sql<string>`lower(array_to_string(p.emails, ' '))`, 'like', like),
        eb(sql<string>`replace(coalesce(p.postcode, ''), ' ', '')`, 'like', `${escapeLike(compact)}%`),
      ]));
    }
    if (f.status) q = q.where('v.status', '=', f.status as 'new');
    if (f.skill) q = q.where('v.skills', '@>', sql<string[]>`array[${f.skill}]::text[]`);
    if (f.slot) q = q.where('v.availability', '@>', sql<string[]>`array[${f.slot}]::text[]`);
    if (f.reserve) q = q.where('v.emergency_reserve', '=', true);
    const total = Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const rows = await q.select(['v.id', 'v.status', 'v.skills', 'v.emergency_reserve', 'v.email_confirmed_at', 'v.created_at', 'p.full_name', 'p.emails', 'p.postcode'])
      .orderBy(sql`lower(p.full_name)`).orderBy('v.id').limit(f.pageSize).offset((f.page - 1) * f.pageSize).execute();
    return { total, rows };
  },

  setStatus(db: Queryable, id: string, status: 'new' | 'active' | 'placed' | 'inactive', now: Date) {
    return db.updateTable('volunteers').set({ status, updated_at: now }).where('id', '=', id).where('status', '<>', status).executeTakeFirst();
  },

  insertNote(db: Queryable, row: { lioId: string; volunteerId: string; authorUserId: string; body: string; now: Date }) {
    return db.insertInto('volunteer_notes').values({ lio_id: row.lioId, volunteer_id: row.volunteerId, author_user_id: row.authorUserId, body: row.body, created_at: row.now }).execute();
  },

  notesOf(db: Queryable, volunteerId: string) {
    return db.selectFrom('volunteer_notes as n').leftJoin('users as u', 'u.id', 'n.author_user_id')
      .select(['n.id', 'n.body', 'n.created_at', 'u.display_name as author']).where('n.volunteer_id', '=', volunteerId).orderBy('n.created_at', 'desc').orderBy('n.id').execute();
  },

  eventsOf(db: Queryable, volunteerId: string) {
    return db.selectFrom('volunteer_events as e').leftJoin('users as u', 'u.id', 'e.actor_user_id')
      .select(['e.id', 'e.kind', 'e.detail', 'e.at', 'e.actor_label', 'u.display_name as actor']).where('e.volunteer_id', '=', volunteerId).orderBy('e.at', 'desc').orderBy('e.id').execute();
  },

  async panelCounts(db: Queryable): Promise<{ fresh: number; reserve: number }> {
    const row = await db.selectFrom('volunteers').select([
      sql<number>`count(*) filter (where status = 'new')`.as('fresh'),
      sql<number>`count(*) filter (where emergency_reserve)`.as('reserve'),
    ]).executeTakeFirstOrThrow();
    return { fresh: Number(row.fresh), reserve: Number(row.reserve) };
  },
};
