import { randomBytes } from 'node:crypto';
import type { Database } from '../../src/platform/db/index.js';
import type { DeliveryMode, OrganisationType, ServiceStatus } from '../../src/platform/db/directory-schema.js';

const unique = () => randomBytes(4).toString('hex');

export interface ServiceFactoryInput {
  organisationId?: string;
  name?: string;
  description?: string;
  status?: ServiceStatus;
  deliveryModes?: DeliveryMode[];
  minimumAge?: number | null;
  maximumAge?: number | null;
  isFree?: boolean;
  /** each location: coordinates and postcode; a service with none is delivered remotely */
  locations?: { name?: string; latitude?: number; longitude?: number; postcode?: string; address?: string; city?: string }[];
  /** weekly opening times: day as MO..SU, times as HH:MM */
  opening?: { day: string; opens: string; closes: string }[];
  termIds?: string[];
  costs?: { option: string; amount: number | null }[];
  updatedAt?: Date;
}

/** Directory rows for tests: organisations with register fields, services with their HSDS parts, taxonomy, postcodes. */
export function directoryFactories(db: Database) {
  return {
    async organisation(lio: { id: string }, o: { name?: string; type?: OrganisationType; charityNumber?: string | null; postcode?: string | null; email?: string | null;
      status?: 'active' | 'dormant' | 'closed'; consentToPublish?: boolean; lastVerifiedAt?: Date | null; description?: string } = {}) {
      const now = new Date();
      return db.withTenant(lio.id, (tx) => tx.insertInto('organisations').values({
        lio_id: lio.id, name: o.name ?? `Community Group ${unique()}`, organisation_type: o.type ?? 'registered_charity',
        charity_number: o.charityNumber ?? null, postcode: o.postcode ?? null, email: o.email ?? `contact-${unique()}@group.example`,
        status: o.status ?? 'active', consent_to_publish: o.consentToPublish ?? true, last_verified_at: o.lastVerifiedAt === undefined ? now : o.lastVerifiedAt,
        description: o.description ?? 'A local community group.', created_at: now, updated_at: now,
      }).returning(['id', 'name']).executeTakeFirstOrThrow());
    },

    async taxonomy(lio: { id: string }, name = `Taxonomy ${unique()}`) {
      const now = new Date();
      return db.withTenant(lio.id, (tx) => tx.insertInto('taxonomies').values({ lio_id: lio.id, name, description: `${name} terms`, created_at: now, updated_at: now })
        .returning(['id', 'name']).executeTakeFirstOrThrow());
    },

    async term(lio: { id: string }, taxonomyId: string, t: { name?: string; code?: string; parentId?: string | null } = {}) {
      const now = new Date();
      const code = t.code ?? `term-${unique()}`;
      return db.withTenant(lio.id, (tx) => tx.insertInto('taxonomy_terms').values({
        lio_id: lio.id, taxonomy_id: taxonomyId, code, name: t.name ?? `Term ${code}`, description: `About ${t.name ?? code}`, parent_id: t.parentId ?? null, created_at: now, updated_at: now,
      }).returning(['id', 'name', 'code']).executeTakeFirstOrThrow());
    },

    async service(lio: { id: string }, s: ServiceFactoryInput = {}) {
      const organisationId = s.organisationId ?? (await this.organisation(lio)).id;
      const now = s.updatedAt ?? new Date();
      return db.withTenant(lio.id, async (tx) => {
        const service = await tx.insertInto('services').values({
          lio_id: lio.id, organisation_id: organisationId, name: s.name ?? `Service ${unique()}`, description: s.description ?? 'Help for local people.',
          status: s.status ?? 'active', delivery_modes: s.deliveryModes ?? ['in_person'], minimum_age: s.minimumAge ?? null, maximum_age: s.maximumAge ?? null,
          // free of charge unless one of its costs has a price, as the service form would have it
          is_free: s.isFree ?? !(s.costs ?? []).some((c) => (c.amount ?? 0) > 0), created_at: now, updated_at: now,
        }).returning(['id', 'name', 'organisation_id']).executeTakeFirstOrThrow();
        const locationIds: string[] = [];
        for (const l of s.locations ?? []) {
          const location = await tx.insertInto('locations').values({
            lio_id: lio.id, organisation_id: organisationId, name: l.name ?? `${service.name} venue`, latitude: l.latitude ?? null, longitude: l.longitude ?? null,
            address_1: l.address ?? '1 High Street', city: l.city ?? 'Riverside', state_province: 'England', postal_code: l.postcode ?? null, created_at: now, updated_at: now,
          }).returning('id').executeTakeFirstOrThrow();
          locationIds.push(location.id);
          await tx.insertInto('service_at_locations').values({ lio_id: lio.id, service_id: service.id, location_id: location.id }).execute();
        }
        for (const o of s.opening ?? []) {
          await tx.insertInto('schedules').values({ lio_id: lio.id, service_id: service.id, freq: 'WEEKLY', byday: o.day, opens_at: o.opens, closes_at: o.closes }).execute();
        }
        for (const termId of s.termIds ?? []) {
          await tx.insertInto('attributes').values({ lio_id: lio.id, link_id: service.id, link_type: 'service', link_entity: 'service', taxonomy_term_id: termId }).execute();
        }
        for (const c of s.costs ?? []) {
          await tx.insertInto('cost_options').values({ lio_id: lio.id, service_id: service.id, option: c.option, amount: c.amount }).execute();
        }
        await tx.insertInto('service_delivery_changes').values({
          lio_id: lio.id, service_id: service.id, changed_on: now.toISOString().slice(0, 10), delivery_modes: s.deliveryModes ?? ['in_person'], status: s.status ?? 'active',
        }).execute();
        return { ...service, locationIds };
      });
    },

    /** Postcodes are reference data shared by every LIO, so they are written as the owner. */
    async postcode(p: { postcode: string; latitude: number | null; longitude: number | null; terminatedOn?: string | null; wardCode?: string; imdRank?: number }) {
      const normalised = p.postcode.replace(/\s+/g, '').toUpperCase();
      await db.system.insertInto('postcodes').values({
        postcode: normalised, latitude: p.latitude, longitude: p.longitude, terminated_on: p.terminatedOn ?? null, ward_code: p.wardCode ?? null, imd_rank: p.imdRank ?? null,
      }).onConflict((oc) => oc.column('postcode').doUpdateSet({ latitude: p.latitude, longitude: p.longitude })).execute();
      return normalised;
    },
  };
}
export type DirectoryFactories = ReturnType<typeof directoryFactories>;
