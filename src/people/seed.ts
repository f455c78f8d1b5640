import type { Queryable } from '../platform/db/index.js';
import type { ConsentMethod, ConsentPurpose, ContactMethod } from '../platform/db/people-schema.js';

interface DemoPerson {
  fullName: string; preferredName?: string; emails?: string[]; phones?: string[]; postcode?: string; dateOfBirth?: string; contact?: ContactMethod[];
  consents?: { purpose: ConsentPurpose; method: ConsentMethod; daysAgo: number; withdrawnDaysAgo?: number }[];
}

/**
 * Residents and contacts of the demo LIO (the demo users already have their people: the database gives each user one).
 * Margaret Ellis and Maggie Ellis are one person recorded twice, so the duplicates page has something to show.
 */
const DEMO_PEOPLE: DemoPerson[] = [
  { fullName: 'Margaret Ellis', emails: ['m.ellis@example.net'], phones: ['07700900461'], postcode: 'RV1 2AB', dateOfBirth: '1948-05-14', contact: ['phone', 'post'],
    consents: [{ purpose: 'contact_about_services', method: 'verbal', daysAgo: 90 }] },
  { fullName: 'Maggie Ellis', phones: ['07700900461'], postcode: 'RV1 2AB', contact: ['text'],
    consents: [{ purpose: 'newsletter', method: 'paper_form', daysAgo: 30 }] },
  { fullName: 'Tomasz Kowalski', preferredName: 'Tom', emails: ['tom.kowalski@example.net'], postcode: 'RV2 4CD', contact: ['email'],
    consents: [{ purpose: 'newsletter', method: 'online_form', daysAgo: 200 }, { purpose: 'photographs', method: 'online_form', daysAgo: 200, withdrawnDaysAgo: 20 }] },
  { fullName: 'Priya Sharma', emails: ['priya.sharma@example.org'], phones: ['01632960123'], postcode: 'RV3 1EF', dateOfBirth: '1985-11-02', contact: ['email', 'phone'],
    consents: [{ purpose: 'share_with_partners', method: 'email', daysAgo: 12 }] },
  { fullName: 'Joseph Adeyemi', preferredName: 'Joe', phones: ['07700900982'], postcode: 'RV1 5GH', contact: ['phone'],
    consents: [{ purpose: 'case_records', method: 'verbal', daysAgo: 5 }] },
];

const WORDING_VERSION = '2026-01';
const daysBefore = (now: Date, days: number) => new Date(now.getTime() - days * 86_400_000);

export async function seedPeople(tx: Queryable, lioId: string, now: Date): Promise<void> {
  const recorder = await tx.selectFrom('users').select('id').where('lio_id', '=', lioId).where('role', '=', 'staff').orderBy('email').executeTakeFirst();
  for (const p of DEMO_PEOPLE) {
    const { id } = await tx.insertInto('people').values({
      lio_id: lioId, full_name: p.fullName, preferred_name: p.preferredName ?? null, emails: p.emails ?? [], phones: p.phones ?? [],
      postcode: p.postcode ?? null, date_of_birth: p.dateOfBirth ?? null, contact_methods: p.contact ?? [], created_at: now, updated_at: now,
    }).returning('id').executeTakeFirstOrThrow();
    for (const c of p.consents ?? []) {
      await tx.insertInto('consents').values({
        lio_id: lioId, person_id: id, purpose: c.purpose, method: c.method, wording_version: WORDING_VERSION, given_at: daysBefore(now, c.daysAgo),
        withdrawn_at: c.withdrawnDaysAgo === undefined ? null : daysBefore(now, c.withdrawnDaysAgo), recorded_by: recorder?.id ?? null, created_at: now,
      }).execute();
    }
  }
}
