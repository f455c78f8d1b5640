import { randomBytes } from 'node:crypto';
import type { Database } from '../../src/platform/db/index.js';
import type { ConsentMethod, ConsentPurpose, ContactMethod } from '../../src/platform/db/people-schema.js';

const unique = () => randomBytes(4).toString('hex');

export interface PersonInput {
  fullName?: string; preferredName?: string | null; emails?: string[]; phones?: string[]; postcode?: string | null; dateOfBirth?: string | null;
  contactMethods?: ContactMethod[]; updatedAt?: Date;
}

/** People, their consents, and the directory rows that name a person (a listed contact, a listing change they proposed). */
export function peopleFactories(db: Database) {
  return {
    async person(lio: { id: string }, p: PersonInput = {}) {
      const now = p.updatedAt ?? new Date();
      return db.withTenant(lio.id, (tx) => tx.insertInto('people').values({
        lio_id: lio.id, full_name: p.fullName ?? `Person ${unique()}`, preferred_name: p.preferredName ?? null, emails: p.emails ?? [`person-${unique()}@example.net`],
        phones: p.phones ?? [], postcode: p.postcode ?? null, date_of_birth: p.dateOfBirth ?? null, contact_methods: p.contactMethods ?? [], created_at: now, updated_at: now,
      }).returning(['id', 'full_name']).executeTakeFirstOrThrow());
    },

    async consent(lio: { id: string }, personId: string, c: { purpose?: ConsentPurpose; method?: ConsentMethod; givenAt?: Date; withdrawnAt?: Date | null } = {}) {
      return db.withTenant(lio.id, (tx) => tx.insertInto('consents').values({
        lio_id: lio.id, person_id: personId, purpose: c.purpose ?? 'newsletter', method: c.method ?? 'online_form', wording_version: '2026-01',
        given_at: c.givenAt ?? new Date(), withdrawn_at: c.withdrawnAt ?? null, created_at: new Date(),
      }).returning('id').executeTakeFirstOrThrow());
    },

    /** A named contact of an organisation's listing, with a phone number when given. */
    async directoryContact(lio: { id: string }, c: { organisationId: string; name: string; email: string; phone?: string }) {
      return db.withTenant(lio.id, async (tx) => {
        const contact = await tx.insertInto('contacts').values({ lio_id: lio.id, organisation_id: c.organisationId, name: c.name, title: 'Coordinator', email: c.email })
          .returning('id').executeTakeFirstOrThrow();
        if (c.phone) await tx.insertInto('phones').values({ lio_id: lio.id, contact_id: contact.id, organisation_id: c.organisationId, number: c.phone }).execute();
        return contact;
      });
    },

    /** A change to a listing proposed by a group member, waiting for approval. */
    async listingChange(lio: { id: string }, c: { organisationId: string; submittedBy: string; changes?: Record<string, unknown> }) {
      return db.withTenant(lio.id, (tx) => tx.insertInto('listing_changes').values({
        lio_id: lio.id, organisation_id: c.organisationId, submitted_by: c.submittedBy, submitted_at: new Date(), changes: JSON.stringify(c.changes ?? { description: { from: 'Open weekdays.', to: 'We now open on Saturdays.' } }),
      }).returning('id').executeTakeFirstOrThrow());
    },

    async personOfUser(lio: { id: string }, userId: string) {
      return db.withTenant(lio.id, async (tx) => {
        const user = await tx.selectFrom('users').select('person_id').where('id', '=', userId).executeTakeFirstOrThrow();
        return tx.selectFrom('people').selectAll().where('id', '=', user.person_id!).executeTakeFirstOrThrow();
      });
    },
  };
}
export type PeopleFactories = ReturnType<typeof peopleFactories>;
