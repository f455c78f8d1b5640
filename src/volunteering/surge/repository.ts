import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/index.js';
import { volunteersRepository } from '../volunteers/repository.js';

export interface SurgeSignupRow { fullName: string; email: string; phone: string | null; postcode: string; skills: string[]; offer: string | null }

/** Who a cohort message goes to: the emergency reserve, those assigned to a locality or an organisation, or every surge sign-up. */
export type Cohort = { kind: 'reserve' } | { kind: 'surge' } | { kind: 'locality'; locality: string } | { kind: 'organisation'; organisationId: string };

export const surgeRepository = {
  settings(tx: Queryable, lioId: string) {
    return tx.selectFrom('volunteering_settings').selectAll().where('lio_id', '=', lioId).executeTakeFirst();
  },

  async isOn(tx: Queryable, lioId: string): Promise<boolean> {
    const row = await tx.selectFrom('volunteering_settings').select('surge_started_at').where('lio_id', '=', lioId).executeTakeFirst();
    return Boolean(row?.surge_started_at);
  },

  async saveSurge(tx: Queryable, lioId: string, startedAt: Date | null, message: string | null, now: Date): Promise<void> {
    await tx.insertInto('volunteering_settings').values({ lio_id: lioId, surge_started_at: startedAt, surge_message: message, updated_at: now })
      .onConflict((oc) => oc.column('lio_id').doUpdateSet({ surge_started_at: startedAt, surge_message: message, updated_at: now })).execute();
  },

  /**
   * For a batch of surge forms, in one statement: whether surge mode is on, and which of their keys were followed
   * already: the e-mailed link made a volunteer, or added the offer to the history of one held before.
   */
  async batchState(tx: Queryable, lioId: string, signupKeys: string[]): Promise<{ on: boolean; volunteers: Set<string> }> {
    const { rows } = await sql<{ surge_on: boolean | null; volunteer_keys: string[] }>`
      select (select surge_started_at is not null from volunteering_settings where lio_id = ${lioId}) as surge_on,
        array(select signup_key from volunteers where signup_key = any(${signupKeys}::text[])
          union all select signup_key from volunteer_events where signup_key = any(${signupKeys}::text[])) as volunteer_keys`.execute(tx);
    return { on: rows[0]?.surge_on === true, volunteers: new Set(rows[0]?.volunteer_keys ?? []) };
  },

  /** A person in use holding this (confirmed) e-mail address: the surge form never makes a known person twice. */
  personByEmail(tx: Queryable, email: string) {
    return tx.selectFrom('people').select(['id'])
      .where('merged_into_id', 'is', null).where('erased_at', 'is', null)
      .where(sql`emails`, '@>', sql<string[]>`array[${email}]::text[]`)
      .orderBy('created_at').limit(1).executeTakeFirst();
  },

  volunteerOfPerson(tx: Queryable, personId: string) {
    return tx.selectFrom('volunteers').select(['id']).where('person_id', '=', personId).executeTakeFirst();
  },

  async insertPerson(tx: Queryable, lioId: string, s: SurgeSignupRow, now: Date): Promise<string> {
    const row = await tx.insertInto('people').values({
      lio_id: lioId, full_name: s.fullName, emails: [s.email], phones: s.phone ? [s.phone] : [], postcode: s.postcode,
      contact_methods: s.phone ? ['email', 'phone'] : ['email'], created_at: now, updated_at: now,
    }).returning('id').executeTakeFirstOrThrow();
    return row.id;
  },

  async insertVolunteer(tx: Queryable, lioId: string, personId: string, s: SurgeSignupRow, signupKey: string, place: { latitude: number; longitude: number } | null, now: Date): Promise<string> {
    const row = await tx.insertInto('volunteers').values({
      lio_id: lioId, person_id: personId, status: 'new', registered_via: 'surge', skills: s.skills, access_needs: null,
      latitude: place?.latitude ?? null, longitude: place?.longitude ?? null, emergency_reserve: true, signup_key: signupKey, email_confirmed_at: now, created_at: now, updated_at: now,
    }).returning('id').executeTakeFirstOrThrow();
    return row.id;
  },

  /** The postcode of a surge volunteer not yet placed on the map (undefined once placed, or erased). */
  async postcodeOfUnplaced(tx: Queryable, volunteerId: string): Promise<string | undefined> {
    const row = await tx.selectFrom('volunteers as v').innerJoin('people as p', 'p.id', 'v.person_id').select('p.postcode')
      .where('v.id', '=', volunteerId).where('v.latitude', 'is', null).where('p.erased_at', 'is', null).executeTakeFirst();
    return row?.postcode ?? undefined;
  },

  /** Places a volunteer on the map, unless someone placed them meanwhile (a coordinator's change of profile wins). */
  async placeIfUnplaced(tx: Queryable, volunteerId: string, place: { latitude: number; longitude: number }, now: Date): Promise<void> {
    await tx.updateTable('volunteers').set({ latitude: place.latitude, longitude: place.longitude, updated_at: now })
      .where('id', '=', volunteerId).where('latitude', 'is', null).execute();
  },

  /** Surge sign-ups still to be vetted (status new), oldest first, with whether a coordinator marked them as needing a DBS check. */
  queue(tx: Queryable, limit: number) {
    return volunteersRepository.selectVolunteer(tx)
      .where('v.registered_via', '=', 'surge').where('v.status', '=', 'new')
      .select((eb) => eb.exists(eb.selectFrom('volunteer_events as e').select('e.id').whereRef('e.volunteer_id', '=', 'v.id').where('e.kind', '=', 'surge.needs_dbs')).as('needs_dbs'))
      .orderBy('v.created_at').orderBy('v.id').limit(limit).execute();
  },

  countQueue(tx: Queryable) {
    return tx.selectFrom('volunteers').select((eb) => eb.fn.countAll<string>().as('n')).where('registered_via', '=', 'surge').where('status', '=', 'new').executeTakeFirstOrThrow();
  },

  /** Who can be sent in the emergency: the emergency reserve and every surge sign-up not yet turned away, with where each is assigned now. */
  pool(tx: Queryable, limit: number) {
    return volunteersRepository.selectVolunteer(tx)
      .where('v.status', '!=', 'inactive')
      .where((eb) => eb.or([eb('v.emergency_reserve', '=', true), eb('v.registered_via', '=', 'surge')]))
      .select((eb) => eb.selectFrom('surge_assignments as a').leftJoin('organisations as o', 'o.id', 'a.organisation_id')
        .select(sql<string>`coalesce(a.locality, o.name)`.as('x')).whereRef('a.volunteer_id', '=', 'v.id').orderBy('a.assigned_at', 'desc').limit(1).as('assigned_to'))
      .orderBy('p.full_name').orderBy('v.id').limit(limit).execute();
  },

  async setStatus(tx: Queryable, ids: string[], status: 'active', now: Date): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await tx.updateTable('volunteers').set({ status, updated_at: now })
      .where('id', 'in', ids).where('registered_via', '=', 'surge').where('status', '=', 'new').returning('id').execute();
    return rows.map((r) => r.id);
  },

  /** Of these ids, the ones that are in the pool (a forged id, or someone else's volunteer, is not). */
  async inPool(tx: Queryable, ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await tx.selectFrom('volunteers').select('id').where('id', 'in', ids).where('status', '!=', 'inactive')
      .where((eb) => eb.or([eb('emergency_reserve', '=', true), eb('registered_via', '=', 'surge')])).execute();
    return rows.map((r) => r.id);
  },

  async assign(tx: Queryable, lioId: string, ids: string[], to: { locality: string | null; organisationId: string | null }, userId: string, now: Date): Promise<void> {
    await tx.insertInto('surge_assignments').values(ids.map((id) => ({
      lio_id: lioId, volunteer_id: id, locality: to.locality, organisation_id: to.organisationId, assigned_at: now, assigned_by_user_id: userId,
    }))).execute();
  },

  organisationName(tx: Queryable, id: string) {
    return tx.selectFrom('organisations').select('name').where('id', '=', id).executeTakeFirst();
  },

  /** Organisations and localities volunteers can be sent to: organisations by name, localities as typed before. */
  organisations(tx: Queryable) {
    return tx.selectFrom('organisations').select(['id', 'name']).orderBy('name').limit(500).execute();
  },

  async localities(tx: Queryable): Promise<string[]> {
    const rows = await tx.selectFrom('surge_assignments').select('locality').distinct().where('locality', 'is not', null).orderBy('locality').limit(200).execute();
    return rows.map((r) => r.locality!);
  },

  /**
   * A cohort's members with an address to write to. A volunteer's latest assignment is where they are now, so one
   * moved from a locality is not written to about it.
   */
  cohort(tx: Queryable, cohort: Cohort) {
    const latest = (column: 'locality' | 'organisation_id') =>
      sql.raw(`(select a.${column} from surge_assignments a where a.volunteer_id = v.id order by a.assigned_at desc, a.id limit 1)`);
    let q = tx.selectFrom('volunteers as v').innerJoin('people as p', 'p.id', 'v.person_id')
      .select(['v.id', 'p.emails', 'p.full_name']).where('v.status', '!=', 'inactive').where('p.erased_at', 'is', null).where(sql<boolean>`cardinality(p.emails) > 0`);
    if (cohort.kind === 'reserve') q = q.where('v.emergency_reserve', '=', true);
    else if (cohort.kind === 'surge') q = q.where('v.registered_via', '=', 'surge');
    else if (cohort.kind === 'locality') q = q.where(sql<boolean>`${latest('locality')} = ${cohort.locality}`);
    else q = q.where(sql<boolean>`${latest('organisation_id')} = ${cohort.organisationId}::uuid`);
    return q.orderBy('v.id').execute();
  },

  async insertMessage(tx: Queryable, lioId: string, m: { subject: string; body: string; cohort: string; recipients: number }, userId: string, now: Date): Promise<string> {
    const row = await tx.insertInto('volunteer_messages').values({ lio_id: lioId, ...m, sent_by_user_id: userId, created_at: now }).returning('id').executeTakeFirstOrThrow();
    return row.id;
  },

  messages(tx: Queryable) {
    return tx.selectFrom('volunteer_messages').select(['id', 'subject', 'cohort', 'recipients', 'created_at']).orderBy('created_at', 'desc').limit(20).execute();
  },
};
export type PoolRow = Awaited<ReturnType<typeof surgeRepository.pool>>[number];
export type QueueRow = Awaited<ReturnType<typeof surgeRepository.queue>>[number];
