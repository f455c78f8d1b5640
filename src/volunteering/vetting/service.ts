import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { JobQueue } from '../../platform/jobs.js';
import type { SignedInUser } from '../../platform/auth/actor.js';
import { authorise } from '../../platform/auth/policy.js';
import { auditActorOf, recordAudit } from '../../platform/audit.js';
import { queueEmail } from '../../platform/mail.js';
import { isUuid } from '../../platform/validation/ids.js';
import { londonDay } from '../../platform/validation/dates.js';
import type { FormErrors } from '../../platform/http/forms.js';
import { volunteersRepository } from '../volunteers/repository.js';
import { vettingRepository as repo } from './repository.js';
import { KINDS, readCheck, type CheckValues } from './form.js';

/** Reminders go this many days before a check lapses, each once. */
export const REMINDER_DAYS = [60, 30, 7] as const;
export const LAPSING_WINDOW_DAYS = 60;
const DAY_MS = 86_400_000;
const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
const daysBetween = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
const SYSTEM = { userId: null, label: 'Vetting reminders' };

/** Vetting the LIO does for volunteers (often on behalf of groups), what lapses soon, and the reminders before it does. */
export class VettingService {
  constructor(private readonly deps: { db: Database; clock: Clock; jobs: JobQueue }) {}

  /** A volunteer's vetting record; opening it is audited as a view of the volunteer's record. */
  async page(actor: SignedInUser | null, volunteerId: string) {
    authorise(actor, 'vetting.write');
    if (!isUuid(volunteerId)) return undefined;
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const volunteer = await volunteersRepository.byId(tx, volunteerId);
      if (!volunteer) return undefined;
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'volunteer.viewed', subjectType: 'volunteer', subjectId: volunteerId, detail: { page: 'vetting' } }, this.deps.clock.now());
      return { volunteer, checks: await repo.checksOf(tx, volunteerId), organisations: await repo.organisations(tx) };
    });
  }

  /** Undefined when there is no such volunteer. */
  async add(actor: SignedInUser | null, volunteerId: string, values: CheckValues): Promise<{ errors: FormErrors; id?: string } | undefined> {
    authorise(actor, 'vetting.write');
    if (!isUuid(volunteerId)) return undefined;
    const now = this.deps.clock.now();
    const { errors, check } = readCheck(values, now);
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      if (!await volunteersRepository.byId(tx, volunteerId)) return undefined;
      if (!check) return { errors };
      if (check.forOrganisationId && !await repo.organisationExists(tx, check.forOrganisationId)) {
        errors.add('forOrganisationId', 'Choose the organisation from the list');
        return { errors };
      }
      const id = await repo.insert(tx, actor.lioId, volunteerId, check, actor.id, now);
      await volunteersRepository.addEvent(tx, actor.lioId, volunteerId, 'vetting.recorded', `${KINDS[check.kind]}: ${check.outcome}`, auditActorOf(actor), now);
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'vetting.recorded', subjectType: 'volunteer', subjectId: volunteerId, detail: { kind: check.kind } }, now);
      return { errors, id };
    });
  }

  async lapsing(actor: SignedInUser | null) {
    authorise(actor, 'vetting.write');
    const today = londonDay(this.deps.clock.now());
    return this.deps.db.withTenant(actor.lioId, (tx) => repo.lapsing(tx, today, addDays(today, LAPSING_WINDOW_DAYS)));
  }

  /**
   * The daily run: for every passed check lapsing within 60 days, the reminder now due (60, 30 or 7 days before) is
   * e-mailed to the volunteer once. What was sent is kept on the check, so a restart, a second process or a run
   * repeated the same day sends nothing twice; a check recorded late skips the reminders already past.
   */
  async sendReminders(): Promise<number> {
    const now = this.deps.clock.now();
    const today = londonDay(now);
    const until = addDays(today, LAPSING_WINDOW_DAYS);
    let sent = 0;
    for (const lioId of await repo.allLios(this.deps.db.system)) {
      sent += await this.deps.db.withTenant(lioId, async (tx) => {
        let n = 0;
        for (const check of await repo.lapsing(tx, today, until)) {
          // A date column may come back as a Date at midnight UTC or as its text: the calendar day either way.
          const lapsesOn = new Date(check.expires_on as unknown as string | Date).toISOString().slice(0, 10);
          const left = daysBetween(today, lapsesOn);
          const due = REMINDER_DAYS.filter((d) => left <= d);
          if (due.every((d) => check.reminders_sent.includes(d))) continue;
          if (!await repo.markReminded(tx, check.id, [...due], now)) continue;
          const what = check.kind === 'dbs' ? 'DBS check' : (check.detail ?? KINDS[check.kind]);
          const email = check.emails[0];
          if (email) {
            await queueEmail(tx, this.deps.jobs, lioId, {
              to: email, subject: `Your ${what} lapses in ${left} ${left === 1 ? 'day' : 'days'}`,
              text: `Your ${what} lapses on ${lapsesOn}. Please contact your volunteer coordinator to renew it, so you can carry on volunteering.`,
            }, this.deps.clock);
          }
          await volunteersRepository.addEvent(tx, lioId, check.volunteer_id, 'vetting.reminder', `${what} lapses on ${lapsesOn} (${left} days)`, SYSTEM, now);
          n++;
        }
        return n;
      });
    }
    return sent;
  }
}

/** How many passed checks lapse in the next 60 days (the coordinator's home-page flag). */
export async function countLapsing(tx: Parameters<typeof repo.countLapsing>[0], now: Date): Promise<number> {
  const today = londonDay(now);
  return Number((await repo.countLapsing(tx, today, addDays(today, LAPSING_WINDOW_DAYS))).n);
}
