import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/index.js';
import { anyId, anyOf, none } from '../../platform/db/personal-data-sql.js';
import { ERASED_LABEL, type ErasureOutcome, type RowCounts } from '../../platform/personal-data.js';

/** Three years without a referral, hours or a change: the volunteer record has done its work. */
export const VOLUNTEER_RETENTION_YEARS = 3;

/** Tables that hang off a volunteer, whose rows are the volunteer's own. */
const VOLUNTEER_ROWS = ['volunteer_notes', 'volunteer_events', 'referrals', 'vetting_checks', 'volunteer_hours', 'surge_assignments'] as const;

/** SQL of what volunteering holds about a person: their volunteer record and what hangs off it, and their part in histories. */
export const volunteeringDataRepository = {
  volunteersOf(db: Queryable, personIds: string[]) {
    return db.selectFrom('volunteers').selectAll().where('person_id', '=', anyId(personIds)).orderBy('created_at').execute();
  },

  referralsOf(db: Queryable, volunteerIds: string[]) {
    return db.selectFrom('referrals as r').innerJoin('opportunities as o', 'o.id', 'r.opportunity_id')
      .leftJoin('organisations as org', 'org.id', 'r.organisation_id')
      .select(['r.id', 'r.status', 'r.enquired_at', 'r.referred_at', 'r.started_at', 'r.ended_at', 'o.title', 'org.name as organisation_name'])
      .where('r.volunteer_id', '=', anyId(volunteerIds)).orderBy('r.enquired_at').execute();
  },

  vettingOf(db: Queryable, volunteerIds: string[]) {
    return db.selectFrom('vetting_checks').selectAll().where('volunteer_id', '=', anyId(volunteerIds)).orderBy('created_at').execute();
  },

  hoursOf(db: Queryable, volunteerIds: string[]) {
    return db.selectFrom('volunteer_hours').selectAll().where('volunteer_id', '=', anyId(volunteerIds)).orderBy('worked_on').execute();
  },

  notesOf(db: Queryable, volunteerIds: string[]) {
    return db.selectFrom('volunteer_notes').selectAll().where('volunteer_id', '=', anyId(volunteerIds)).orderBy('created_at').execute();
  },

  /** Every row of the volunteer's own tables, and the steps of their referrals, as stored. */
  async rowsOf(db: Queryable, volunteerIds: string[]) {
    const out: Record<string, Record<string, unknown>[]> = {};
    for (const table of VOLUNTEER_ROWS) {
      out[table] = await db.selectFrom(table).selectAll().where('volunteer_id', '=', anyId(volunteerIds)).execute();
    }
    out.referral_steps = await db.selectFrom('referral_steps').selectAll()
      .where('referral_id', 'in', (eb) => eb.selectFrom('referrals').select('id').where('volunteer_id', '=', anyId(volunteerIds))).orderBy('at').execute();
    return out;
  },

  /** History entries written by the person (as staff, or an organisation's member), by account or by the words naming them. */
  actedRows(db: Queryable, userIds: string[], labels: string[]) {
    const by = (table: 'volunteer_events' | 'referral_steps') => db.selectFrom(table).selectAll()
      .where((eb) => eb.or([eb('actor_user_id', '=', anyId(userIds)), eb.and([eb('actor_user_id', 'is', null), eb(sql`lower(actor_label)`, '=', anyOf(labels))])])).execute();
    return Promise.all([by('volunteer_events'), by('referral_steps')]);
  },

  /** Roles the person posted or approved from their account (staff, or a group's member). */
  opportunitiesBy(db: Queryable, userIds: string[]) {
    return db.selectFrom('opportunities').selectAll()
      .where((eb) => eb.or([eb('submitted_by_user_id', '=', anyId(userIds)), eb('approved_by_user_id', '=', anyId(userIds))])).orderBy('created_at').execute();
  },

  /**
   * Erasure: notes, history, vetting and surge assignments go; referrals and hours stay without their free text (the
   * LIO's figures count them), and the volunteer row stays as an empty profile of the now anonymous person.
   */
  async eraseVolunteers(db: Queryable, volunteerIds: string[], now: Date): Promise<ErasureOutcome> {
    if (volunteerIds.length === 0) return { removed: {}, anonymised: {} };
    const removed: RowCounts = {};
    for (const table of ['volunteer_notes', 'volunteer_events', 'vetting_checks', 'surge_assignments'] as const) {
      const r = await db.deleteFrom(table).where('volunteer_id', '=', anyId(volunteerIds)).executeTakeFirst();
      removed[table] = Number(r.numDeletedRows);
    }
    const steps = await db.updateTable('referral_steps').set({ note: null })
      .where('referral_id', 'in', (eb) => eb.selectFrom('referrals').select('id').where('volunteer_id', '=', anyId(volunteerIds))).where('note', 'is not', null).executeTakeFirst();
    const referrals = await db.updateTable('referrals').set({ decline_reason: null, end_reason: null, updated_at: now })
      .where('volunteer_id', '=', anyId(volunteerIds)).executeTakeFirst();
    const hours = await db.updateTable('volunteer_hours').set({ description: null }).where('volunteer_id', '=', anyId(volunteerIds)).executeTakeFirst();
    const volunteers = await db.updateTable('volunteers').set({
      status: 'inactive', travel_km: null, latitude: null, longitude: null, skills: [], interests: [], causes: [], languages: [], availability: [],
      access_needs: null, emergency_reserve: false, guardian_name: null, guardian_contact: null, guardian_consent_at: null, signup_key: null,
      // The e-mailed link stops working, and nothing says any more that an address was confirmed.
      confirm_token_hash: null, email_confirmed_at: null, updated_at: now,
    }).where('id', '=', anyId(volunteerIds)).executeTakeFirst();
    return {
      removed,
      anonymised: {
        volunteers: Number(volunteers.numUpdatedRows), referrals: Number(referrals.numUpdatedRows),
        referral_steps: Number(steps.numUpdatedRows), volunteer_hours: Number(hours.numUpdatedRows),
      },
    };
  },

  /** Links to answer a referral e-mailed to one of the person's addresses (as an organisation's contact). */
  linksSentTo(db: Queryable, emails: string[]) {
    if (emails.length === 0) return none;
    return db.selectFrom('referral_links').select(['id', 'referral_id', 'sent_to', 'expires_at', 'used_at', 'created_at'])
      .where(sql<string>`lower(sent_to)`, '=', anyOf(emails)).orderBy('created_at').execute();
  },

  /** The link no longer names the address, and one not yet used stops working: it was the erased person's to follow. */
  async forgetLinksSentTo(db: Queryable, emails: string[], now: Date): Promise<number> {
    if (emails.length === 0) return 0;
    const r = await db.updateTable('referral_links').set({ sent_to: ERASED_LABEL, expires_at: sql<Date>`least(expires_at, ${now}::timestamptz)` })
      .where(sql<string>`lower(sent_to)`, '=', anyOf(emails)).executeTakeFirst();
    return Number(r.numUpdatedRows);
  },

  /** Sign-ups from the front door sent with one of the person's addresses, still waiting for the link to be followed. */
  signupsFor(db: Queryable, emails: string[]) {
    if (emails.length === 0) return none;
    return db.selectFrom('volunteer_signups').select(['id', 'via', 'email', 'answers', 'created_at', 'expires_at'])
      .where(sql<string>`lower(email)`, '=', anyOf(emails)).orderBy('created_at').execute();
  },

  async removeSignupsFor(db: Queryable, emails: string[]): Promise<number> {
    if (emails.length === 0) return 0;
    return Number((await db.deleteFrom('volunteer_signups').where(sql<string>`lower(email)`, '=', anyOf(emails)).executeTakeFirst()).numDeletedRows);
  },

  /** A sign-up whose link was never followed is deleted once the link stops working. */
  async removeLapsedSignups(db: Queryable, now: Date): Promise<number> {
    return Number((await db.deleteFrom('volunteer_signups').where('expires_at', '<=', now).executeTakeFirst()).numDeletedRows);
  },

  /** Histories keep what was done; the person who did it is no longer named. */
  async relabelActor(db: Queryable, labels: string[]) {
    const counts: Record<string, number> = {};
    for (const table of ['volunteer_events', 'referral_steps'] as const) {
      const r = await db.updateTable(table).set({ actor_label: ERASED_LABEL }).where(sql`lower(actor_label)`, '=', anyOf(labels)).executeTakeFirst();
      counts[table] = Number(r.numUpdatedRows);
    }
    const hours = await db.updateTable('volunteer_hours').set({ confirmed_by_label: ERASED_LABEL }).where(sql`lower(confirmed_by_label)`, '=', anyOf(labels)).executeTakeFirst();
    counts.volunteer_hours = Number(hours.numUpdatedRows);
    return counts;
  },

  /**
   * Two records of one person: the kept person's volunteer record takes everything of the merged one's (their open
   * enquiry about the same role becomes one), and what the profile lists is joined; with no volunteer record on the
   * kept person, the merged one's simply moves.
   */
  async mergeVolunteers(db: Queryable, mergedPersonId: string, keptPersonId: string, now: Date) {
    const [merged] = await db.selectFrom('volunteers').selectAll().where('person_id', '=', mergedPersonId).execute();
    if (!merged) return {};
    const [kept] = await db.selectFrom('volunteers').selectAll().where('person_id', '=', keptPersonId).execute();
    if (!kept) {
      await db.updateTable('volunteers').set({ person_id: keptPersonId, updated_at: now }).where('id', '=', merged.id).execute();
      return { volunteers: 1 };
    }
    const counts: Record<string, number> = {};
    await db.updateTable('referrals').set({ status: 'withdrawn', updated_at: now }).where('volunteer_id', '=', merged.id)
      .where('status', 'not in', ['declined', 'ended', 'withdrawn'])
      .where('opportunity_id', 'in', (eb) => eb.selectFrom('referrals').select('opportunity_id').where('volunteer_id', '=', kept.id).where('status', 'not in', ['declined', 'ended', 'withdrawn']))
      .execute();
    for (const table of VOLUNTEER_ROWS) {
      const r = await db.updateTable(table).set({ volunteer_id: kept.id }).where('volunteer_id', '=', merged.id).executeTakeFirst();
      counts[table] = Number(r.numUpdatedRows);
    }
    const union = (a: string[], b: string[]) => [...new Set([...a, ...b])];
    await db.updateTable('volunteers').set({
      skills: union(kept.skills, merged.skills), interests: union(kept.interests, merged.interests), causes: union(kept.causes, merged.causes),
      languages: union(kept.languages, merged.languages), availability: union(kept.availability, merged.availability),
      emergency_reserve: kept.emergency_reserve || merged.emergency_reserve, access_needs: kept.access_needs ?? merged.access_needs, updated_at: now,
    }).where('id', '=', kept.id).execute();
    await db.deleteFrom('volunteers').where('id', '=', merged.id).execute();
    counts.volunteers = 1;
    return counts;
  },

  /** Volunteer records with no change, referral step, hours or vetting for the retention period. */
  staleVolunteerIds(db: Queryable, now: Date) {
    const cutoff = new Date(now);
    cutoff.setUTCFullYear(cutoff.getUTCFullYear() - VOLUNTEER_RETENTION_YEARS);
    return db.selectFrom('volunteers as v').select('v.id')
      .where('v.updated_at', '<', cutoff)
      .where(sql<boolean>`(v.skills <> '{}' or v.access_needs is not null or v.guardian_name is not null or v.latitude is not null or v.availability <> '{}')`)
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('referrals as r').select('r.id').whereRef('r.volunteer_id', '=', 'v.id').where('r.updated_at', '>=', cutoff))))
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('volunteer_hours as h').select('h.id').whereRef('h.volunteer_id', '=', 'v.id').where('h.created_at', '>=', cutoff))))
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('vetting_checks as c').select('c.id').whereRef('c.volunteer_id', '=', 'v.id').where('c.updated_at', '>=', cutoff))))
      .execute();
  },
};
