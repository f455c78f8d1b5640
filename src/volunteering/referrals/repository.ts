import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/index.js';
import type { ReferralStatus, ReferralStep } from '../../platform/db/volunteering-schema.js';
import { startOfLondonDay } from '../../platform/db/london-days.js';

/** States a referral no longer moves from: another enquiry about the role may start. */
export const CLOSED_STATES: readonly ReferralStatus[] = ['declined', 'ended', 'withdrawn'];

export interface ReferralFilter {
  status?: ReferralStatus;
  organisationId?: string;
  /** Referred, chased and escalated, and still not contacted: the coordinator's to follow up. */
  pastLimit?: boolean;
}

export interface StepActor { userId: string | null; label: string }

export interface Period { from: string; to: string }

/** The referral's columns with the volunteer's name, the role's title and the organisation's name, as lists and pages show them. */
function selectReferral(db: Queryable) {
  return db.selectFrom('referrals as r')
    .innerJoin('volunteers as v', 'v.id', 'r.volunteer_id')
    .innerJoin('people as p', 'p.id', 'v.person_id')
    .innerJoin('opportunities as o', 'o.id', 'r.opportunity_id')
    .leftJoin('organisations as org', 'org.id', 'r.organisation_id')
    .selectAll('r')
    .select(['p.full_name as volunteer_name', 'o.title as role_title', 'o.dbs_level', 'org.name as organisation_name']);
}

export const referralsRepository = {
  /** A role with what enquiring and starting check: its state, places and how many are taken. */
  async opportunity(db: Queryable, id: string) {
    return db.selectFrom('opportunities as o').leftJoin('organisations as org', 'org.id', 'o.organisation_id')
      .select(['o.id', 'o.title', 'o.status', 'o.closing_on', 'o.places', 'o.minimum_age', 'o.dbs_level', 'o.organisation_id', 'org.name as organisation_name', 'org.email as organisation_email'])
      .select((eb) => eb.selectFrom('referrals').select((e) => e.fn.countAll<string>().as('n'))
        .whereRef('referrals.opportunity_id', '=', 'o.id').where('referrals.status', 'in', ['accepted', 'started']).as('taken'))
      .where('o.id', '=', id).executeTakeFirst();
  },

  /** Locks a role's row until the transaction ends: answers taking its last places take turns. */
  async lockOpportunity(db: Queryable, id: string): Promise<void> {
    await db.selectFrom('opportunities').select('id').where('id', '=', id).forUpdate().execute();
  },

  /** Locks a volunteer's row until the transaction ends: two enquiries or referrals for them take turns. */
  async lockVolunteer(db: Queryable, id: string): Promise<void> {
    await db.selectFrom('volunteers').select('id').where('id', '=', id).forUpdate().execute();
  },

  openReferral(db: Queryable, volunteerId: string, opportunityId: string) {
    return db.selectFrom('referrals').select(['id', 'status']).where('volunteer_id', '=', volunteerId).where('opportunity_id', '=', opportunityId)
      .where('status', 'not in', CLOSED_STATES).executeTakeFirst();
  },

  async wasDeclined(db: Queryable, volunteerId: string, opportunityId: string): Promise<boolean> {
    return !!(await db.selectFrom('referrals').select('id').where('volunteer_id', '=', volunteerId).where('opportunity_id', '=', opportunityId)
      .where('status', '=', 'declined').executeTakeFirst());
  },

  async insert(db: Queryable, values: { lioId: string; volunteerId: string; opportunityId: string; organisationId: string | null; status: 'enquired' | 'referred'; at: Date }) {
    return db.insertInto('referrals').values({
      lio_id: values.lioId, volunteer_id: values.volunteerId, opportunity_id: values.opportunityId, organisation_id: values.organisationId,
      status: values.status, enquired_at: values.at, referred_at: values.status === 'referred' ? values.at : null, created_at: values.at, updated_at: values.at,
    }).returning('id').executeTakeFirstOrThrow();
  },

  /** Locks the row: two answers at once (a link and the portal) take turns, and the second sees the first's state. */
  get(db: Queryable, id: string, lock = false) {
    return selectReferral(db).where('r.id', '=', id).$if(lock, (q) => q.forUpdate('r')).executeTakeFirst();
  },

  async update(db: Queryable, id: string, set: Partial<Record<'status' | 'referred_at' | 'contacted_at' | 'answered_at' | 'started_at' | 'ended_at' | 'chased_at' | 'escalated_at', unknown>> & { decline_reason?: string; end_reason?: string }, at: Date) {
    await db.updateTable('referrals').set({ ...(set as object), updated_at: at }).where('id', '=', id).execute();
  },

  async addStep(db: Queryable, lioId: string, referralId: string, step: ReferralStep, actor: StepActor, at: Date, note: string | null = null) {
    await db.insertInto('referral_steps').values({
      lio_id: lioId, referral_id: referralId, step, at, actor_user_id: actor.userId, actor_label: actor.label, note,
    }).execute();
  },

  steps(db: Queryable, referralId: string) {
    return db.selectFrom('referral_steps as s').leftJoin('users as u', 'u.id', 's.actor_user_id')
      .select(['s.step', 's.at', 's.note', 's.actor_label', 'u.display_name']).where('s.referral_id', '=', referralId).orderBy('s.at').orderBy('s.id').execute();
  },


  async placeVolunteer(db: Queryable, volunteerId: string, at: Date) {
    await db.updateTable('volunteers').set({ status: 'placed', updated_at: at }).where('id', '=', volunteerId).execute();
  },

  /** The volunteer's passed DBS checks still in force on `day`. */
  dbsChecks(db: Queryable, volunteerId: string, day: string) {
    return db.selectFrom('vetting_checks').select(['dbs_level', 'expires_on']).where('volunteer_id', '=', volunteerId).where('kind', '=', 'dbs')
      .where('outcome', '=', 'passed').where((eb) => eb.or([eb('expires_on', 'is', null), eb('expires_on', '>=', day)])).execute();
  },

  async list(db: Queryable, filter: ReferralFilter, limit: number, offset: number) {
    const base = () => {
      let q = db.selectFrom('referrals as r');
      if (filter.status) q = q.where('r.status', '=', filter.status);
      if (filter.organisationId) q = q.where('r.organisation_id', '=', filter.organisationId);
      if (filter.pastLimit) q = q.where('r.status', '=', 'referred').where('r.escalated_at', 'is not', null);
      return q;
    };
    const total = Number((await base().select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
    const ids = base().select('r.id');
    const rows = await selectReferral(db).where('r.id', 'in', ids).orderBy('r.updated_at', 'desc').orderBy('r.id').limit(limit).offset(offset).execute();
    return { total, rows };
  },

  ofVolunteer(db: Queryable, volunteerId: string) {
    return selectReferral(db).where('r.volunteer_id', '=', volunteerId).orderBy('r.created_at', 'desc').execute();
  },

  /** A volunteer's enquiries and referrals still going somewhere: not yet started, and not declined, withdrawn or ended. */
  async inProgress(db: Queryable, volunteerId: string): Promise<number> {
    const row = await db.selectFrom('referrals').select((eb) => eb.fn.countAll<string>().as('n')).where('volunteer_id', '=', volunteerId)
      .where('status', 'in', ['enquired', 'referred', 'contacted', 'accepted']).executeTakeFirstOrThrow();
    return Number(row.n);
  },

  /** What the portal and the home panels count: referrals waiting on an organisation, and those past the limit. */
  async counts(db: Queryable, organisationId: string | null) {
    const row = await db.selectFrom('referrals')
      .select([
        sql<string>`count(*) filter (where status = 'enquired')`.as('enquired'),
        sql<string>`count(*) filter (where status in ('referred', 'contacted'))`.as('waiting'),
        sql<string>`count(*) filter (where status = 'referred' and escalated_at is not null)`.as('past_limit'),
      ])
      .$if(organisationId !== null, (q) => q.where('organisation_id', '=', organisationId!))
      .executeTakeFirstOrThrow();
    return { enquired: Number(row.enquired), waiting: Number(row.waiting), pastLimit: Number(row.past_limit) };
  },

  // --- Signed answer links ---

  async insertLink(db: Queryable, lioId: string, referralId: string, tokenHash: string, sentTo: string, expiresAt: Date, at: Date) {
    await db.insertInto('referral_links').values({ lio_id: lioId, referral_id: referralId, token_hash: tokenHash, sent_to: sentTo, expires_at: expiresAt, created_at: at }).execute();
  },

  link(db: Queryable, tokenHash: string, lock = false) {
    return db.selectFrom('referral_links').select(['id', 'referral_id', 'sent_to', 'expires_at', 'used_at']).where('token_hash', '=', tokenHash)
      .$if(lock, (q) => q.forUpdate()).executeTakeFirst();
  },

  async useLink(db: Queryable, id: string, at: Date) {
    await db.updateTable('referral_links').set({ used_at: at }).where('id', '=', id).execute();
  },

  // --- Chasers ---

  settings(db: Queryable) {
    return db.selectFrom('volunteering_settings').select('chase_after_working_days').executeTakeFirst();
  },

  /** Referred and not contacted, not yet chased (or chased and not yet escalated), oldest first. */
  waitingForContact(db: Queryable, stage: 'chase' | 'escalate') {
    return db.selectFrom('referrals as r').leftJoin('organisations as org', 'org.id', 'r.organisation_id')
      .innerJoin('opportunities as o', 'o.id', 'r.opportunity_id')
      .select(['r.id', 'r.volunteer_id', 'r.referred_at', 'r.chased_at', 'org.name as organisation_name', 'org.email as organisation_email', 'o.title as role_title'])
      .where('r.status', '=', 'referred')
      .$if(stage === 'chase', (q) => q.where('r.chased_at', 'is', null))
      .$if(stage === 'escalate', (q) => q.where('r.chased_at', 'is not', null).where('r.escalated_at', 'is', null))
      .orderBy('r.referred_at').execute();
  },

  // --- Figures ---

  async figures(db: Queryable, period: Period, now: Date) {
    // The period's days are the LIO's own (Europe/London): a referral at 23:30 UTC on 31 March, in summer time, was made on 1 April.
    const within = (column: string) => sql<boolean>`${sql.ref(column)} >= ${startOfLondonDay(period.from)} and ${sql.ref(column)} < ${startOfLondonDay(period.to, 1)}`;
    const counts = await db.selectFrom('referrals').select([
      sql<string>`count(*) filter (where ${within('enquired_at')})`.as('enquiries'),
      sql<string>`count(*) filter (where ${within('referred_at')})`.as('referrals'),
      sql<string>`count(*) filter (where ${within('started_at')})`.as('placements'),
      sql<string>`count(distinct organisation_id) filter (where ${within('referred_at')})`.as('organisations'),
      sql<string>`count(*) filter (where status = 'referred' and escalated_at is not null)`.as('past_limit'),
    ]).executeTakeFirstOrThrow();
    const volunteers = await db.selectFrom('volunteers').select([
      sql<string>`count(*) filter (where ${within('created_at')})`.as('new_volunteers'),
      sql<string>`count(*) filter (where status in ('active', 'placed'))`.as('active'),
    ]).executeTakeFirstOrThrow();
    // One pass over the last 30 days' referrals rather than a look-up per volunteer.
    const offered = await db.selectFrom('referrals as r').innerJoin('volunteers as v', 'v.id', 'r.volunteer_id')
      .select(sql<string>`count(distinct r.volunteer_id)`.as('n'))
      .where('v.status', 'in', ['active', 'placed']).where('r.referred_at', '>', sql<Date>`${now}::timestamptz - interval '30 days'`).executeTakeFirstOrThrow();
    const hours = await db.selectFrom('volunteer_hours').select(sql<string>`coalesce(sum(minutes), 0)`.as('minutes'))
      .where('confirmed_at', 'is not', null).where('worked_on', '>=', period.from).where('worked_on', '<=', period.to).executeTakeFirstOrThrow();
    const firstContact = await db.selectFrom('referrals as r').innerJoin('organisations as org', 'org.id', 'r.organisation_id')
      .select(['org.name', sql<string>`count(*)`.as('contacted'),
        sql<number>`percentile_cont(0.5) within group (order by extract(epoch from (r.contacted_at - r.referred_at)))`.as('median_seconds')])
      .where('r.contacted_at', 'is not', null).where('r.referred_at', 'is not', null).where(within('r.contacted_at'))
      .groupBy(['org.id', 'org.name']).orderBy('org.name').execute();
    return {
      enquiries: Number(counts.enquiries), referrals: Number(counts.referrals), placements: Number(counts.placements),
      organisations: Number(counts.organisations), pastLimit: Number(counts.past_limit), newVolunteers: Number(volunteers.new_volunteers),
      activeVolunteers: Number(volunteers.active), offeredRole: Number(offered.n), confirmedMinutes: Number(hours.minutes),
      firstContact: firstContact.map((r) => ({ organisation: r.name, contacted: Number(r.contacted), medianSeconds: Number(r.median_seconds) })),
    };
  },

  // --- Choosing, on the coordinator's form ---

  volunteerChoices(db: Queryable) {
    return db.selectFrom('volunteers as v').innerJoin('people as p', 'p.id', 'v.person_id').select(['v.id', 'p.full_name'])
      .where('v.status', '!=', 'inactive').orderBy('p.full_name').limit(1000).execute();
  },

  roleChoices(db: Queryable) {
    return db.selectFrom('opportunities as o').leftJoin('organisations as org', 'org.id', 'o.organisation_id').select(['o.id', 'o.title', 'org.name as organisation_name'])
      .where('o.status', '=', 'published').orderBy('o.title').limit(1000).execute();
  },

  organisationChoices(db: Queryable) {
    return db.selectFrom('organisations as org').select(['org.id', 'org.name'])
      .where('org.id', 'in', db.selectFrom('referrals').select('organisation_id').where('organisation_id', 'is not', null).$narrowType<{ organisation_id: string }>())
      .orderBy('org.name').execute();
  },

  allLios: (db: Queryable) => db.selectFrom('lios').select(['id', 'name', 'hostnames', 'is_default']).orderBy('created_at').execute(),
};
export type ReferralRow = NonNullable<Awaited<ReturnType<typeof referralsRepository.get>>>;
