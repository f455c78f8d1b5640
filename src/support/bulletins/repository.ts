import { sql, type RawBuilder } from 'kysely';
import type { Queryable } from '../../platform/db/index.js';
import { storedHeaders } from '../../platform/mail.js';
import type { BulletinItem, BulletinSegment } from '../../platform/db/support-schema.js';

export interface Segment { segment: BulletinSegment; value: string | null }

export interface BulletinDraft {
  subject: string; introduction: string; items: BulletinItem[]; segment: BulletinSegment; segmentValue: string | null;
}

/** A consent in force to the purpose, on the person `person` (an SQL alias). */
const consented = (person: string, purposes: string[]) => sql`exists (select 1 from consents k where k.person_id = ${sql.ref(`${person}.id`)}
  and k.purpose in (${sql.join(purposes)}) and k.withdrawn_at is null)`;

/** Organisations of the register a group segment takes in: live ones (not closed, not merged away) that fit it. */
function groupsOf(lioId: string, s: Segment): RawBuilder<unknown> {
  const fits = s.segment === 'members'
    ? sql`exists (select 1 from memberships m where m.organisation_id = o.id and m.status = 'active')`
    : s.segment === 'groups_by_theme' ? sql`${s.value ?? ''} = any(o.themes)`
      : s.segment === 'groups_by_area' ? sql`exists (select 1 from unnest(o.areas_served) area where lower(area) = lower(${s.value ?? ''}))`
        : sql`true`;
  return sql`select o.id, o.email from organisations o where o.lio_id = ${lioId} and o.merged_into_id is null and o.status <> 'closed' and ${fits}`;
}

/**
 * Every address a segment may be written to, with whom it belongs to: for groups, each organisation's own e-mail and
 * its listed contacts who are a person that consented to bulletins (or the newsletter); for volunteers, each one who
 * consented to be contacted about volunteering. Anyone who unsubscribed is left out, and each address comes once.
 */
function recipientsOf(lioId: string, s: Segment): RawBuilder<{ email: string; person_id: string | null; organisation_id: string | null }> {
  const candidates = s.segment === 'volunteers'
    ? sql`select p.emails[1] as email, p.id as person_id, null::uuid as organisation_id
        from volunteers v join people p on p.id = v.person_id
        where v.lio_id = ${lioId} and v.status <> 'inactive' and p.erased_at is null and p.merged_into_id is null
          and cardinality(p.emails) > 0 and ${consented('p', ['contact_about_volunteering'])}`
    : sql`with g as materialized (${groupsOf(lioId, s)}),
        -- Addresses in lower case, worked out once: joins on them are then plain text equality, which row-level security
        -- lets the planner hash (a join on lower(…) of a protected table would be a nested loop, contacts × people).
        contact_addresses as materialized (select c.organisation_id, lower(c.email) as email from contacts c where c.lio_id = ${lioId} and c.email is not null),
        -- Every address of a person who consented, once.
        consenting as materialized (select distinct on (e.email) e.email, p.id from people p cross join lateral unnest(p.emails) as e(email)
          where p.lio_id = ${lioId} and p.erased_at is null and p.merged_into_id is null and ${consented('p', ['bulletins', 'newsletter'])}
          order by e.email, p.created_at)
        select lower(g.email) as email, null::uuid as person_id, g.id as organisation_id from g where g.email is not null
        union all
        select ca.email, k.id, ca.organisation_id from contact_addresses ca join g on g.id = ca.organisation_id join consenting k on k.email = ca.email`;
  return sql`with candidates as materialized (${candidates}),
      unsubscribed as materialized (select lower(u.email::text) as email from bulletin_unsubscribes u where u.lio_id = ${lioId})
    select distinct on (r.email) r.email, r.person_id, r.organisation_id from (select lower(email) as email, person_id, organisation_id from candidates) r
    where r.email ~ '^[^@[:space:]]+@[^@[:space:]]+$' and length(r.email) <= 320
      and not exists (select 1 from unsubscribed u where u.email = r.email)
    order by r.email, r.person_id nulls last`;
}

export const bulletinsRepository = {
  /** Open funding opportunities: published, with a deadline not yet passed (or rolling), soonest deadline first. */
  openFunding(tx: Queryable, today: string) {
    return tx.selectFrom('funding_opportunities')
      .select(['id', 'funder_name', 'programme', 'summary', 'amount_min', 'amount_max', 'deadline', 'url'])
      .where('status', '=', 'published').where((eb) => eb.or([eb('deadline', 'is', null), eb('deadline', '>=', today)]))
      .orderBy(sql`deadline nulls last`).orderBy('funder_name').limit(50).execute();
  },

  /** Upcoming sessions of published courses, soonest first. */
  upcomingSessions(tx: Queryable, now: Date) {
    return tx.selectFrom('course_sessions as s').innerJoin('courses as c', 'c.id', 's.course_id')
      .select(['s.id', 's.starts_at', 's.ends_at', 's.venue', 's.online_url', 's.price_pence', 'c.id as course_id', 'c.title', 'c.summary'])
      .where('s.status', '=', 'scheduled').where('c.status', '=', 'published').where('s.starts_at', '>', now)
      .orderBy('s.starts_at').limit(50).execute();
  },

  async insert(tx: Queryable, lioId: string, d: BulletinDraft, userId: string | null, now: Date): Promise<string> {
    const row = await tx.insertInto('bulletins').values({
      lio_id: lioId, subject: d.subject, introduction: d.introduction, items: JSON.stringify(d.items), segment: d.segment,
      segment_value: d.segmentValue, created_by_user_id: userId, created_at: now, updated_at: now,
    }).returning('id').executeTakeFirstOrThrow();
    return row.id;
  },

  /** Changes a draft; false when it is not a draft any more (queued meanwhile). */
  async update(tx: Queryable, id: string, d: BulletinDraft, now: Date): Promise<boolean> {
    const row = await tx.updateTable('bulletins').set({
      subject: d.subject, introduction: d.introduction, items: JSON.stringify(d.items), segment: d.segment, segment_value: d.segmentValue, updated_at: now,
    }).where('id', '=', id).where('status', '=', 'draft').returning('id').executeTakeFirst();
    return Boolean(row);
  },

  get(tx: Queryable, id: string) {
    return tx.selectFrom('bulletins').selectAll().where('id', '=', id).executeTakeFirst();
  },

  /** Bulletins for staff, newest first, with how many each went to, were sent, opened, failed or are unknown. */
  list(tx: Queryable) {
    return tx.selectFrom('bulletins as b')
      .select(['b.id', 'b.subject', 'b.segment', 'b.segment_value', 'b.status', 'b.recipients_count', 'b.queued_at', 'b.sent_at', 'b.updated_at'])
      .select(sql<string>`(select count(*) from bulletin_recipients r where r.bulletin_id = b.id and r.status = 'sent')`.as('sent'))
      .select(sql<string>`(select count(*) from bulletin_recipients r where r.bulletin_id = b.id and r.opened_at is not null)`.as('opened'))
      .orderBy(sql`b.status = 'draft' desc`).orderBy(sql`coalesce(b.sent_at, b.queued_at, b.updated_at)`, 'desc').limit(200).execute();
  },

  /** Recipients of one bulletin by state, and how many opened it. */
  async counts(tx: Queryable, bulletinId: string) {
    const rows = await tx.selectFrom('bulletin_recipients').select(['status', (eb) => eb.fn.countAll<string>().as('n'),
      sql<string>`count(*) filter (where opened_at is not null)`.as('opened')])
      .where('bulletin_id', '=', bulletinId).groupBy('status').execute();
    const of = (s: string) => Number(rows.find((r) => r.status === s)?.n ?? 0);
    return {
      queued: of('queued') + of('sending'), sent: of('sent'), failed: of('failed'), unknown: of('unknown'),
      opened: rows.reduce((sum, r) => sum + Number(r.opened), 0),
    };
  },

  /** How many distinct addresses the segment would reach now. */
  async segmentSize(tx: Queryable, lioId: string, s: Segment): Promise<number> {
    const row = await sql<{ n: string }>`select count(*) as n from (${recipientsOf(lioId, s)}) r`.execute(tx);
    return Number(row.rows[0]?.n ?? 0);
  },

  /**
   * Queues a draft: one recipients row per address, in one set-based statement. A row has no unsubscribe token (its
   * hash is null) until the sender claims it and gives it its own.
   */
  async queue(tx: Queryable, lioId: string, bulletinId: string, s: Segment, now: Date): Promise<number> {
    const inserted = await sql`insert into bulletin_recipients (lio_id, bulletin_id, email, person_id, organisation_id, created_at)
      select ${lioId}, ${bulletinId}, r.email, r.person_id, r.organisation_id, ${now}
      from (${recipientsOf(lioId, s)}) r
      on conflict do nothing`.execute(tx);
    const n = Number(inserted.numAffectedRows ?? 0);
    if (n === 0) return 0;
    await tx.updateTable('bulletins').set({ status: 'sending', recipients_count: n, queued_at: now, updated_at: now, sender_lease: null, sender_heartbeat_at: null })
      .where('id', '=', bulletinId).execute();
    return n;
  },

  /**
   * Takes the sending of a bulletin when no one holds it, or its holder's heartbeat stopped: rows the old holder
   * claimed but never confirmed are marked 'unknown' (they may have gone), so they are not sent again.
   */
  async takeLease(tx: Queryable, bulletinId: string, lease: string, now: Date, staleBefore: Date): Promise<{ unknown: number } | null> {
    const taken = await tx.updateTable('bulletins').set({ sender_lease: lease, sender_heartbeat_at: now })
      .where('id', '=', bulletinId).where('status', '=', 'sending')
      .where((eb) => eb.or([eb('sender_lease', 'is', null), eb('sender_heartbeat_at', 'is', null), eb('sender_heartbeat_at', '<', staleBefore)]))
      .returning('id').executeTakeFirst();
    if (!taken) return null;
    const marked = await tx.updateTable('bulletin_recipients').set({ status: 'unknown' })
      .where('bulletin_id', '=', bulletinId).where('status', '=', 'sending').executeTakeFirst();
    return { unknown: Number(marked.numUpdatedRows) };
  },

  /**
   * Whether the planner's statistics of the recipients miss this bulletin's rows by enough to matter. Planned as the
   * near-empty table it was before a big bulletin was queued, each claim read the whole table (300 ms a claim on
   * PostgreSQL, not 3 ms), which capped delivery at about 140 messages a second; a bulletin small beside the rows
   * already counted leaves that plan (the queue index) as it was. So: the bulletin is more than autovacuum's own
   * threshold (50 rows and a tenth of those counted; none counted when the table was never analysed), and not yet among
   * the column's most common values, where any analysis taken since it was queued puts a bulletin of that size. A
   * sender resumed after a restart, or a retry, then finds it known and does not analyse again.
   */
  async statisticsMiss(system: Queryable, bulletinId: string, recipients: number): Promise<boolean> {
    const row = await sql<{ counted: number; known: boolean | null }>`select c.reltuples::float8 as counted,
        ${bulletinId}::uuid = any(s.most_common_vals::text::uuid[]) as known
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      left join pg_stats s on s.schemaname = n.nspname and s.tablename = c.relname and s.attname = 'bulletin_id'
      where c.oid = 'bulletin_recipients'::regclass`.execute(system);
    const { counted = -1, known = null } = row.rows[0] ?? {};
    return known !== true && recipients > 50 + 0.1 * Math.max(counted, 0);
  },

  /** Brings the planner's statistics of the recipients up to date (as the owner: the app role may not). */
  async refreshStatistics(system: Queryable): Promise<void> {
    await sql`analyze bulletin_recipients`.execute(system);
  },

  /** Renews the lease's heartbeat; false when the lease has passed to another sender. */
  async heartbeat(tx: Queryable, bulletinId: string, lease: string, now: Date): Promise<boolean> {
    const row = await tx.updateTable('bulletins').set({ sender_heartbeat_at: now }).where('id', '=', bulletinId).where('sender_lease', '=', lease)
      .returning('id').executeTakeFirst();
    return Boolean(row);
  },

  /**
   * Claims up to `tokenHashes.length` queued recipients for the lease's holder, giving each its own unsubscribe token's
   * hash: committed before any of their messages goes. Returns each claimed row with the hash it was given.
   */
  async claim(tx: Queryable, bulletinId: string, lease: string, tokenHashes: string[]) {
    const rows = await sql<{ id: string; email: string; unsubscribe_token_hash: string }>`with picked as (
        select q.id, row_number() over () as i from (select r.id from bulletin_recipients r where r.bulletin_id = ${bulletinId} and r.status = 'queued'
          limit ${tokenHashes.length} for update skip locked) q),
      hashes as (select h, i from unnest(${tokenHashes}::text[]) with ordinality as t(h, i))
      update bulletin_recipients r set status = 'sending', unsubscribe_token_hash = hashes.h
      from picked join hashes on hashes.i = picked.i
      where r.id = picked.id and exists (select 1 from bulletins b where b.id = ${bulletinId} and b.sender_lease = ${lease})
      returning r.id, r.email, r.unsubscribe_token_hash`.execute(tx);
    return rows.rows;
  },

  /** The outcome of messages: sent, failed (refused for good), or back in the queue (the server was not reached). */
  async settle(tx: Queryable, recipientIds: string[], outcome: 'sent' | 'failed' | 'queued', now: Date): Promise<void> {
    if (recipientIds.length === 0) return;
    await tx.updateTable('bulletin_recipients').set({ status: outcome, sent_at: outcome === 'sent' ? now : null })
      .where('id', 'in', recipientIds).where('status', 'in', ['sending', 'unknown']).execute();
  },

  /** A message kept in the app's outbox (no mail server configured), as the platform's mail job keeps any other. */
  async keepInOutbox(tx: Queryable, lioId: string, m: { to: string; subject: string; text: string; headers?: Record<string, string> }, now: Date): Promise<void> {
    await sql`insert into email_messages (lio_id, to_address, subject, body_text, headers, status, created_at)
      values (${lioId}, ${m.to}, ${m.subject}, ${m.text}, ${storedHeaders(m.headers)}, 'outbox', ${now})`.execute(tx);
  },

  /** Gives up the lease; rows still claimed (a lane that died between claim and settle) become 'unknown'. */
  async releaseLease(tx: Queryable, bulletinId: string, lease: string): Promise<void> {
    const held = await tx.updateTable('bulletins').set({ sender_lease: null, sender_heartbeat_at: null })
      .where('id', '=', bulletinId).where('sender_lease', '=', lease).returning('id').executeTakeFirst();
    if (held) await tx.updateTable('bulletin_recipients').set({ status: 'unknown' }).where('bulletin_id', '=', bulletinId).where('status', '=', 'sending').execute();
  },

  /** Marks the bulletin sent once nothing is left queued or claimed. */
  async finishIfDone(tx: Queryable, bulletinId: string, lease: string, now: Date): Promise<boolean> {
    const row = await sql<{ id: string }>`update bulletins set status = 'sent', sent_at = ${now}, sender_lease = null, sender_heartbeat_at = null, updated_at = ${now}
      where id = ${bulletinId} and sender_lease = ${lease}
        and not exists (select 1 from bulletin_recipients r where r.bulletin_id = ${bulletinId} and r.status in ('queued', 'sending'))
      returning id`.execute(tx);
    return row.rows.length > 0;
  },

  /** Bulletins still sending whose sender has stopped, with no send job waiting for them (the resume job's work). */
  async abandoned(db: Queryable, staleBefore: Date) {
    return sql<{ id: string; lio_id: string }>`select b.id, b.lio_id from bulletins b
      where b.status = 'sending' and (b.sender_heartbeat_at is null or b.sender_heartbeat_at < ${staleBefore})
        and not exists (select 1 from jobs j where j.kind = 'bulletins.send' and j.status = 'queued' and j.payload->>'bulletinId' = b.id::text)`.execute(db)
      .then((r) => r.rows);
  },

  lio: (db: Queryable, lioId: string) => db.selectFrom('lios').select(['id', 'name', 'hostnames', 'is_default']).where('id', '=', lioId).executeTakeFirst(),

  recipientByTokenHash(tx: Queryable, hash: string) {
    return tx.selectFrom('bulletin_recipients as r').innerJoin('bulletins as b', 'b.id', 'r.bulletin_id')
      .select(['r.id', 'r.email', 'r.bulletin_id', 'b.subject']).where('r.unsubscribe_token_hash', '=', hash).executeTakeFirst();
  },

  async isUnsubscribed(tx: Queryable, email: string): Promise<boolean> {
    return Boolean(await tx.selectFrom('bulletin_unsubscribes').select('id').where('email', '=', email).executeTakeFirst());
  },

  /** Records the address as unsubscribed; false when it already was. */
  async unsubscribe(tx: Queryable, lioId: string, email: string, bulletinId: string | null, now: Date): Promise<boolean> {
    const row = await tx.insertInto('bulletin_unsubscribes').values({ lio_id: lioId, email, bulletin_id: bulletinId, created_at: now })
      .onConflict((oc) => oc.constraint('bulletin_unsubscribes_email_key').doNothing()).returning('id').executeTakeFirst();
    return Boolean(row);
  },

  /** Counts the first opening only. */
  async opened(tx: Queryable, recipientId: string, now: Date): Promise<void> {
    await tx.updateTable('bulletin_recipients').set({ opened_at: now }).where('id', '=', recipientId).where('opened_at', 'is', null).execute();
  },

  /** The public archive: sent bulletins, newest first. */
  archive(tx: Queryable, limit = 100) {
    return tx.selectFrom('bulletins').select(['id', 'subject', 'introduction', 'sent_at']).where('status', '=', 'sent')
      .orderBy('sent_at', 'desc').limit(limit).execute();
  },

  sentOne(tx: Queryable, id: string) {
    return tx.selectFrom('bulletins').select(['id', 'subject', 'introduction', 'items', 'sent_at']).where('id', '=', id).where('status', '=', 'sent').executeTakeFirst();
  },

  /** Home-panel counts: drafts, and bulletins being sent. */
  async panelCounts(tx: Queryable) {
    const row = await tx.selectFrom('bulletins').select([sql<string>`count(*) filter (where status = 'draft')`.as('drafts'),
      sql<string>`count(*) filter (where status = 'sending')`.as('sending')]).executeTakeFirstOrThrow();
    return { drafts: Number(row.drafts), sending: Number(row.sending) };
  },

  /** Theme codes and area names in use in the register, for choosing a segment. */
  async registerThemesAndAreas(tx: Queryable) {
    const themes = await sql<{ v: string }>`select distinct unnest(themes) as v from organisations where merged_into_id is null order by 1 limit 200`.execute(tx);
    const areas = await sql<{ v: string }>`select distinct unnest(areas_served) as v from organisations where merged_into_id is null order by 1 limit 500`.execute(tx);
    return { themes: themes.rows.map((r) => r.v), areas: areas.rows.map((r) => r.v) };
  },
};
export type OpenFunding = Awaited<ReturnType<typeof bulletinsRepository.openFunding>>[number];
export type UpcomingSession = Awaited<ReturnType<typeof bulletinsRepository.upcomingSessions>>[number];
export type BulletinRow = NonNullable<Awaited<ReturnType<typeof bulletinsRepository.get>>>;
export type BulletinListRow = Awaited<ReturnType<typeof bulletinsRepository.list>>[number];
