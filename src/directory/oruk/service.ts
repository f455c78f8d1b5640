import type { Queryable, ReadOptions, Reads } from '../../platform/db/index.js';
import type { RawBuilder, SqlBool } from 'kysely';
import { loadServicesWith } from '../services/repository.js';
import { servicePublished } from '../public/published.js';
import { extraReads, orukRepository as repo, type ExtraRows, type ServiceFilters } from './repository.js';
import {
  groupBy, page, presentOrganisationNested, presentOrganisationSummary, presentSalSummary, presentService, presentServiceSummary, presentTaxonomy,
  presentTerm, type OrukExtras,
} from './present.js';

/** The API's rule for a service by id (one object, so that its load is compiled once: loadServicesWith). */
const publishedToApi = servicePublished('s', 'o');

/**
 * The Open Referral UK API's reads. The API is public: it serves only what the LIO publishes (organisations
 * with consent to publish, not closed or merged away; their services with consent, defunct ones only by id).
 * Full services come from the shared read model (loadServicesWith, in the same statement) plus the HSDS parts only this API shows.
 * It reads where `reads` says (publicReads): the read replica, unless the caller must see the primary.
 */
export class OrukService {
  constructor(private readonly reads: Pick<Reads, 'withTenant'>) {}

  private tenant<T>(lioId: string, work: (tx: Queryable) => Promise<T>, options?: ReadOptions) {
    return this.reads.withTenant(lioId, work, options);
  }

  async services(lioId: string, filters: ServiceFilters, pageNumber: number, perPage: number) {
    return this.tenant(lioId, async (tx) => {
      const { total, rows } = await repo.listServices(tx, filters, perPage, (pageNumber - 1) * perPage);
      return page(rows.map(presentServiceSummary), { page: pageNumber, perPage, total });
    });
  }

  async service(lioId: string, id: string) {
    return this.tenant(lioId, async (tx) => (await nestedServices(tx, [id], publishedToApi))[0] ?? null, { plans: 'by id' });
  }

  async serviceAtLocations(lioId: string, filters: ServiceFilters, pageNumber: number, perPage: number) {
    return this.tenant(lioId, async (tx) => {
      const { total, rows } = await repo.listServiceAtLocations(tx, filters, perPage, (pageNumber - 1) * perPage);
      return page(rows.map(presentSalSummary), { page: pageNumber, perPage, total });
    });
  }

  async serviceAtLocation(lioId: string, id: string) {
    return this.tenant(lioId, async (tx) => {
      const sal = await repo.findServiceAtLocation(tx, id);
      if (!sal) return null;
      const [service] = await nestedServices(tx, [sal.service_id]);
      const nested = service?.service_at_locations.find((x) => x.id === id);
      if (!service || !nested) return null;
      return { id, service_id: sal.service_id, location_id: sal.location_id, ...(nested.description ? { description: nested.description } : {}), location: nested.location, schedules: nested.schedules, service };
    }, { plans: 'by id' });
  }

  async organisations(lioId: string, pageNumber: number, perPage: number) {
    return this.tenant(lioId, async (tx) => {
      const { total, rows } = await repo.listOrganisations(tx, perPage, (pageNumber - 1) * perPage);
      return page(rows.map(presentOrganisationSummary), { page: pageNumber, perPage, total });
    });
  }

  async organisation(lioId: string, id: string) {
    return this.tenant(lioId, async (tx) => {
      const organisation = await repo.findOrganisation(tx, id);
      if (!organisation) return null;
      const serviceIds = await repo.serviceIdsOfOrganisation(tx, id);
      const services = await nestedServices(tx, serviceIds);
      const extras = extrasOf(await repo.extras(tx, { organisationIds: [id], serviceIds: [], locationIds: [], termIds: [] }));
      return { ...presentOrganisationNested(organisation, extras), services };
    }, { plans: 'by id' });
  }

  async taxonomies(lioId: string, pageNumber: number, perPage: number) {
    return this.tenant(lioId, async (tx) => {
      const { total, rows } = await repo.listTaxonomies(tx, perPage, (pageNumber - 1) * perPage);
      return page(rows.map(presentTaxonomy), { page: pageNumber, perPage, total });
    });
  }

  async taxonomy(lioId: string, id: string) {
    return this.tenant(lioId, async (tx) => {
      const taxonomy = await repo.findTaxonomy(tx, id);
      if (!taxonomy) return null;
      return { ...presentTaxonomy(taxonomy), taxonomy_terms: (await repo.termsOfTaxonomy(tx, id)).map(presentTerm) };
    });
  }

  async terms(lioId: string, filter: { taxonomyId?: string; parentId?: string }, pageNumber: number, perPage: number) {
    return this.tenant(lioId, async (tx) => {
      const { total, rows } = await repo.listTerms(tx, filter, perPage, (pageNumber - 1) * perPage);
      return page(rows.map(presentTerm), { page: pageNumber, perPage, total });
    });
  }

  async term(lioId: string, id: string) {
    return this.tenant(lioId, async (tx) => {
      const term = await repo.findTerm(tx, id);
      return term ? presentTerm(term) : null;
    });
  }
}

/**
 * Services, fully nested in ORUK terms, in the order asked, with what only this API shows of them, in one statement;
 * `only` keeps those a condition on services `s` and organisations `o` allows (published, for a read by id).
 */
export async function nestedServices(tx: Queryable, ids: string[], only?: RawBuilder<SqlBool>) {
  if (ids.length === 0) return [];
  const { services, more } = await loadServicesWith<ExtraRows>(tx, ids, { ...(only ? { only } : {}), more: extraReads });
  const extras = extrasOf(more);
  return services.map((s) => presentService(s, extras));
}

function extrasOf(x: ExtraRows): OrukExtras {
  return {
    organisations: new Map(x.organisations.map((r) => [r.id, r])),
    identifiers: groupBy(x.identifiers, (r) => r.organisation_id),
    organisationFunding: groupBy(x.organisationFunding, (r) => r.organisation_id),
    organisationAttributes: groupBy(x.organisationAttributes, (r) => r.link_id),
    serviceFunding: groupBy(x.serviceFunding, (r) => r.service_id),
    serviceAreaText: new Map(x.areas.flatMap((r) => (r.service_area === null ? [] : [[r.id, r.service_area] as const]))),
    locations: new Map(x.locations.map((r) => [r.id, r])),
    locationAttributes: groupBy(x.locationAttributes, (r) => r.link_id),
    termParents: new Map(x.parents.map((r) => [r.id, r.parent_external_id])),
  };
}
