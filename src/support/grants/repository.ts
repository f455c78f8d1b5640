import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/index.js';
import type { GrantImportProblem } from '../../platform/db/support-schema.js';
import type { GrantRecord } from './record.js';
import type { GrantFormat } from './reader.js';

/**
 * A grant is local when its recipient is on the register, or it benefits an area the register's organisations serve,
 * or its recipient's postcode district is one of theirs: the LIO's area as the register knows it. Sums count pounds
 * (GBP) only; a grant in another currency is counted, not added.
 */
const LOCAL_GRANTS = sql`
  with areas as (select distinct lower(unnest(areas_served)) as area from organisations where status <> 'closed'),
  districts as (select distinct split_part(upper(postcode), ' ', 1) as district from organisations where postcode is not null and status <> 'closed'),
  local_grants as (
    select g.* from grants g
    where g.organisation_id is not null
       or exists (select 1 from unnest(g.beneficiary_locations) b where lower(b) in (select area from areas))
       or (g.recipient_postcode is not null and split_part(g.recipient_postcode, ' ', 1) in (select district from districts)))`;

const importColumns = ['id', 'file_name', 'format', 'status', 'rows_read', 'rows_written', 'rows_refused', 'report', 'rejection', 'created_at', 'finished_at', 'heartbeat_at'] as const;

export const grantsRepository = {
  queue: (db: Queryable, r: { lioId: string; fileName: string; format: GrantFormat; userId: string; now: Date }) =>
    db.insertInto('grant_imports').values({ lio_id: r.lioId, file_name: r.fileName, format: r.format, started_by_user_id: r.userId, created_at: r.now, heartbeat_at: r.now })
      .returning('id').executeTakeFirstOrThrow(),

  unfinished: (db: Queryable) => db.selectFrom('grant_imports').select('id').where('status', 'in', ['queued', 'running']).executeTakeFirst(),

  find: (db: Queryable, id: string) => db.selectFrom('grant_imports').select(importColumns).where('id', '=', id).executeTakeFirst(),

  recent: (db: Queryable) => db.selectFrom('grant_imports').select(importColumns).orderBy('created_at', 'desc').limit(20).execute(),

  async markRunning(db: Queryable, id: string, now: Date) {
    const r = await db.updateTable('grant_imports').set({ status: 'running', heartbeat_at: now }).where('id', '=', id).where('status', '=', 'queued').executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },

  beat: (db: Queryable, id: string, now: Date, read: number) =>
    db.updateTable('grant_imports').set({ heartbeat_at: now, rows_read: read }).where('id', '=', id).where('status', '=', 'running').execute(),

  finish: (db: Queryable, id: string, r: { status: 'imported' | 'rejected'; read: number; written: number; refused: number; report: GrantImportProblem[]; rejection: string | null; now: Date }) =>
    db.updateTable('grant_imports').set({
      status: r.status, rows_read: r.read, rows_written: r.written, rows_refused: r.refused, report: JSON.stringify(r.report), rejection: r.rejection?.slice(0, 2000) ?? null, finished_at: r.now,
    }).where('id', '=', id).execute(),

  /** Imports whose process stopped (silent since `before`) end as refused; their ids, to delete their files. */
  async stopAbandoned(db: Queryable, before: Date, now: Date, message: string) {
    const rows = await db.updateTable('grant_imports').set({ status: 'rejected', rejection: message, finished_at: now })
      .where('status', 'in', ['queued', 'running']).where('heartbeat_at', '<', before).returning('id').execute();
    return rows.map((r) => r.id);
  },

  /** Adds or updates grants by their identifier (a file imported again updates, never duplicates). */
  async upsert(db: Queryable, lioId: string, importId: string, records: (GrantRecord & { organisation_id: string | null })[], now: Date) {
    if (!records.length) return;
    await db.insertInto('grants').values(records.map((r) => ({ ...r, lio_id: lioId, import_id: importId, created_at: now, updated_at: now })))
      .onConflict((oc) => oc.columns(['lio_id', 'identifier']).doUpdateSet((eb) => ({
        import_id: eb.ref('excluded.import_id'), title: eb.ref('excluded.title'), description: eb.ref('excluded.description'), currency: eb.ref('excluded.currency'),
        amount_awarded: eb.ref('excluded.amount_awarded'), award_date: eb.ref('excluded.award_date'), grant_programme: eb.ref('excluded.grant_programme'),
        funding_org_identifier: eb.ref('excluded.funding_org_identifier'), funding_org_name: eb.ref('excluded.funding_org_name'),
        recipient_org_identifier: eb.ref('excluded.recipient_org_identifier'), recipient_org_name: eb.ref('excluded.recipient_org_name'),
        recipient_charity_number: eb.ref('excluded.recipient_charity_number'), recipient_company_number: eb.ref('excluded.recipient_company_number'),
        recipient_postcode: eb.ref('excluded.recipient_postcode'), beneficiary_locations: eb.ref('excluded.beneficiary_locations'), updated_at: eb.ref('excluded.updated_at'),
        organisation_id: eb.ref('excluded.organisation_id'),
      }))).execute();
  },

  /**
   * Matches every grant's recipient to the register by charity number, else company number (each number's oldest open
   * organisation, so the answer is the same each time); a grant whose organisation no longer carries the number is
   * let go. Returns the grants whose match changed.
   */
  async rematch(db: Queryable) {
    const byCharity = sql`(select distinct on (charity_number) charity_number as number, id from organisations
      where charity_number is not null and merged_into_id is null order by charity_number, (status = 'closed'), created_at, id)`;
    const byCompany = sql`(select distinct on (company) company as number, id from (
      select case when company_number ~ '^[0-9]+$' then lpad(company_number, 8, '0') else upper(company_number) end as company, id, status, created_at
      from organisations where company_number is not null and merged_into_id is null) c order by company, (status = 'closed'), created_at, id)`;
    const charity = await sql`update grants g set organisation_id = m.id from ${byCharity} m
      where m.number = g.recipient_charity_number and g.organisation_id is distinct from m.id`.execute(db);
    const company = await sql`update grants g set organisation_id = m.id from ${byCompany} m
      where m.number = g.recipient_company_number and g.organisation_id is distinct from m.id
        and (g.recipient_charity_number is null or not exists (select 1 from ${byCharity} c where c.number = g.recipient_charity_number))`.execute(db);
    const gone = await sql`update grants g set organisation_id = null where g.organisation_id is not null
      and not exists (select 1 from organisations o where o.id = g.organisation_id and o.merged_into_id is null
        and (o.charity_number = g.recipient_charity_number
          or (case when o.company_number ~ '^[0-9]+$' then lpad(o.company_number, 8, '0') else upper(o.company_number) end) = g.recipient_company_number))`.execute(db);
    return [charity, company, gone].reduce((n, r) => n + Number(r.numAffectedRows ?? 0), 0);
  },

  /** The register's numbers → organisation, chosen as rematch chooses: what an import matches its grants by as it writes them. */
  async registerNumbers(db: Queryable) {
    const { rows } = await sql<{ kind: 'charity' | 'company'; number: string; id: string }>`
      select 'charity' as kind, charity_number as number, id from (select distinct on (charity_number) charity_number, id from organisations
        where charity_number is not null and merged_into_id is null order by charity_number, (status = 'closed'), created_at, id) c
      union all
      select 'company', company, id from (select distinct on (company) company, id from (
        select case when company_number ~ '^[0-9]+$' then lpad(company_number, 8, '0') else upper(company_number) end as company, id, status, created_at
        from organisations where company_number is not null and merged_into_id is null) c order by company, (status = 'closed'), created_at, id) k`.execute(db);
    const charity = new Map<string, string>();
    const company = new Map<string, string>();
    for (const r of rows) (r.kind === 'charity' ? charity : company).set(r.number, r.id);
    return { charity, company };
  },

  /** Funders ranked by their number of local grants, then the total. */
  async funders(db: Queryable, limit: number) {
    const { rows } = await sql<{ identifier: string; name: string; grants: string; total: string; recipients: string; latest: string }>`${LOCAL_GRANTS}
      select funding_org_identifier as identifier, max(funding_org_name) as name, count(*) as grants,
        coalesce(sum(amount_awarded) filter (where currency = 'GBP'), 0)::text as total, count(distinct recipient_org_identifier) as recipients, max(award_date)::text as latest
      from local_grants group by funding_org_identifier order by count(*) desc, sum(amount_awarded) desc nulls last, 2 limit ${limit}`.execute(db);
    return rows.map((r) => ({ ...r, grants: Number(r.grants), recipients: Number(r.recipients) }));
  },

  async totals(db: Queryable) {
    const { rows } = await sql<{ all_grants: string; local: string; matched: string; total: string }>`${LOCAL_GRANTS}
      select (select count(*) from grants) as all_grants, count(*) as local, count(*) filter (where organisation_id is not null) as matched,
        coalesce(sum(amount_awarded) filter (where currency = 'GBP'), 0)::text as total from local_grants`.execute(db);
    const r = rows[0]!;
    return { all: Number(r.all_grants), local: Number(r.local), matched: Number(r.matched), total: r.total };
  },

  /** One funder's local grants, latest first. */
  async funderGrants(db: Queryable, identifier: string) {
    const { rows } = await sql<{ id: string; title: string; amount_awarded: string; currency: string; award_date: string; recipient_org_name: string; organisation_id: string | null; organisation_name: string | null; funding_org_name: string; grant_programme: string | null }>`${LOCAL_GRANTS}
      select l.id, l.title, l.amount_awarded::text, l.currency, l.award_date::text, l.recipient_org_name, l.organisation_id, o.name as organisation_name, l.funding_org_name, l.grant_programme
      from local_grants l left join organisations o on o.id = l.organisation_id
      where l.funding_org_identifier = ${identifier} order by l.award_date desc, l.id limit 500`.execute(db);
    return rows;
  },

  organisation: (db: Queryable, id: string) => db.selectFrom('organisations').select(['id', 'name', 'charity_number', 'company_number']).where('id', '=', id).executeTakeFirst(),

  organisationGrants: (db: Queryable, organisationId: string) => db.selectFrom('grants')
    .select(['id', 'title', 'currency', 'funding_org_identifier', 'funding_org_name', 'grant_programme', sql<string>`amount_awarded::text`.as('amount_awarded'), sql<string>`award_date::text`.as('award_date')])
    .where('organisation_id', '=', organisationId).orderBy('award_date', 'desc').orderBy('id').limit(500).execute(),

  /** Active register organisations no imported grant is matched to. */
  neverFunded: (db: Queryable) => db.selectFrom('organisations as o').select(['o.id', 'o.name', 'o.organisation_type', 'o.income_band'])
    .where('o.status', '=', 'active').where('o.merged_into_id', 'is', null)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('grants as g').select('g.id').whereRef('g.organisation_id', '=', 'o.id'))))
    .orderBy('o.name').limit(1000).execute(),

  allLios: (db: Queryable) => db.selectFrom('lios').select('id').execute(),
};
