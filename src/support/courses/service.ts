import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { JobQueue } from '../../platform/jobs.js';
import type { SignedInUser } from '../../platform/auth/actor.js';
import { authorise } from '../../platform/auth/policy.js';
import { auditActorOf, recordAudit } from '../../platform/audit.js';
import { queueEmail } from '../../platform/mail.js';
import { isUuid } from '../../platform/validation/ids.js';
import type { FormErrors } from '../../platform/http/forms.js';
import type { Period } from '../../platform/http/period.js';
import { fillFreedPlaces, type LinkContext } from '../bookings/service.js';
import { whenText } from '../bookings/present.js';
import { coursesRepository as repo, type SessionListKind } from './repository.js';
import { readCourseForm, readRegister, readSessionForm, type CourseFormValues, type SessionFormValues } from './form.js';

type Deps = { db: Database; clock: Clock; jobs: JobQueue };

/** Trainers' work: courses and their sessions, the bookings and waiting list of each, the register, and who was trained. */
export class CoursesService {
  constructor(private readonly deps: Deps) {}

  async courses(actor: SignedInUser | null) {
    authorise(actor, 'training.manage');
    return this.deps.db.withTenant(actor.lioId, (tx) => repo.courses(tx, this.deps.clock.now()));
  }

  async course(actor: SignedInUser | null, id: string) {
    authorise(actor, 'training.manage');
    if (!isUuid(id)) return undefined;
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const course = await repo.course(tx, id);
      return course ? { course, sessions: await repo.sessionsOf(tx, id) } : undefined;
    });
  }

  async addCourse(actor: SignedInUser | null, values: CourseFormValues): Promise<{ errors: FormErrors; id?: string }> {
    authorise(actor, 'training.manage');
    const { errors, course } = readCourseForm(values);
    if (errors.any) return { errors };
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const { id } = await repo.insertCourse(tx, actor.lioId, course, actor.id, now);
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'course.added', subjectType: 'course', subjectId: id }, now);
      return { errors, id };
    });
  }

  async changeCourse(actor: SignedInUser | null, id: string, values: CourseFormValues): Promise<{ errors: FormErrors; found: boolean }> {
    authorise(actor, 'training.manage');
    const { errors, course } = readCourseForm(values);
    if (!isUuid(id)) return { errors, found: false };
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      if (!(await repo.course(tx, id))) return { errors, found: false };
      if (errors.any) return { errors, found: true };
      await repo.updateCourse(tx, id, course, now);
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'course.changed', subjectType: 'course', subjectId: id }, now);
      return { errors, found: true };
    });
  }

  async addSession(actor: SignedInUser | null, courseId: string, values: SessionFormValues): Promise<{ errors: FormErrors; id?: string } | undefined> {
    authorise(actor, 'training.manage');
    if (!isUuid(courseId)) return undefined;
    const now = this.deps.clock.now();
    const { errors, session } = readSessionForm(values, { now, isNew: true, booked: 0 });
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      if (!(await repo.course(tx, courseId))) return undefined;
      if (!session) return { errors };
      const { id } = await repo.insertSession(tx, actor.lioId, courseId, session, now);
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'course_session.added', subjectType: 'course_session', subjectId: id }, now);
      return { errors, id };
    });
  }

  /** The session with its bookings and waiting list; opening it shows attendees' names and needs, so it is audited. */
  async session(actor: SignedInUser | null, id: string) {
    authorise(actor, 'training.manage');
    if (!isUuid(id)) return undefined;
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const session = await repo.session(tx, id);
      if (!session) return undefined;
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'course_session.viewed', subjectType: 'course_session', subjectId: id }, now);
      return { session, bookings: await repo.bookingsOf(tx, id), now };
    });
  }

  /**
   * Changes a session. More places go to the waiting list at once (in this transaction, the session locked); fewer
   * than already booked are refused.
   */
  async changeSession(actor: SignedInUser | null, id: string, values: SessionFormValues, ctx: LinkContext): Promise<{ errors: FormErrors; found: boolean; promoted?: number }> {
    authorise(actor, 'training.manage');
    const now = this.deps.clock.now();
    if (!isUuid(id)) return { errors: readSessionForm(values, { now, isNew: false, booked: 0 }).errors, found: false };
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const locked = await repo.lockSession(tx, id);
      const { errors, session } = readSessionForm(values, { now, isNew: false, booked: Number(locked?.booked ?? 0) });
      if (!locked) return { errors, found: false };
      if (!session) return { errors, found: true };
      await repo.updateSession(tx, id, session, now);
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'course_session.changed', subjectType: 'course_session', subjectId: id }, now);
      const promoted = await fillFreedPlaces(tx, this.deps, actor.lioId, id, ctx);
      return { errors, found: true, promoted: promoted.length };
    });
  }

  /** Cancels a session that has not started, telling everyone booked or waiting. */
  async cancelSession(actor: SignedInUser | null, id: string, ctx: LinkContext): Promise<'cancelled' | 'started' | 'already' | undefined> {
    authorise(actor, 'training.manage');
    if (!isUuid(id)) return undefined;
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const locked = await repo.lockSession(tx, id);
      if (!locked) return undefined;
      if (locked.starts_at <= now) return 'started';
      if (!(await repo.cancelSession(tx, id, now))) return 'already';
      const session = (await repo.session(tx, id))!;
      for (const a of await repo.attendeesToTell(tx, id)) {
        if (!a.emails[0]) continue;
        await queueEmail(tx, this.deps.jobs, actor.lioId, {
          to: a.emails[0], subject: `Cancelled: ${session.title}, ${whenText(session.starts_at, session.ends_at)}`,
          text: `Hello ${a.full_name ?? ''},\n\nWe are sorry: ${session.title} on ${whenText(session.starts_at, session.ends_at)} has been cancelled, so your booking is cancelled too.\n\n`
            + `See other dates at ${ctx.origin}/training/courses/${session.course_id}\n\n${ctx.lioName}\n`,
        }, this.deps.clock);
      }
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'course_session.cancelled', subjectType: 'course_session', subjectId: id }, now);
      return 'cancelled';
    });
  }

  /** Takes the register: each booked place marked attended, did not attend, or left unmarked. Only once the session has started. */
  async takeRegister(actor: SignedInUser | null, id: string, body: unknown): Promise<'saved' | 'early' | undefined> {
    authorise(actor, 'training.manage');
    if (!isUuid(id)) return undefined;
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const session = await repo.session(tx, id);
      if (!session) return undefined;
      if (session.starts_at > now) return 'early';
      const booked = (await repo.bookingsOf(tx, id)).filter((b) => b.status === 'booked');
      const marks = readRegister(body, booked.map((b) => b.id));
      for (const [bookingId, attended] of marks) await repo.markAttendance(tx, id, bookingId, attended, now);
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'course_register.taken', subjectType: 'course_session', subjectId: id,
        detail: { attended: [...marks.values()].filter((m) => m === true).length, absent: [...marks.values()].filter((m) => m === false).length } }, now);
      return 'saved';
    });
  }

  async sessions(actor: SignedInUser | null, kind: SessionListKind) {
    authorise(actor, 'training.manage');
    return this.deps.db.withTenant(actor.lioId, (tx) => repo.sessionsList(tx, kind, this.deps.clock.now()));
  }

  async trained(actor: SignedInUser | null, period: Period) {
    authorise(actor, 'support.figures');
    return this.deps.db.withTenant(actor.lioId, (tx) => repo.trained(tx, period));
  }
}
