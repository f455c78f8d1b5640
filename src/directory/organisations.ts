import { sql } from 'kysely';
import type { Database, Queryable } from '../platform/db/index.js';
import type { Clock } from '../platform/clock.js';
import type { SignedInUser } from '../platform/auth/actor.js';
import { authorise } from '../platform/auth/policy.js';
import { recordAudit, type Actor } from '../platform/audit.js';
import { FormErrors, checkText, list, str } from '../platform/http/forms.js';
import {
  ORGANISATION_FIELDS, diffOrganisation, fieldLabel, inputOf, readOrganisationForm, diffRows,
  type ChangeSet, type FormValues, type OrganisationInput,
} from './organisation-policy.js';
import { findLikelyDuplicates, unconfirmedDuplicates, type LikelyDuplicate } from './duplicates.js';
import { isUuid } from '../platform/validation/ids.js';
import { containing } from '../platform/db/like.js';

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
    const row = await db.selectFrom('postcodes').select(['latitude', 'longitude']).where('postcode', '=', postcode.replace(/\s+/g, '').toUpperCase()).executeTakeFirst();
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
  pendingChanges: async (db: Queryable, id: string) => Number((await db.selectFrom('listing_changes').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('organisation_id', '=', id).where('status', '=', 'pending').where('service_id', 'is', null).executeTakeFirstOrThrow()).n),
};

/** One line of an organisation's timeline. */
export async function recordOrganisationEvent(db: Queryable, lioId: string, organisationId: string, actorLabel: string, kind: string, summary: string, detail: Record<string, unknown>, at: Date) {
  await db.insertInto('organisation_events').values({
    lio_id: lioId, organisation_id: organisationId, occurred_at: at, actor_label: actorLabel, kind, summary, detail: JSON.stringify(detail),
  }).execute();
}

export const asAuditActor = (a: SignedInUser): Actor => ({ userId: a.id, label: a.email });

/** The changed field names, for a summary line and for the audit log (which never holds the values). */
export const changedFields = (changes: ChangeSet) => Object.keys(changes).map(fieldLabel);

export type SaveResult =
  | { outcome: 'invalid'; values: FormValues; errors: FormErrors }
  | { outcome: 'duplicates'; values: FormValues; errors: FormErrors; duplicates: LikelyDuplicate[] }
  | { outcome: 'saved'; id: string; name: string; changes: ChangeSet }
  | { outcome: 'not_found' };

function duplicateConfirmation(body: unknown) {
  return { confirmed: str(body, 'confirmDuplicate') === 'yes', seen: list(body, 'duplicatesSeen').filter((id) => isUuid(id)) };
}

function duplicateWarning(values: FormValues, duplicates: LikelyDuplicate[]) {
  const errors = new FormErrors();
  errors.add('confirmDuplicate', duplicates.length === 1
    ? 'This may already be on the register: check the organisation listed, then confirm this is a different one to save it'
    : `This may already be on the register: check the ${duplicates.length} organisations listed, then confirm this is a different one to save it`);
  return { outcome: 'duplicates' as const, values, errors, duplicates };
}

export class OrganisationsService {
  constructor(private readonly deps: { db: Database; clock: Clock }) {}

  // --- The JSON API (src/api): callers check the token's scope first. ---

  async list(lioId: string, page: number, pageSize: number) {
    return this.deps.db.withTenant(lioId, async (tx) => ({
      total: await organisationsRepository.count(tx),
      items: await organisationsRepository.list(tx, pageSize, (page - 1) * pageSize),
    }));
  }

  find(lioId: string, id: string) {
    return this.deps.db.withTenant(lioId, (tx) => organisationsRepository.find(tx, id));
  }

  async create(lioId: string, actor: Actor, name: string) {
    const errors = new FormErrors();
    checkText(errors, 'name', name, 'the organisation’s name', 300);
    if (errors.any) return { errors };
    const now = this.deps.clock.now();
    const organisation = await this.deps.db.withTenant(lioId, async (tx) => {
      const row = await organisationsRepository.insert(tx, lioId, name, now);
      await recordOrganisationEvent(tx, lioId, row.id, actor.label, 'created', 'Added to the register', { via: 'api' }, now);
      await recordAudit(tx, lioId, actor, { action: 'organisation.created', subjectType: 'organisation', subjectId: row.id }, now);
      return row;
    });
    return { errors, organisation };
  }

  // --- Staff pages ---

  async search(actor: SignedInUser | null, filter: OrganisationFilter) {
    authorise(actor, 'organisations.read');
    return this.deps.db.withTenant(actor.lioId, async (tx) => ({
      ...(await organisationsRepository.search(tx, filter)),
      themes: await organisationsRepository.themesInUse(tx),
    }));
  }

  /** The organisation page: the record, its timeline, and what hangs off it. */
  async page(actor: SignedInUser | null, id: string) {
    authorise(actor, 'organisations.read');
    if (!isUuid(id)) return null;
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const organisation = await organisationsRepository.get(tx, id);
      if (!organisation) return null;
      const [timeline, services, members, pendingChanges, mergedInto, mergedFrom, lio] = await Promise.all([
        organisationsRepository.timeline(tx, id),
        organisationsRepository.services(tx, id),
        organisationsRepository.members(tx, id),
        organisationsRepository.pendingChanges(tx, id),
        organisation.merged_into_id ? organisationsRepository.find(tx, organisation.merged_into_id) : Promise.resolve(undefined),
        tx.selectFrom('organisations').select(['id', 'name']).where('merged_into_id', '=', id).orderBy('name').execute(),
        tx.selectFrom('lios').select('verification_months').where('id', '=', actor.lioId).executeTakeFirstOrThrow(),
      ]);
      return {
        organisation, services, members, pendingChanges, mergedInto, mergedFrom, verificationMonths: lio.verification_months,
        timeline: timeline.map((e) => ({ ...e, changes: e.detail && typeof e.detail === 'object' && 'changes' in e.detail ? diffRows(e.detail.changes as ChangeSet) : [] })),
      };
    });
  }

  async get(actor: SignedInUser | null, id: string) {
    authorise(actor, 'organisations.read');
    if (!isUuid(id)) return undefined;
    return this.deps.db.withTenant(actor.lioId, (tx) => organisationsRepository.get(tx, id));
  }

  /** A new record from the full form; likely duplicates must be confirmed before it is saved. */
  async createFromForm(actor: SignedInUser | null, body: unknown): Promise<SaveResult> {
    authorise(actor, 'organisations.write');
    const { values, input, errors } = readOrganisationForm(body, ORGANISATION_FIELDS);
    if (errors.any) return { outcome: 'invalid', values, errors };
    const { confirmed, seen } = duplicateConfirmation(body);
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx): Promise<SaveResult> => {
      const duplicates = await findLikelyDuplicates(tx, { name: input.name, charityNumber: input.charity_number, postcode: input.postcode });
      if (unconfirmedDuplicates(duplicates, confirmed, seen)) return duplicateWarning(values, duplicates);
      const row = await organisationsRepository.insertFull(tx, actor.lioId, input, now);
      await recordOrganisationEvent(tx, actor.lioId, row.id, actor.displayName, 'created', 'Added to the register', {
        ...(duplicates.length ? { confirmed_not_duplicate_of: duplicates.map((d) => ({ id: d.id, name: d.name })) } : {}),
      }, now);
      await recordAudit(tx, actor.lioId, asAuditActor(actor), {
        action: 'organisation.created', subjectType: 'organisation', subjectId: row.id, detail: duplicates.length ? { confirmedNotDuplicateOf: duplicates.map((d) => d.id) } : {},
      }, now);
      return { outcome: 'saved', id: row.id, name: row.name, changes: {} };
    });
  }

  /** Staff edit: applied at once, the timeline says what changed. */
  async updateFromForm(actor: SignedInUser | null, id: string, body: unknown): Promise<SaveResult> {
    authorise(actor, 'organisations.write');
    if (!isUuid(id)) return { outcome: 'not_found' };
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx): Promise<SaveResult> => {
      const row = await organisationsRepository.get(tx, id);
      if (!row || row.merged_into_id) return { outcome: 'not_found' };
      const current = inputOf(row);
      const { values, input, errors } = readOrganisationForm(body, ORGANISATION_FIELDS, current);
      if (errors.any) return { outcome: 'invalid', values, errors };
      const changes = diffOrganisation(current, input);
      if (Object.keys(changes).length === 0) return { outcome: 'saved', id, name: row.name, changes };
      if (changes.name || changes.charity_number || changes.postcode) {
        const { confirmed, seen } = duplicateConfirmation(body);
        const duplicates = await findLikelyDuplicates(tx, { id, name: input.name, charityNumber: input.charity_number, postcode: input.postcode });
        if (unconfirmedDuplicates(duplicates, confirmed, seen)) return duplicateWarning(values, duplicates);
      }
      await organisationsRepository.applyChanges(tx, id, changes, now);
      await recordOrganisationEvent(tx, actor.lioId, id, actor.displayName, 'edited', `Edited: ${changedFields(changes).join(', ')}`, { changes }, now);
      await recordAudit(tx, actor.lioId, asAuditActor(actor), { action: 'organisation.updated', subjectType: 'organisation', subjectId: id, detail: { fields: Object.keys(changes) } }, now);
      return { outcome: 'saved', id, name: input.name, changes };
    });
  }

  /** Staff confirm the listing is still right. */
  async markVerified(actor: SignedInUser | null, id: string): Promise<string | null> {
    authorise(actor, 'organisations.write');
    if (!isUuid(id)) return null;
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const row = await organisationsRepository.get(tx, id);
      if (!row || row.merged_into_id) return null;
      await organisationsRepository.setVerified(tx, id, now);
      await recordOrganisationEvent(tx, actor.lioId, id, actor.displayName, 'verified', 'Details checked and marked as verified', {}, now);
      await recordAudit(tx, actor.lioId, asAuditActor(actor), { action: 'organisation.verified', subjectType: 'organisation', subjectId: id }, now);
      return row.name;
    });
  }
}
