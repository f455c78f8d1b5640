import { sql, type SqlBool } from 'kysely';
import type { Queryable, Tx } from '../../platform/db/index.js';
import { isPhoneNumber, normalisePostcode, parseAmount } from '../services/form.js';
import { servicesRepository } from '../services/repository.js';

/**
 * The parts of a service a spreadsheet user sees and edits in one cell each, one item per line: its categories
 * (taxonomy term codes), its venues (address with the postcode last), its phone numbers and its costs.
 * Each is written so that the same text read back matches what is held, and unchanged items keep every detail
 * the spreadsheet does not show (a venue's map position and accessibility notes, a cost's dates).
 */

export interface VenueParts { name: string | null; address_1: string | null; address_2: string | null; city: string | null; postal_code: string | null }
export interface CostParts { option: string; amount: number | null }

/** "St Mary’s Hall, 12 High Street, Riverside, RV1 2AB": the parts the venue has, postcode last. */
export function venueText(v: VenueParts): string {
  return [v.name, v.address_1, v.address_2, v.city, v.postal_code].map((p) => p?.trim()).filter(Boolean).join(', ');
}

export const venueKey = (text: string) => text.toLowerCase().replace(/\s*,\s*/g, ',').replace(/\s+/g, ' ').trim();

/**
 * A venue line not already held: the last part is the postcode, and what comes before is read as
 * [address], [address, town], [name, address, town] or [name, address, more address…, town].
 */
export function parseVenue(line: string): { venue: VenueParts } | { error: string } {
  const parts = line.split(',').map((p) => p.trim()).filter(Boolean);
  const postcode = parts.length > 1 ? normalisePostcode(parts.at(-1)!) : null;
  if (!postcode) return { error: `“${line}” does not end with a postcode: write the address, then a comma and the postcode, like 12 High Street, Riverside, RV1 2AB` };
  const rest = parts.slice(0, -1);
  if (rest.some((p) => p.length > 200)) return { error: `“${line}” has a part longer than 200 characters` };
  const venue: VenueParts = { name: null, address_1: null, address_2: null, city: null, postal_code: postcode };
  if (rest.length === 1) venue.address_1 = rest[0]!;
  else if (rest.length === 2) [venue.address_1, venue.city] = rest as [string, string];
  else if (rest.length === 3) [venue.name, venue.address_1, venue.city] = rest as [string, string, string];
  else Object.assign(venue, { name: rest[0]!, address_1: rest[1]!, address_2: rest.slice(2, -1).join(', '), city: rest.at(-1)! });
  return { venue };
}

/** "Adults: £3.50", or just "Donations welcome" when the cost has no amount. */
export function costText(c: CostParts): string {
  return c.amount === null ? c.option : `${c.option}: £${c.amount.toFixed(2)}`;
}

export function parseCost(line: string): { cost: CostParts } | { error: string } {
  // What follows the last ": " is the amount when it looks like money; "Under 5s: ask at the desk" is all description.
  const split = line.lastIndexOf(': ');
  const tail = split > 0 ? line.slice(split + 2).trim() : '';
  const isMoney = /^£|^\d/.test(tail);
  const option = (isMoney ? line.slice(0, split) : line).trim();
  const amount = isMoney ? parseAmount(tail.replace(/\s+/g, '')) : null;
  if (!option) return { error: `“${line}” does not say what the cost is for: write it like Adults: £3.50` };
  if (option.length > 200) return { error: 'what a cost is for must be 200 characters or fewer' };
  if (amount === undefined) return { error: `“${tail}” is not an amount in pounds up to £100,000, like £3.50` };
  return { cost: { option, amount } };
}

export function checkPhone(number: string): string | null {
  return isPhoneNumber(number) ? null : `“${number}” is not a phone number, like 01632 960 001 or +44 808 157 0192`;
}

/**
 * Term codes are unique within a taxonomy, not across them: a code two taxonomies share is written
 * "Taxonomy name: code" (codes never hold a space, so the ": " cannot be part of one).
 */
export class TermCodes {
  private readonly byCode = new Map<string, { id: string; taxonomy: string }[]>();
  private readonly byId = new Map<string, { code: string; taxonomy: string }>();

  constructor(terms: { id: string; code: string; taxonomy_name: string }[]) {
    for (const t of terms) {
      const key = t.code.toLowerCase();
      this.byCode.set(key, [...(this.byCode.get(key) ?? []), { id: t.id, taxonomy: t.taxonomy_name }]);
      this.byId.set(t.id, { code: t.code, taxonomy: t.taxonomy_name });
    }
  }

  text(termId: string): string {
    const term = this.byId.get(termId)!;
    return (this.byCode.get(term.code.toLowerCase())?.length ?? 0) > 1 ? `${term.taxonomy}: ${term.code}` : term.code;
  }

  find(written: string): { id: string } | { error: string } {
    const split = written.lastIndexOf(': ');
    const taxonomy = split > 0 ? written.slice(0, split).trim().toLowerCase() : null;
    const code = (split > 0 ? written.slice(split + 2) : written).trim();
    const matches = (this.byCode.get(code.toLowerCase()) ?? []).filter((t) => taxonomy === null || t.taxonomy.toLowerCase() === taxonomy);
    if (matches.length === 1) return { id: matches[0]!.id };
    if (matches.length === 0) return { error: `“${written}” is not the code of a taxonomy term: see Taxonomy for the codes` };
    return { error: `“${code}” is a code in more than one taxonomy (${matches.map((m) => m.taxonomy).join(', ')}): write it like “${matches[0]!.taxonomy}: ${code}”` };
  }
}

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

/** What a row asks for; null means the column is not in the file, so the service keeps what it has. */
export interface PartsWanted {
  termIds: string[] | null;
  /** `problem` says why a line could not be read as a new venue: only an error when it is not a venue already held */
  venues: { text: string; parsed: VenueParts | null; problem: string | null }[] | null;
  phones: string[] | null; costs: CostParts[] | null;
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
