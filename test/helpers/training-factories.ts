import { randomBytes } from 'node:crypto';
import type { Database } from '../../src/platform/db/index.js';
import { hashSecret, newSecret } from '../../src/platform/auth/secrets.js';
import type { BookingStatus } from '../../src/platform/db/support-schema.js';

const unique = () => randomBytes(4).toString('hex');
const HOUR = 3_600_000;

export interface CourseInput { title?: string; summary?: string; themes?: string[]; certificate?: boolean; status?: 'draft' | 'published' | 'archived'; audience?: string | null }
export interface SessionInput { courseId: string; startsAt?: Date; hours?: number; capacity?: number; venue?: string | null; onlineUrl?: string | null; pricePence?: number; status?: 'scheduled' | 'cancelled' }
export interface BookingInput {
  sessionId: string; personId?: string; fullName?: string; email?: string; organisationId?: string | null; status?: BookingStatus; attended?: boolean | null;
  waitingSince?: Date; accessNeeds?: string | null;
}

function weekAheadAtTen(): Date {
  const day = new Date(Date.now() + 7 * 24 * HOUR);
  day.setUTCHours(10, 0, 0, 0);
  return day;
}

/** Courses, sessions, people and their bookings, made directly in the tables. A booking comes back with its link's token. */
export function trainingFactories(db: Database) {
  return {
    course(lio: { id: string }, c: CourseInput = {}) {
      const now = new Date();
      return db.withTenant(lio.id, (tx) => tx.insertInto('courses').values({
        lio_id: lio.id, title: c.title ?? `Course ${unique()}`, summary: c.summary ?? 'A short course for local groups.', description: 'What the course covers.',
        audience: c.audience ?? null, themes: c.themes ?? [], certificate: c.certificate ?? false, status: c.status ?? 'published', created_at: now, updated_at: now,
      }).returningAll().executeTakeFirstOrThrow());
    },

    session(lio: { id: string }, s: SessionInput) {
      // A week ahead at 10:00 UTC (10:00 or 11:00 in London): within one day wherever the clock stands, as the session
      // form holds it (one date, a start and an end time). At the time of day of the run, a test run late in the
      // evening made a session ending after midnight, which the form cannot show.
      const startsAt = s.startsAt ?? weekAheadAtTen();
      return db.withTenant(lio.id, (tx) => tx.insertInto('course_sessions').values({
        lio_id: lio.id, course_id: s.courseId, starts_at: startsAt, ends_at: new Date(startsAt.getTime() + (s.hours ?? 2) * HOUR),
        venue: s.venue === undefined ? 'Community Centre, 1 High Street' : s.venue, online_url: s.onlineUrl ?? null, capacity: s.capacity ?? 10,
        price_pence: s.pricePence ?? 0, status: s.status ?? 'scheduled', created_at: new Date(), updated_at: new Date(),
      }).returningAll().executeTakeFirstOrThrow());
    },

    person(lio: { id: string }, p: { fullName?: string; email?: string } = {}) {
      return db.withTenant(lio.id, (tx) => tx.insertInto('people').values({
        lio_id: lio.id, full_name: p.fullName ?? `Attendee ${unique()}`, emails: [p.email ?? `attendee-${unique()}@example.net`], contact_methods: ['email'],
        created_at: new Date(), updated_at: new Date(),
      }).returningAll().executeTakeFirstOrThrow());
    },

    async booking(lio: { id: string }, b: BookingInput) {
      const personId = b.personId ?? (await this.person(lio, { fullName: b.fullName, email: b.email })).id;
      const token = newSecret();
      const status = b.status ?? 'booked';
      const row = await db.withTenant(lio.id, (tx) => tx.insertInto('course_bookings').values({
        lio_id: lio.id, session_id: b.sessionId, person_id: personId, organisation_id: b.organisationId ?? null, status,
        waiting_since: status === 'waiting' ? (b.waitingSince ?? new Date()) : null, cancelled_at: status === 'cancelled' ? new Date() : null,
        attended: b.attended ?? null, access_needs: b.accessNeeds ?? null, manage_token_hash: hashSecret(token), created_at: new Date(), updated_at: new Date(),
      }).returningAll().executeTakeFirstOrThrow());
      return { ...row, token };
    },
  };
}
export type TrainingFactories = ReturnType<typeof trainingFactories>;
