import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/index.js';
import { containing } from '../../platform/db/like.js';
import { postcodesRepository } from '../../platform/geography/postcodes-repository.js';
import type { ChangeSet, OrganisationInput } from './record.js';

export type OrganisationSort = 'name' | 'verified' | 'updated' | 'relevance';
export interface OrganisationFilter {
  q?: string;
  type?: string;
  status?: string;
  membership?: string;
  theme?: string;
  consent?: 'yes' | 'no';
  sort?: OrganisationSort;
  page: number;
  pageSize: number;
}

/** The register's SQL. Every function runs on the caller's transaction (a tenant transaction). */
export const organisationsRepository = {
  // The JSON API's view (src/api): id, name, dates.
  list: (db: Queryable, limit: number, offset: number) =>
    db.selectFrom('organisations').select(['id', 'name', 'created_at', 'updated_at']).orderBy('name').orderBy('id').limit(limit).offset(offset).execute(),
  count: async (db: Queryable) => Number((await db.selectFrom('organisations').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n),
  find: (db: Queryable, id: string) => db.selectFrom('organisations').select(['id', 'name', 'created_at', 'updated_at']).where('id', '=', id).executeTakeFirst(),
  insert: (db: Queryable, lioId: string, name: string, now: Date) =>
    db.insertInto('organisations').values({ lio_id: lioId, name, created_at: now, updated_at: now }).returning(['id', 'name', 'created_at', 'updated_at']).executeTakeFirstOrThrow(),

  get: (db: Queryable, id: string) => db.selectFrom('organisations').selectAll().where('id', '=', id).executeTakeFirst(),

  /** Search, filter, sort and page the register. Words are matched anywhere in any of the names (trigram index). */
  async search(db: Queryable, f: OrganisationFilter) {
    let q = db.selectFrom('organisations as o');
    const words = (f.q ?? '').toLowerCase().split(/\s+/).filter(Boolean).slice(0, 8);
    for (const word of words) q = q.where(sql<string>`cg_organisation_names(o.name, o.other_names)`, 'like', containing(word));
    if (f.type) q = q.where('o.organisation_type', '=', f.type as never);
    if (f.status) q = q.where('o.status', '=', f.status as never);
    if (f.membership) q = q.where('o.membership', '=', f.membership as never);
    if (f.theme) q = q.where(sql<boolean>`${f.theme} = any(o.themes)`);
    if (f.consent) q = q.where('o.consent_to_publish', '=', f.consent === 'yes');
    const total = Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    let rows = q.select(['o.id', 'o.name', 'o.other_names', 'o.organisation_type', 'o.status', 'o.membership', 'o.postcode', 'o.charity_number',
      'o.last_verified_at', 'o.updated_at', 'o.merged_into_id', 'o.consent_to_publish']);
    const sort = f.sort === 'relevance' && !words.length ? 'name' : f.sort ?? 'name';
    if (sort === 'relevance') rows = rows.orderBy(sql`word_similarity(${words.join(' ')}, cg_organisation_names(o.name, o.other_names))`, 'desc');
    else if (sort === 'verified') rows = rows.orderBy(sql`o.last_verified_at asc nulls first`);
    else if (sort === 'updated') rows = rows.orderBy('o.updated_at', 'desc');
    const items = await rows.orderBy(sql`lower(o.name)`).orderBy('o.id').limit(f.pageSize).offset((f.page - 1) * f.pageSize).execute();
    return { total, items };
  },

  async themesInUse(db: Queryable): Promise<string[]> {
    const rows = await sql<{ theme: string }>`select distinct unnest(themes) as theme from organisations order by 1`.execute(db);
    return rows.rows.map((r) => r.theme);
  },

  /** Coordinates of a postcode from the shared postcode table, if it is there. */
  async geocode(db: Queryable, postcode: string | null): Promise<{ latitude: number | null; longitude: number | null }> {
    if (!postcode) return { latitude: null, longitude: null };
    const row = await postcodesRepository.find(db, postcode.replace(/\s+/g, '').toUpperCase());
    return { latitude: row?.latitude ?? null, longitude: row?.longitude ?? null };
  },

  async insertFull(db: Queryable, lioId: string, input: OrganisationInput, now: Date) {
    const geo = await organisationsRepository.geocode(db, input.postcode);
    return db.insertInto('organisations').values({ lio_id: lioId, ...input, ...geo, created_at: now, updated_at: now })
      .returning(['id', 'name']).executeTakeFirstOrThrow();
  },

  /** Writes the changed fields (and new coordinates when the postcode changed). */
  async applyChanges(db: Queryable, id: string, changes: ChangeSet, now: Date) {
    const patch: Record<string, unknown> = {};
    for (const [field, change] of Object.entries(changes)) patch[field] = change?.to ?? (field === 'description' ? '' : null);
    for (const f of ['other_names', 'areas_served', 'themes', 'groups_served']) if (f in patch && patch[f] === null) patch[f] = [];
    if ('postcode' in patch) Object.assign(patch, await organisationsRepository.geocode(db, patch.postcode as string | null));
    await db.updateTable('organisations').set({ ...patch, updated_at: now }).where('id', '=', id).execute();
  },

  setVerified: (db: Queryable, id: string, now: Date) =>
    db.updateTable('organisations').set({ last_verified_at: now }).where('id', '=', id).where('merged_into_id', 'is', null).executeTakeFirst(),

  timeline: (db: Queryable, id: string) =>
    db.selectFrom('organisation_events').selectAll().where('organisation_id', '=', id).orderBy('occurred_at', 'desc').orderBy('id').execute(),

  /** What hangs off a record: the things a merge moves. */
  async holdings(db: Queryable, id: string) {
    const n = (q: Promise<{ n: number | string | bigint }>) => q.then((r) => Number(r.n));
    const [services, locations, contacts, phones, users, changes, events] = await Promise.all([
      n(db.selectFrom('services').select((eb) => eb.fn.countAll<number>().as('n')).where('organisation_id', '=', id).executeTakeFirstOrThrow()),
      n(db.selectFrom('locations').select((eb) => eb.fn.countAll<number>().as('n')).where('organisation_id', '=', id).executeTakeFirstOrThrow()),
      n(db.selectFrom('contacts').select((eb) => eb.fn.countAll<number>().as('n')).where('organisation_id', '=', id).executeTakeFirstOrThrow()),
      n(db.selectFrom('phones').select((eb) => eb.fn.countAll<number>().as('n')).where('organisation_id', '=', id).executeTakeFirstOrThrow()),
      n(db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).where('organisation_id', '=', id).executeTakeFirstOrThrow()),
      n(db.selectFrom('listing_changes').select((eb) => eb.fn.countAll<number>().as('n')).where('organisation_id', '=', id).executeTakeFirstOrThrow()),
      n(db.selectFrom('organisation_events').select((eb) => eb.fn.countAll<number>().as('n')).where('organisation_id', '=', id).executeTakeFirstOrThrow()),
    ]);
    return { services, locations, contacts, phones, users, changes, events };
  },

  services: (db: Queryable, id: string) => db.selectFrom('services').select(['id', 'name', 'status']).where('organisation_id', '=', id).orderBy('name').execute(),
  members: (db: Queryable, id: string) => db.selectFrom('users').select(['id', 'display_name', 'email', 'status']).where('organisation_id', '=', id).orderBy('display_name').execute(),
  /** The records merged into this one. */
  mergedFrom: (db: Queryable, id: string) => db.selectFrom('organisations').select(['id', 'name']).where('merged_into_id', '=', id).orderBy('name').execute(),
  /** How long a listing of the LIO stays verified. */
  async verificationMonths(db: Queryable, lioId: string): Promise<number> {
    return (await db.selectFrom('lios').select('verification_months').where('id', '=', lioId).executeTakeFirstOrThrow()).verification_months;
  },
  pendingChanges: async (db: Queryable, id: string) => Number((await db.selectFrom('listing_changes').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('organisation_id', '=', id).where('status', '=', 'pending').where('service_id', 'is', null).executeTakeFirstOrThrow()).n),
};

/** One line of an organisation's timeline. */
export async function recordOrganisationEvent(db: Queryable, lioId: string, organisationId: string, actorLabel: string, kind: string, summary: string, detail: Record<string, unknown>, at: Date) {
  await db.insertInto('organisation_events').values({
    lio_id: lioId, organisation_id: organisationId, occurred_at: at, actor_label: actorLabel, kind, summary, detail: JSON.stringify(detail),
  }).execute();
}

/** A record as the duplicate check is asked about it, normalised: `i` is its place in the list asked. */
export interface DuplicateQuestion { i: number; id: string | null; name: string; charity: string | null; postcode: string | null }

/**
 * Held records sharing a charity number with each record asked about, or at its postcode with a name at least
 * `similarity` alike; at most 20 each, the same charity number first, then the most similar name.
 */
export async function likelyDuplicateRows(tx: Queryable, asked: DuplicateQuestion[], similarity: number) {
  const rows = await sql<{ i: number; id: string; name: string; charity_number: string | null; postcode: string | null; status: string; similarity: number; same_charity: boolean; same_place: boolean }>`
    with c as materialized (select * from json_to_recordset(${JSON.stringify(asked)}::json) as c(i int, id uuid, name text, charity text, postcode text)),
    held as materialized (select id, name, charity_number, postcode, status, lower(name) as lower_name, replace(upper(postcode), ' ', '') as place
      from organisations where merged_into_id is null),
    -- pairs first, joined on equal values only (each side hashed once), carrying all that is needed of both: the
    -- name's similarity is worked out for those pairs alone, never for every record
    pairs as materialized (
      select c.i, c.id as candidate_id, c.name as candidate_name, c.charity, c.postcode as candidate_place, h.* from c join held h on h.charity_number = c.charity
      union
      select c.i, c.id, c.name, c.charity, c.postcode, h.* from c join held h on h.place = c.postcode
    ),
    scored as materialized (
      select p.i, p.id, p.name, p.charity_number, p.postcode, p.status, similarity(p.lower_name, p.candidate_name)::float8 as similarity,
        coalesce(p.charity_number = p.charity, false) as same_charity, coalesce(p.place = p.candidate_place, false) as same_postcode
      from pairs p where p.candidate_id is null or p.id <> p.candidate_id
    )
    select * from (
      select s.*, s.same_postcode and s.similarity >= ${similarity} as same_place,
        row_number() over (partition by s.i order by s.same_charity desc, s.similarity desc, s.name) as n
      from scored s where s.same_charity or (s.same_postcode and s.similarity >= ${similarity})) ranked
    where n <= 20 order by i, n`.execute(tx);
  return rows.rows;
}
