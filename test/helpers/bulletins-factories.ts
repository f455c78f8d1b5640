import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Database } from '../../src/platform/db/index.js';
import type { MembershipStatus } from '../../src/platform/db/support-schema.js';

const unique = () => randomBytes(4).toString('hex');
const DAY_MS = 86_400_000;
const day = (offsetDays: number) => new Date(Date.now() + offsetDays * DAY_MS).toISOString().slice(0, 10);

/**
 * Rows bulletins and membership read, made directly in the tables: groups of the register with themes and areas,
 * their contacts (a person who did or did not consent), volunteers with or without consent, funding opportunities,
 * courses with sessions (other features own those tables), membership types and memberships.
 */
export function bulletinsFactories(db: Database) {
  return {
    async group(lio: { id: string }, g: { name?: string; email?: string | null; themes?: string[]; areas?: string[]; status?: 'active' | 'dormant' | 'closed' } = {}) {
      const now = new Date();
      return db.withTenant(lio.id, (tx) => tx.insertInto('organisations').values({
        lio_id: lio.id, name: g.name ?? `Group ${unique()}`, organisation_type: 'registered_charity', email: g.email === undefined ? `office-${unique()}@group.example` : g.email,
        themes: g.themes ?? [], areas_served: g.areas ?? [], status: g.status ?? 'active', description: 'A local group.', created_at: now, updated_at: now,
      }).returning(['id', 'name', 'email']).executeTakeFirstOrThrow());
    },

    /** A contact listed for an organisation; `consent` gives the person behind the address a consent to that purpose. */
    async contact(lio: { id: string }, c: { organisationId: string; email?: string; consent?: 'bulletins' | 'newsletter' | 'photographs' | null; withdrawn?: boolean }) {
      const email = c.email ?? `contact-${unique()}@example.net`;
      return db.withTenant(lio.id, async (tx) => {
        await tx.insertInto('contacts').values({ lio_id: lio.id, organisation_id: c.organisationId, name: `Contact ${unique()}`, email }).execute();
        const person = await tx.insertInto('people').values({ lio_id: lio.id, full_name: `Person ${unique()}`, emails: [email.toLowerCase()], contact_methods: ['email'] })
          .returning('id').executeTakeFirstOrThrow();
        if (c.consent) {
          await sql`insert into consents (lio_id, person_id, purpose, given_at, method, wording_version, withdrawn_at)
            values (${lio.id}, ${person.id}, ${c.consent}, now() - interval '10 days', 'online_form', 'v1', ${c.withdrawn ? sql`now()` : null})`.execute(tx);
        }
        return { email, personId: person.id };
      });
    },

    /** A volunteer (a person) who did or did not consent to be contacted about volunteering. */
    async volunteer(lio: { id: string }, v: { email?: string; consent?: boolean; status?: 'new' | 'active' | 'placed' | 'inactive' } = {}) {
      const email = v.email ?? `volunteer-${unique()}@example.net`;
      return db.withTenant(lio.id, async (tx) => {
        const person = await tx.insertInto('people').values({ lio_id: lio.id, full_name: `Volunteer ${unique()}`, emails: [email], contact_methods: ['email'] })
          .returning('id').executeTakeFirstOrThrow();
        await tx.insertInto('volunteers').values({ lio_id: lio.id, person_id: person.id, status: v.status ?? 'active', registered_via: 'online' }).execute();
        if (v.consent ?? true) {
          await tx.insertInto('consents').values({ lio_id: lio.id, person_id: person.id, purpose: 'contact_about_volunteering', given_at: new Date(), method: 'online_form', wording_version: 'v1' }).execute();
        }
        return { email, personId: person.id };
      });
    },

    async funding(lio: { id: string }, f: { funder?: string; programme?: string; deadline?: string | null; status?: 'draft' | 'published' | 'withdrawn'; url?: string | null } = {}) {
      return db.withTenant(lio.id, (tx) => tx.insertInto('funding_opportunities').values({
        lio_id: lio.id, funder_name: f.funder ?? 'Riverside Community Foundation', programme: f.programme ?? `Small Grants ${unique()}`,
        summary: 'Grants for community projects that reduce isolation.', amount_min: 500, amount_max: 5000,
        deadline: f.deadline === undefined ? day(30) : f.deadline, status: f.status ?? 'published', url: f.url === undefined ? 'https://funder.example/small-grants' : f.url,
      }).returning(['id', 'programme', 'funder_name']).executeTakeFirstOrThrow());
    },

    /** A published course with one session `inDays` from now. */
    async courseSession(lio: { id: string }, c: { title?: string; inDays?: number; status?: 'scheduled' | 'cancelled' } = {}) {
      return db.withTenant(lio.id, async (tx) => {
        const course = await tx.insertInto('courses').values({
          lio_id: lio.id, title: c.title ?? `Course ${unique()}`, summary: 'A practical morning for trustees.', description: 'What trustees are responsible for.',
        }).returning(['id', 'title']).executeTakeFirstOrThrow();
        const startsAt = new Date(Date.now() + (c.inDays ?? 14) * DAY_MS);
        const session = await tx.insertInto('course_sessions').values({
          lio_id: lio.id, course_id: course.id, starts_at: startsAt, ends_at: new Date(startsAt.getTime() + 3 * 3_600_000), venue: 'Riverside Community Hub',
          capacity: 20, status: c.status ?? 'scheduled',
        }).returning('id').executeTakeFirstOrThrow();
        return { courseId: course.id, sessionId: session.id, title: course.title };
      });
    },

    async membershipType(lio: { id: string }, t: { name?: string; flag?: 'member' | 'associate'; feePence?: number; termMonths?: number } = {}) {
      return db.withTenant(lio.id, (tx) => tx.insertInto('membership_types').values({
        lio_id: lio.id, name: t.name ?? `Full member ${unique()}`, register_flag: t.flag ?? 'member', annual_fee_pence: t.feePence ?? 2500, term_months: t.termMonths ?? 12,
      }).returningAll().executeTakeFirstOrThrow());
    },

    /** A membership renewing `renewsInDays` from today. */
    async membership(lio: { id: string }, m: { organisationId: string; typeId: string; status?: MembershipStatus; renewsInDays?: number; appliedBy?: string | null; lastReminderAt?: Date | null }) {
      return db.withTenant(lio.id, (tx) => tx.insertInto('memberships').values({
        lio_id: lio.id, organisation_id: m.organisationId, membership_type_id: m.typeId, status: m.status ?? 'active', joined_on: day(-300),
        renews_on: day(m.renewsInDays ?? 65), applied_by_user_id: m.appliedBy ?? null, last_reminder_at: m.lastReminderAt ?? null,
      }).returningAll().executeTakeFirstOrThrow());
    },
  };
}
export type BulletinsFactories = ReturnType<typeof bulletinsFactories>;
