import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/index.js';
import type { MembershipStatus } from '../../platform/db/support-schema.js';

export interface NewMembershipType { name: string; description: string | null; registerFlag: 'member' | 'associate'; annualFeePence: number; termMonths: number }

/** The day `months` after `day`, as PostgreSQL counts months (31 January + 1 month is 28 or 29 February). */
const plusMonths = (day: string | ReturnType<typeof sql>, months: number | ReturnType<typeof sql>) => sql<string>`(${day}::date + make_interval(months => ${months}::int))::date::text`;

/** Calendar dates as 'YYYY-MM-DD' text: the drivers would read them as midnight in the server's time zone. */
const membershipColumns = ['m.id', 'm.organisation_id', 'm.membership_type_id', 'm.status', sql<string>`m.joined_on::text`.as('joined_on'),
  sql<string>`m.renews_on::text`.as('renews_on'), sql<string | null>`m.lapsed_on::text`.as('lapsed_on'),
  'm.last_reminder_at', 'm.applied_by_user_id', 'o.name as organisation_name', 't.name as type_name', 't.term_months', 't.annual_fee_pence'] as const;

export const membershipRepository = {
  types(tx: Queryable, activeOnly = false) {
    let q = tx.selectFrom('membership_types').selectAll();
    if (activeOnly) q = q.where('active', '=', true);
    return q.orderBy('name').execute();
  },

  async insertType(tx: Queryable, lioId: string, t: NewMembershipType, now: Date): Promise<'added' | 'duplicate'> {
    const row = await tx.insertInto('membership_types').values({
      lio_id: lioId, name: t.name, description: t.description, register_flag: t.registerFlag, annual_fee_pence: t.annualFeePence, term_months: t.termMonths, created_at: now,
    }).onConflict((oc) => oc.constraint('membership_types_name_key').doNothing()).returning('id').executeTakeFirst();
    return row ? 'added' : 'duplicate';
  },

  typeById: (tx: Queryable, id: string) => tx.selectFrom('membership_types').selectAll().where('id', '=', id).executeTakeFirst(),

  /** Memberships with their organisation and type, by status (every status but ended when none is given). */
  list(tx: Queryable, where: { status?: MembershipStatus; dueBy?: string; organisationId?: string } = {}) {
    let q = tx.selectFrom('memberships as m').innerJoin('organisations as o', 'o.id', 'm.organisation_id')
      .innerJoin('membership_types as t', 't.id', 'm.membership_type_id').select(membershipColumns);
    q = where.status ? q.where('m.status', '=', where.status) : q.where('m.status', '<>', 'ended');
    if (where.dueBy) q = q.where('m.renews_on', '<=', where.dueBy);
    if (where.organisationId) q = q.where('m.organisation_id', '=', where.organisationId);
    return q.orderBy(where.dueBy ? 'm.renews_on' : 'o.name').limit(1000).execute();
  },

  get(tx: Queryable, id: string) {
    return tx.selectFrom('memberships as m').innerJoin('organisations as o', 'o.id', 'm.organisation_id')
      .innerJoin('membership_types as t', 't.id', 'm.membership_type_id').select(membershipColumns).where('m.id', '=', id).executeTakeFirst();
  },

  /** The organisation's membership that is not ended, if any. */
  current(tx: Queryable, organisationId: string) {
    return tx.selectFrom('memberships as m').innerJoin('organisations as o', 'o.id', 'm.organisation_id')
      .innerJoin('membership_types as t', 't.id', 'm.membership_type_id').select(membershipColumns)
      .where('m.organisation_id', '=', organisationId).where('m.status', '<>', 'ended').executeTakeFirst();
  },

  /** Organisations of the register with no membership but an ended one, to choose whom to add. */
  organisationsWithout(tx: Queryable) {
    return tx.selectFrom('organisations as o').select(['o.id', 'o.name']).where('o.merged_into_id', 'is', null).where('o.status', '<>', 'closed')
      .where((eb) => eb.not(eb.exists(eb.selectFrom('memberships as m').select('m.id').whereRef('m.organisation_id', '=', 'o.id').where('m.status', '<>', 'ended'))))
      .orderBy('o.name').limit(2000).execute();
  },

  organisation: (tx: Queryable, id: string) => tx.selectFrom('organisations').select(['id', 'name', 'email', 'membership']).where('id', '=', id).where('merged_into_id', 'is', null).executeTakeFirst(),

  /**
   * A new membership: active from `today` for one term, or pending (asked from the portal). Null when the
   * organisation already has one (the one-current index answers, so two at once cannot both win).
   */
  async insert(tx: Queryable, lioId: string, m: { organisationId: string; typeId: string; termMonths: number; status: 'active' | 'pending'; appliedBy: string | null }, today: string, now: Date) {
    const row = await sql<{ id: string }>`insert into memberships (lio_id, organisation_id, membership_type_id, status, joined_on, renews_on, applied_by_user_id, created_at, updated_at)
      values (${lioId}, ${m.organisationId}, ${m.typeId}, ${m.status}, ${today}, ${plusMonths(today, m.termMonths)}::date, ${m.appliedBy}, ${now}, ${now})
      on conflict (lio_id, organisation_id) where status <> 'ended' do nothing returning id`.execute(tx);
    return row.rows[0]?.id ?? null;
  },

  /** Pending → active from today for one term; false when it was not pending. */
  async approve(tx: Queryable, id: string, today: string, now: Date): Promise<boolean> {
    const row = await sql<{ id: string }>`update memberships m set status = 'active', joined_on = ${today},
        renews_on = ${plusMonths(today, sql`t.term_months`)}::date, updated_at = ${now}
      from membership_types t where t.id = m.membership_type_id and m.id = ${id} and m.status = 'pending' returning m.id`.execute(tx);
    return row.rows.length > 0;
  },

  /**
   * Renews for one term: renews_on moves on by the term (from today, when a term on from the old date
   * would still be past: a membership that lapsed long ago). A lapsed membership is active again. Returns the new date.
   */
  async renew(tx: Queryable, id: string, today: string, now: Date): Promise<string | null> {
    const row = await sql<{ renews_on: string }>`update memberships m set status = 'active', lapsed_on = null, last_reminder_at = null, updated_at = ${now},
        renews_on = case when ${plusMonths(sql`m.renews_on`, sql`t.term_months`)}::date < ${today}::date
          then ${plusMonths(today, sql`t.term_months`)}::date else ${plusMonths(sql`m.renews_on`, sql`t.term_months`)}::date end
      from membership_types t where t.id = m.membership_type_id and m.id = ${id} and m.status in ('active', 'lapsed') returning m.renews_on::text`.execute(tx);
    return row.rows[0]?.renews_on ?? null;
  },

  async end(tx: Queryable, id: string, now: Date): Promise<boolean> {
    const row = await tx.updateTable('memberships').set({ status: 'ended', updated_at: now }).where('id', '=', id).where('status', '<>', 'ended').returning('id').executeTakeFirst();
    return Boolean(row);
  },

  /**
   * Active memberships due a reminder today: 30 days before renewal and again 7 days before, once each. The reminder
   * is marked sent in the same statement, so a second run the same day finds nothing.
   */
  async takeDueReminders(tx: Queryable, today: string, now: Date) {
    const rows = await sql<{ id: string; organisation_id: string; renews_on: string; final: boolean }>`update memberships m set last_reminder_at = ${now}
      where m.status = 'active' and m.renews_on >= ${today}::date and m.renews_on <= ${today}::date + 30
        and (m.last_reminder_at is null or m.last_reminder_at::date < m.renews_on - case when m.renews_on <= ${today}::date + 7 then 7 else 30 end)
      returning m.id, m.organisation_id, m.renews_on::text as renews_on, m.renews_on <= ${today}::date + 7 as final`.execute(tx);
    return rows.rows;
  },

  /** Where a reminder goes: the organisation's own address, else the account that asked to join. */
  async reminderAddress(tx: Queryable, membershipId: string) {
    return tx.selectFrom('memberships as m').innerJoin('organisations as o', 'o.id', 'm.organisation_id')
      .innerJoin('membership_types as t', 't.id', 'm.membership_type_id').leftJoin('users as u', 'u.id', 'm.applied_by_user_id')
      .select(['o.name', 'o.email', 'u.email as applicant_email', 't.name as type_name', 't.annual_fee_pence']).where('m.id', '=', membershipId).executeTakeFirst();
  },

  /** Memberships past renewal by more than the grace period become lapsed; returns how many. */
  async lapse(tx: Queryable, today: string, graceDays: number, now: Date): Promise<number> {
    const r = await sql`update memberships set status = 'lapsed', lapsed_on = ${today}, updated_at = ${now}
      where status = 'active' and renews_on + ${graceDays}::int < ${today}::date`.execute(tx);
    return Number(r.numAffectedRows ?? 0);
  },

  async panelCounts(tx: Queryable, dueBy: string) {
    const row = await tx.selectFrom('memberships').select([sql<string>`count(*) filter (where status = 'pending')`.as('pending'),
      sql<string>`count(*) filter (where status = 'active' and renews_on <= ${dueBy})`.as('due')]).executeTakeFirstOrThrow();
    return { pending: Number(row.pending), due: Number(row.due) };
  },

  allLios: (db: Queryable) => db.selectFrom('lios').select(['id', 'name', 'hostnames', 'is_default']).orderBy('created_at').execute(),
};
export type MembershipRow = NonNullable<Awaited<ReturnType<typeof membershipRepository.get>>>;
export type MembershipTypeRow = Awaited<ReturnType<typeof membershipRepository.types>>[number];
