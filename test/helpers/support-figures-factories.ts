import { randomBytes } from 'node:crypto';
import type { Database } from '../../src/platform/db/index.js';
import type { CaseStatus, FundingApplicationStatus, OutcomeKind, SupportTopic } from '../../src/platform/db/support-schema.js';

const unique = () => randomBytes(4).toString('hex');
type Lio = { id: string };

/**
 * The rows the support figures count, made directly in the tables (other features' forms make them in the app):
 * cases, notes, outcomes, applications supported, training sessions and attendance, bulletins sent, and spend.
 */
export function supportFiguresFactories(db: Database) {
  let references = 0;
  return {
    async supportCase(lio: Lio, c: { organisationId: string; topic?: SupportTopic; openedOn: string; closedOn?: string | null; title?: string }) {
      const status: CaseStatus = c.closedOn ? 'closed' : 'open';
      return db.withTenant(lio.id, (tx) => tx.insertInto('support_cases').values({
        lio_id: lio.id, reference: `SC-${unique()}-${++references}`.slice(0, 20), organisation_id: c.organisationId, topic: c.topic ?? 'funding',
        title: c.title ?? 'Help with a bid', request: 'We need help with our first funding bid.', asked_via: 'phone', status,
        opened_on: c.openedOn, closed_on: c.closedOn ?? null,
      }).returning(['id', 'reference']).executeTakeFirstOrThrow());
    },

    async note(lio: Lio, n: { caseId: string; workedOn: string; minutes: number }) {
      return db.withTenant(lio.id, (tx) => tx.insertInto('support_case_notes').values({
        lio_id: lio.id, case_id: n.caseId, body: 'Went through the bid with the treasurer.', minutes_spent: n.minutes, worked_on: n.workedOn,
      }).returning('id').executeTakeFirstOrThrow());
    },

    async outcome(lio: Lio, o: { caseId: string; kind: OutcomeKind; achievedOn: string }) {
      return db.withTenant(lio.id, (tx) => tx.insertInto('support_outcomes').values({ lio_id: lio.id, case_id: o.caseId, kind: o.kind, achieved_on: o.achievedOn })
        .returning('id').executeTakeFirstOrThrow());
    },

    /** An application the LIO supported; `awarded` (as numeric text, '12500.00') makes it awarded on `decisionOn`. */
    async application(lio: Lio, a: { organisationId: string; caseId?: string | null; funder?: string; programme?: string | null; requested?: string;
      status?: FundingApplicationStatus; submittedOn?: string | null; decisionOn?: string | null; awarded?: string | null }) {
      const status = a.status ?? (a.awarded ? 'awarded' : 'submitted');
      return db.withTenant(lio.id, (tx) => tx.insertInto('funding_applications').values({
        lio_id: lio.id, organisation_id: a.organisationId, case_id: a.caseId ?? null, funder_name: a.funder ?? 'National Lottery Community Fund',
        programme: a.programme ?? null, amount_requested: a.requested ?? a.awarded ?? '5000.00', status, submitted_on: a.submittedOn ?? null,
        decision_on: a.decisionOn ?? null, amount_awarded: status === 'awarded' ? (a.awarded ?? '0') : null,
      }).returning('id').executeTakeFirstOrThrow());
    },

    /** A session of a new course starting at `startsAt`, with a booking for each person (attended unless said otherwise). */
    async trainingSession(lio: Lio, s: { startsAt: Date; attendees: { personId: string; organisationId?: string | null; attended?: boolean | null }[] }) {
      return db.withTenant(lio.id, async (tx) => {
        const course = await tx.insertInto('courses').values({ lio_id: lio.id, title: `Course ${unique()}`, summary: 'Trustee basics.', description: 'What trustees do.' })
          .returning('id').executeTakeFirstOrThrow();
        const session = await tx.insertInto('course_sessions').values({
          lio_id: lio.id, course_id: course.id, starts_at: s.startsAt, ends_at: new Date(s.startsAt.getTime() + 2 * 3_600_000), venue: 'Riverside Hub', capacity: 20,
        }).returning('id').executeTakeFirstOrThrow();
        for (const a of s.attendees) {
          await tx.insertInto('course_bookings').values({
            lio_id: lio.id, session_id: session.id, person_id: a.personId, organisation_id: a.organisationId ?? null, status: 'booked', attended: a.attended === undefined ? true : a.attended,
          }).execute();
        }
        return session;
      });
    },

    /** A bulletin sent at `sentAt` to these addresses; the first `opened` of them opened it. */
    async bulletinSent(lio: Lio, b: { sentAt: Date; emails: string[]; opened?: number }) {
      return db.withTenant(lio.id, async (tx) => {
        const bulletin = await tx.insertInto('bulletins').values({
          lio_id: lio.id, subject: `News ${unique()}`, introduction: 'This month in the sector.', segment: 'all_groups', status: 'sent', recipients_count: b.emails.length, sent_at: b.sentAt,
        }).returning('id').executeTakeFirstOrThrow();
        for (const [i, email] of b.emails.entries()) {
          await tx.insertInto('bulletin_recipients').values({
            lio_id: lio.id, bulletin_id: bulletin.id, email, status: 'sent', unsubscribe_token_hash: unique() + unique(), sent_at: b.sentAt,
            opened_at: i < (b.opened ?? 0) ? new Date(b.sentAt.getTime() + 3_600_000) : null,
          }).execute();
        }
        return bulletin;
      });
    },

    async spend(lio: Lio, s: { from: string; to: string; amount: string; description?: string | null; enteredBy?: string | null }) {
      return db.withTenant(lio.id, (tx) => tx.insertInto('support_spend').values({
        lio_id: lio.id, period_start: s.from, period_end: s.to, amount: s.amount, description: s.description ?? null, entered_by_user_id: s.enteredBy ?? null,
      }).returning('id').executeTakeFirstOrThrow());
    },
  };
}
export type SupportFiguresFactories = ReturnType<typeof supportFiguresFactories>;
