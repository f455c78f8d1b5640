import { sql, type SqlBool } from 'kysely';
import type { Queryable, Tx } from '../../platform/db/index.js';
import type { DeliveryMode, ServiceStatus } from '../../platform/db/directory-schema.js';
import type { OrganisationInput } from '../organisations/record.js';
import { servicesRepository } from '../services/repository.js';
import { venueKey, venueText, type PartsWanted } from './service-parts.js';

/** All SQL of the register's spreadsheets: what an export reads, and what an import reads and writes. */

/** The venues of some services, as their cells show them. */
export async function venuesOf(db: Queryable, serviceIds: string[]): Promise<Map<string, string[]>> {
  const venues = new Map<string, string[]>();
  if (serviceIds.length === 0) return venues;
  const rows = await db.selectFrom('service_at_locations as sal').innerJoin('locations as l', 'l.id', 'sal.location_id')
    .select(['sal.service_id', 'l.name', 'l.address_1', 'l.address_2', 'l.city', 'l.postal_code'])
    .where(sql<SqlBool>`sal.service_id = any(${serviceIds}::uuid[])`).orderBy(sql`lower(coalesce(l.name, l.address_1, ''))`).orderBy('l.id').execute();
  for (const r of rows) venues.set(r.service_id, [...(venues.get(r.service_id) ?? []), venueText(r)]);
  return venues;
}

/** The venues a service's row may name by their text: its organisation's and those it already uses (text → id). */
export async function knownVenues(tx: Tx, serviceId: string | null, organisationId: string): Promise<Map<string, string>> {
  const candidates = await tx.selectFrom('locations').select(['id', 'name', 'address_1', 'address_2', 'city', 'postal_code'])
    .where((eb) => eb.or([
      eb('organisation_id', '=', organisationId),
      ...(serviceId ? [eb('id', 'in', eb.selectFrom('service_at_locations').select('location_id').where('service_id', '=', serviceId))] : []),
    ]))
    .orderBy('created_at').orderBy('id').execute();
  const known = new Map<string, string>();
  for (const c of candidates) if (!known.has(venueKey(venueText(c)))) known.set(venueKey(venueText(c)), c.id);
  return known;
}

/**
 * Makes the service's parts what the row says, keeping what is unchanged. A venue line matching one the service or
 * its organisation already has (same text) links that venue; any other is added as a new venue, placed on the map
 * from the local postcode table. Venues left out are unlinked, not deleted: other services may share them.
 */
export async function writeParts(tx: Tx, lioId: string, serviceId: string, organisationId: string, want: PartsWanted, now: Date): Promise<boolean> {
  let changed = false;
  if (want.termIds) {
    const held = (await tx.selectFrom('attributes').select('taxonomy_term_id').where('link_id', '=', serviceId).where('link_type', '=', 'service').execute()).map((r) => r.taxonomy_term_id);
    const gone = held.filter((id) => !want.termIds!.includes(id));
    const added = want.termIds.filter((id) => !held.includes(id));
    if (gone.length) await tx.deleteFrom('attributes').where('link_id', '=', serviceId).where('link_type', '=', 'service').where('taxonomy_term_id', 'in', gone).execute();
    if (added.length) {
      await tx.insertInto('attributes').values(added.map((taxonomy_term_id) => ({ lio_id: lioId, link_id: serviceId, link_type: 'service' as const, link_entity: 'service', taxonomy_term_id }))).execute();
    }
    changed ||= gone.length > 0 || added.length > 0;
  }
  if (want.venues) {
    const known = await knownVenues(tx, serviceId, organisationId);
    const wanted: string[] = [];
    for (const v of want.venues) {
      let id = known.get(venueKey(v.text));
      if (!id) {
        const p = v.parsed!;
        const found = p.postal_code ? await servicesRepository.geocode(tx, p.postal_code) : undefined;
        id = (await tx.insertInto('locations').values({
          lio_id: lioId, organisation_id: organisationId, location_type: 'physical', ...p, latitude: found?.latitude ?? null, longitude: found?.longitude ?? null,
          country: 'GB', created_at: now, updated_at: now,
        }).returning('id').executeTakeFirstOrThrow()).id;
        known.set(venueKey(v.text), id);
      }
      if (!wanted.includes(id)) wanted.push(id);
    }
    const held = (await tx.selectFrom('service_at_locations').select('location_id').where('service_id', '=', serviceId).execute()).map((r) => r.location_id);
    const gone = held.filter((id) => !wanted.includes(id));
    const added = wanted.filter((id) => !held.includes(id));
    if (gone.length) await tx.deleteFrom('service_at_locations').where('service_id', '=', serviceId).where('location_id', 'in', gone).execute();
    if (added.length) await tx.insertInto('service_at_locations').values(added.map((location_id) => ({ lio_id: lioId, service_id: serviceId, location_id }))).execute();
    changed ||= gone.length > 0 || added.length > 0;
  }
  if (want.phones) {
    const held = await tx.selectFrom('phones').select(['id', 'number']).where('service_id', '=', serviceId).where('contact_id', 'is', null).where('location_id', 'is', null).execute();
    const digits = (n: string) => n.replace(/\D/g, '');
    const wanted = new Set(want.phones.map(digits));
    const have = new Set(held.map((h) => digits(h.number)));
    const gone = held.filter((h) => !wanted.has(digits(h.number))).map((h) => h.id);
    const added = [...new Map(want.phones.filter((n) => !have.has(digits(n))).map((n) => [digits(n), n])).values()];
    if (gone.length) await tx.deleteFrom('phones').where('id', 'in', gone).execute();
    if (added.length) await tx.insertInto('phones').values(added.map((number) => ({ lio_id: lioId, service_id: serviceId, number }))).execute();
    changed ||= gone.length > 0 || added.length > 0;
  }
  if (want.costs) {
    const held = await tx.selectFrom('cost_options').select(['id', 'option', 'amount']).where('service_id', '=', serviceId).execute();
    const key = (c: { option: string | null; amount: number | string | null }) => `${(c.option ?? '').toLowerCase()}|${c.amount === null ? '' : Number(c.amount).toFixed(2)}`;
    const wanted = new Set(want.costs.map(key));
    const have = new Set(held.map(key));
    const gone = held.filter((h) => !wanted.has(key(h))).map((h) => h.id);
    const added = [...new Map(want.costs.filter((c) => !have.has(key(c))).map((c) => [key(c), c])).values()];
    if (gone.length) await tx.deleteFrom('cost_options').where('id', 'in', gone).execute();
    if (added.length) await tx.insertInto('cost_options').values(added.map((c) => ({ lio_id: lioId, service_id: serviceId, option: c.option, amount: c.amount }))).execute();
    changed ||= gone.length > 0 || added.length > 0;
  }
  return changed;
}

/** A simple weekly opening time of the service itself: what the spreadsheet shows and replaces; other schedules are left alone. */
const simpleWeekly = sql<boolean>`service_at_location_id is null and freq = 'WEEKLY' and byday ~ '^(MO|TU|WE|TH|FR|SA|SU)$' and opens_at is not null
  and closes_at is not null and valid_from is null and valid_to is null and dtstart is null`;

export interface ListedParts { opening: { day: string; opens: string; closes: string }[]; languages: string[]; serviceAreas: string[] }

/** The parts the spreadsheet holds: simple weekly opening times, languages and service areas (by name; other details of each are kept). Returns whether anything changed. */
export async function replaceListedParts(tx: Tx, lioId: string, serviceId: string, p: ListedParts, columns: { opening: boolean; languages: boolean; serviceAreas: boolean }): Promise<boolean> {
  let changed = false;
  if (columns.opening) {
    const held = await tx.selectFrom('schedules').select(['id', 'byday', sql<string>`to_char(opens_at, 'HH24:MI')`.as('opens'), sql<string>`to_char(closes_at, 'HH24:MI')`.as('closes')])
      .where('service_id', '=', serviceId).where(simpleWeekly).execute();
    const key = (o: { day: string; opens: string; closes: string }) => `${o.day} ${o.opens} ${o.closes}`;
    const want = new Set(p.opening.map(key));
    const have = new Set(held.map((h) => key({ day: h.byday!, opens: h.opens, closes: h.closes })));
    const gone = held.filter((h) => !want.has(key({ day: h.byday!, opens: h.opens, closes: h.closes }))).map((h) => h.id);
    const added = p.opening.filter((o) => !have.has(key(o)));
    if (gone.length) await tx.deleteFrom('schedules').where('id', 'in', gone).execute();
    if (added.length) await tx.insertInto('schedules').values(added.map((o) => ({ lio_id: lioId, service_id: serviceId, freq: 'WEEKLY' as const, interval: 1, byday: o.day, opens_at: o.opens, closes_at: o.closes }))).execute();
    changed ||= gone.length > 0 || added.length > 0;
  }
  const byName = async (table: 'languages' | 'service_areas', names: string[]) => {
    const held = await tx.selectFrom(table).select(['id', 'name']).where('service_id', '=', serviceId).execute();
    const want = new Set(names.map((n) => n.toLowerCase()));
    const have = new Set(held.map((h) => (h.name ?? '').toLowerCase()));
    const gone = held.filter((h) => !want.has((h.name ?? '').toLowerCase())).map((h) => h.id);
    const added = [...new Map(names.filter((n) => !have.has(n.toLowerCase())).map((n) => [n.toLowerCase(), n])).values()];
    if (gone.length) await tx.deleteFrom(table).where('id', 'in', gone).execute();
    if (added.length) await tx.insertInto(table).values(added.map((name) => ({ lio_id: lioId, service_id: serviceId, name }))).execute();
    return gone.length > 0 || added.length > 0;
  };
  if (columns.languages) changed = (await byName('languages', p.languages)) || changed;
  if (columns.serviceAreas) changed = (await byName('service_areas', p.serviceAreas)) || changed;
  return changed;
}

export type ServiceColumns = {
  organisation_id: string; name: string; description: string; status: ServiceStatus; delivery_modes: DeliveryMode[]; url: string | null; email: string | null;
  fees_description: string | null; is_free: boolean; minimum_age: number | null; maximum_age: number | null;
};

export const registerCsvRepository = {
  organisationsForExport: (db: Queryable) => db.selectFrom('organisations').selectAll().where('merged_into_id', 'is', null).orderBy(sql`lower(name)`).orderBy('id').execute(),

  async serviceIdsForExport(db: Queryable): Promise<string[]> {
    return (await db.selectFrom('services').select('id').orderBy(sql`lower(name)`).orderBy('id').execute()).map((r) => r.id);
  },

  organisationsByIds: (db: Queryable, ids: string[]) => (ids.length ? db.selectFrom('organisations').selectAll().where('id', 'in', ids).execute() : Promise.resolve([])),

  updateOrganisation: (db: Queryable, id: string, input: OrganisationInput, now: Date) =>
    db.updateTable('organisations').set({ ...input, updated_at: now }).where('id', '=', id).execute(),

  async insertOrganisation(db: Queryable, lioId: string, input: OrganisationInput, now: Date): Promise<string> {
    return (await db.insertInto('organisations').values({ lio_id: lioId, ...input, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow()).id;
  },

  /** Organisations a services row may name (merged records are not among them). */
  organisationNames: (db: Queryable) => db.selectFrom('organisations').select(['id', 'name']).where('merged_into_id', 'is', null).execute(),

  servicesByIds: (db: Queryable, ids: string[]) => (ids.length ? db.selectFrom('services').selectAll().where('id', 'in', ids).execute() : Promise.resolve([])),

  updateService: (db: Queryable, id: string, values: ServiceColumns, now: Date) =>
    db.updateTable('services').set({ ...values, updated_at: now }).where('id', '=', id).execute(),

  /** A new service, with the first line of its delivery history. */
  async insertService(db: Queryable, lioId: string, id: string, values: ServiceColumns, now: Date, today: string) {
    await db.insertInto('services').values({ id, lio_id: lioId, ...values, created_at: now, updated_at: now }).execute();
    await db.insertInto('service_delivery_changes').values({ lio_id: lioId, service_id: id, changed_on: today, delivery_modes: values.delivery_modes, status: values.status, note: 'Added from a spreadsheet' }).execute();
  },
};
