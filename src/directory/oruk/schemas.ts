import { Type, type Static, type TSchema } from '@sinclair/typebox';

/**
 * Response schemas of the Open Referral UK API, written from HSDS 3.0 with the UK profile
 * (schema/compiled/*.json and validator/page-schemas/*.json of the standard). They also serialise the
 * responses, so a field missing here is never sent: every field the presenters build is declared.
 * Optional fields are left out rather than sent as null, because the standard types them as plain strings.
 */

const Uuid = Type.String({ format: 'uuid' });
const Str = (description?: string) => Type.Optional(Type.String(description ? { description } : {}));
const Num = (description?: string) => Type.Optional(Type.Number(description ? { description } : {}));

export const TaxonomyTerm = Type.Object({
  id: Uuid,
  code: Str('The code of the term in its taxonomy'),
  name: Type.String(),
  description: Type.String(),
  parent_id: Type.Optional(Uuid),
  taxonomy: Str('The name of the taxonomy containing the term'),
  taxonomy_id: Type.Optional(Uuid),
  term_uri: Str(),
  term: Str('The term itself (as the UK profile repeats it)'),
}, { description: 'A taxonomy term' });

export const Taxonomy = Type.Object({
  id: Uuid, name: Type.String(), description: Type.String(), uri: Str(), version: Str(),
}, { description: 'A taxonomy' });

export const TaxonomyWithTerms = Type.Object({
  ...Taxonomy.properties,
  taxonomy_terms: Type.Array(TaxonomyTerm),
}, { description: 'A taxonomy and its terms' });

export const Attribute = Type.Object({
  id: Uuid, link_id: Type.Optional(Uuid), taxonomy_term_id: Type.Optional(Uuid), link_type: Str(), link_entity: Str(), value: Str(),
  taxonomy_term: Type.Optional(TaxonomyTerm),
});

export const OrganizationIdentifier = Type.Object({
  id: Uuid, organization_id: Type.Optional(Uuid), identifier_scheme: Str(), identifier_type: Type.String(), identifier: Type.String(),
});

export const OrganizationSummary = Type.Object({
  id: Uuid, name: Type.String(), description: Type.String(), email: Str(), website: Str(), logo: Str(), uri: Str(),
  parent_organization_id: Type.Optional(Uuid),
}, { description: 'An organisation' });

export const Language = Type.Object({
  id: Uuid, service_id: Type.Optional(Uuid), location_id: Type.Optional(Uuid), phone_id: Type.Optional(Uuid), name: Str(), code: Str(), note: Str(),
});

export const Phone = Type.Object({
  id: Uuid, service_id: Type.Optional(Uuid), organization_id: Type.Optional(Uuid), location_id: Type.Optional(Uuid), contact_id: Type.Optional(Uuid),
  number: Type.String(), extension: Str(), type: Str(), description: Str(), languages: Type.Optional(Type.Array(Language)),
});

export const Schedule = Type.Object({
  id: Uuid, service_id: Type.Optional(Uuid), service_at_location_id: Type.Optional(Uuid),
  valid_from: Str(), valid_to: Str(), dtstart: Str(), freq: Type.Optional(Type.Union([Type.Literal('WEEKLY'), Type.Literal('MONTHLY')])),
  interval: Num(), byday: Str(), bymonthday: Str(), description: Str(), opens_at: Str(), closes_at: Str(), schedule_link: Str(), attending_type: Str(), notes: Str(),
});

export const ServiceArea = Type.Object({
  id: Uuid, service_id: Type.Optional(Uuid), name: Str(), description: Str(), extent: Str(), extent_type: Str(), uri: Str(), service_area: Str(),
});

export const Address = Type.Object({
  id: Uuid, location_id: Type.Optional(Uuid), attention: Str(), address_1: Type.String(), address_2: Str(), city: Type.String(), region: Str(),
  state_province: Type.String(), postal_code: Type.String(), country: Type.String(),
  address_type: Type.Union([Type.Literal('physical'), Type.Literal('postal'), Type.Literal('virtual')]),
});

export const Accessibility = Type.Object({
  id: Uuid, location_id: Type.Optional(Uuid), description: Str(), details: Str(), url: Str(), accessibility: Str(),
});

const LocationFields = {
  id: Uuid,
  location_type: Type.Union([Type.Literal('physical'), Type.Literal('postal'), Type.Literal('virtual')]),
  name: Str(), description: Str(), latitude: Num(), longitude: Num(), external_identifier: Str(), external_identifier_type: Str(),
};
export const LocationSummary = Type.Object(LocationFields);
export const Location = Type.Object({
  ...LocationFields,
  addresses: Type.Array(Address), accessibility: Type.Array(Accessibility), attributes: Type.Array(Attribute),
  phones: Type.Array(Phone), languages: Type.Array(Language),
});

export const Funding = Type.Object({ id: Uuid, service_id: Type.Optional(Uuid), organization_id: Type.Optional(Uuid), source: Str() });

export const CostOption = Type.Object({
  id: Uuid, service_id: Type.Optional(Uuid), valid_from: Str(), valid_to: Str(), option: Str(), amount: Num(), currency: Str(), amount_description: Str(),
});

export const Contact = Type.Object({
  id: Uuid, service_id: Type.Optional(Uuid), organization_id: Type.Optional(Uuid), name: Str(), title: Str(), department: Str(), email: Str(),
  phones: Type.Array(Phone),
});

const ServiceFields = {
  id: Uuid, organization_id: Type.Optional(Uuid), name: Type.String(), description: Str(), url: Str(), email: Str(),
  status: Type.Union([Type.Literal('active'), Type.Literal('inactive'), Type.Literal('defunct'), Type.Literal('temporarily closed')]),
  fees: Str('Charges, as free text (the UK profile keeps the name "fees")'), fees_description: Str('The same text under its HSDS 3.0 name'),
  accreditations: Str(), minimum_age: Num(), maximum_age: Num(), assured_date: Str(), assurer_email: Str(), alert: Str(),
  last_modified: Type.Optional(Type.String({ format: 'date-time' })),
};
export const ServiceSummary = Type.Object({ ...ServiceFields, organization: OrganizationSummary }, { description: 'A service with its one-to-one fields' });

export const ServiceAtLocationNested = Type.Object({
  id: Uuid, service_id: Type.Optional(Uuid), location_id: Type.Optional(Uuid), description: Str(), location: Location, schedules: Type.Array(Schedule),
});

export const OrganizationNested = Type.Object({
  ...OrganizationSummary.properties,
  organization_identifiers: Type.Array(OrganizationIdentifier), attributes: Type.Array(Attribute), funding: Type.Array(Funding),
});

export const Service = Type.Object({
  ...ServiceFields,
  organization: OrganizationNested,
  schedules: Type.Array(Schedule), service_areas: Type.Array(ServiceArea), service_at_locations: Type.Array(ServiceAtLocationNested),
  languages: Type.Array(Language), funding: Type.Array(Funding), cost_options: Type.Array(CostOption), contacts: Type.Array(Contact),
  phones: Type.Array(Phone), attributes: Type.Array(Attribute),
}, { description: 'A fully nested service' });

export const Organization = Type.Object({
  ...OrganizationNested.properties,
  services: Type.Array(Service),
}, { description: 'An organisation with its published services, fully nested' });

export const ServiceAtLocationSummary = Type.Object({
  id: Uuid, service_id: Uuid, location_id: Uuid, description: Str(), location: LocationSummary, service: ServiceSummary,
}, { description: 'A service at a location' });

export const ServiceAtLocation = Type.Object({
  id: Uuid, service_id: Uuid, location_id: Uuid, description: Str(), location: Location, schedules: Type.Array(Schedule), service: Service,
}, { description: 'A service at a location, fully nested' });

export const ApiDetails = Type.Object({
  version: Type.String({ description: 'HSDS version of this API' }),
  profile: Type.String({ format: 'uri', description: 'The HSDS profile this API follows' }),
  openapi_url: Type.String({ format: 'uri', description: 'The OpenAPI document of this API' }),
}, { description: 'About this API' });

export function PageOf<T extends TSchema>(item: T, description: string) {
  return Type.Object({
    total_items: Type.Integer(), total_pages: Type.Integer(), page_number: Type.Integer(), size: Type.Integer(),
    first_page: Type.Boolean(), last_page: Type.Boolean(), empty: Type.Boolean(), contents: Type.Array(item),
  }, { description });
}

export const OrukError = Type.Object({
  statusCode: Type.Integer(), error: Type.String(), message: Type.String(),
  fields: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
}, { description: 'What was wrong; for a bad parameter, `fields` names it' });

export type TaxonomyTermJson = Static<typeof TaxonomyTerm>;
export type TaxonomyJson = Static<typeof Taxonomy>;
export type AttributeJson = Static<typeof Attribute>;
export type OrganizationSummaryJson = Static<typeof OrganizationSummary>;
export type OrganizationNestedJson = Static<typeof OrganizationNested>;
export type OrganizationIdentifierJson = Static<typeof OrganizationIdentifier>;
export type LanguageJson = Static<typeof Language>;
export type PhoneJson = Static<typeof Phone>;
export type ScheduleJson = Static<typeof Schedule>;
export type ServiceAreaJson = Static<typeof ServiceArea>;
export type AddressJson = Static<typeof Address>;
export type AccessibilityJson = Static<typeof Accessibility>;
export type LocationJson = Static<typeof Location>;
export type LocationSummaryJson = Static<typeof LocationSummary>;
export type FundingJson = Static<typeof Funding>;
export type CostOptionJson = Static<typeof CostOption>;
export type ContactJson = Static<typeof Contact>;
export type ServiceSummaryJson = Static<typeof ServiceSummary>;
export type ServiceJson = Static<typeof Service>;
export type ServiceAtLocationNestedJson = Static<typeof ServiceAtLocationNested>;
