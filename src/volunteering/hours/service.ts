import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { SignedInUser } from '../../platform/auth/actor.js';
import { authorise, can } from '../../platform/auth/policy.js';
import { auditActorOf, recordAudit } from '../../platform/audit.js';
import { isUuid } from '../../platform/validation/ids.js';
import { londonDay } from '../../platform/validation/dates.js';
import type { FormErrors } from '../../platform/http/forms.js';
import type { Period } from '../../platform/http/period.js';
import { volunteersRepository } from '../volunteers/repository.js';
import { hoursRepository as repo } from './repository.js';
import { duration, readHours, type HoursValues } from './form.js';

export const ENTRIES_PER_PAGE = 50;

/**
 * Hours volunteers give. A volunteer's own entry counts once the organisation confirms it; an organisation's entry
 * counts at once, since the organisation is the one who would confirm it.
 */
export class HoursService {
  constructor(private readonly deps: { db: Database; clock: Clock }) {}

  today(): string {
    return londonDay(this.deps.clock.now());
  }

  /** The volunteer's own placements and entries; undefined when the signed-in user has no volunteer record. */
  async mine(actor: SignedInUser | null, page: number) {
    authorise(actor, 'volunteering.self');
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const volunteer = await volunteersRepository.ofUser(tx, actor.id);
      if (!volunteer) return undefined;
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'volunteer.viewed', subjectType: 'volunteer', subjectId: volunteer.id, detail: { by: 'self', page: 'hours' } }, this.deps.clock.now());
      return { placements: await repo.placements(tx, { volunteerId: volunteer.id }), entries: await repo.entries(tx, { volunteerId: volunteer.id }, { number: page, size: ENTRIES_PER_PAGE }) };
    });
  }

  /** The volunteer logs their own hours: waiting for the organisation to confirm. */
  async logMine(actor: SignedInUser | null, values: HoursValues): Promise<{ errors: FormErrors; id?: string } | undefined> {
    authorise(actor, 'volunteering.self');
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const volunteer = await volunteersRepository.ofUser(tx, actor.id);
      if (!volunteer) return undefined;
      const { errors, answer } = readHours(values, await repo.placements(tx, { volunteerId: volunteer.id }), now);
      if (!answer) return { errors };
      const id = await repo.insert(tx, actor.lioId, {
        volunteerId: volunteer.id, referralId: answer.placement.id, organisationId: answer.placement.organisation_id, workedOn: answer.workedOn,
        minutes: answer.minutes, description: answer.description, loggedBy: 'volunteer', userId: actor.id, confirmedAt: null,
      }, now);
      await volunteersRepository.addEvent(tx, actor.lioId, volunteer.id, 'hours.logged', `${duration(answer.minutes)} on ${answer.workedOn}`, auditActorOf(actor), now);
      return { errors, id };
    });
  }

  /** The organisation of a group member; null for a coordinator, who sees every organisation's hours. */
  private scope(actor: SignedInUser): string | null {
    return actor.role === 'group_member' ? actor.organisationId : null;
  }

  /** Hours logged for the group member's organisation (every organisation for a coordinator), and its placed volunteers. */
  async ours(actor: SignedInUser | null, page: number) {
    authorise(actor, 'hours.confirm');
    const organisationId = this.scope(actor);
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      // The list names volunteers and what they did: each opening is kept, as a view of their records would be.
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'volunteer_hours.viewed', subjectType: 'volunteer_hours', detail: { organisationId } }, this.deps.clock.now());
      return { placements: await repo.placements(tx, { organisationId }), entries: await repo.entries(tx, { organisationId }, { number: page, size: ENTRIES_PER_PAGE }) };
    });
  }

  /** The organisation logs hours for a volunteer placed with it: counted at once. */
  async logForVolunteer(actor: SignedInUser | null, values: HoursValues): Promise<{ errors: FormErrors; id?: string }> {
    authorise(actor, 'hours.confirm');
    const now = this.deps.clock.now();
    const organisationId = this.scope(actor);
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const { errors, answer } = readHours(values, await repo.placements(tx, { organisationId }), now);
      if (!answer) return { errors };
      authorise(actor, 'hours.confirm', answer.placement.organisation_id);
      const id = await repo.insert(tx, actor.lioId, {
        volunteerId: answer.placement.volunteer_id, referralId: answer.placement.id, organisationId: answer.placement.organisation_id, workedOn: answer.workedOn,
        minutes: answer.minutes, description: answer.description, loggedBy: 'organisation', userId: actor.id, confirmedAt: now,
      }, now);
      await volunteersRepository.addEvent(tx, actor.lioId, answer.placement.volunteer_id, 'hours.logged', `${duration(answer.minutes)} on ${answer.workedOn}, logged by ${answer.placement.organisation_name ?? 'the organisation'}`, auditActorOf(actor), now);
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'hours.logged', subjectType: 'volunteer', subjectId: answer.placement.volunteer_id, detail: { id } }, now);
      return { errors, id };
    });
  }

  /** Confirms an entry; undefined when there is no such entry or it is another organisation's. */
  async confirm(actor: SignedInUser | null, id: string): Promise<{ confirmed: boolean } | undefined> {
    authorise(actor, 'hours.confirm');
    if (!isUuid(id)) return undefined;
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const entry = await repo.byId(tx, id);
      // Another organisation's entry is answered as not found: its existence is not the group member's business.
      if (!entry || !can(actor, 'hours.confirm', entry.organisation_id ?? undefined) || (actor.role === 'group_member' && !entry.organisation_id)) return undefined;
      const confirmed = await repo.confirm(tx, id, actor.id, now);
      if (confirmed) {
        await volunteersRepository.addEvent(tx, actor.lioId, entry.volunteer_id, 'hours.confirmed', 'Hours confirmed', auditActorOf(actor), now);
        await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'hours.confirmed', subjectType: 'volunteer', subjectId: entry.volunteer_id, detail: { id } }, now);
      }
      return { confirmed };
    });
  }

  /** Totals for the period by volunteer and by organisation, confirmed and waiting apart. */
  async totals(actor: SignedInUser | null, period: Period) {
    authorise(actor, 'volunteering.figures');
    return this.deps.db.withTenant(actor.lioId, async (tx) => ({
      byVolunteer: await repo.totals(tx, period, 'volunteer'), byOrganisation: await repo.totals(tx, period, 'organisation'),
    }));
  }

  /** The totals as a spreadsheet; the download names volunteers, so it is audited. */
  async totalsCsv(actor: SignedInUser | null, period: Period): Promise<unknown[][]> {
    const { byVolunteer, byOrganisation } = await this.totals(actor, period);
    await this.deps.db.withTenant(actor!.lioId, (tx) => recordAudit(tx, actor!.lioId, auditActorOf(actor!), { action: 'hours.exported', subjectType: 'volunteer_hours', detail: { from: period.from, to: period.to } }, this.deps.clock.now()));
    const hours = (m: string | number) => (Number(m) / 60).toFixed(2);
    return [
      ...byVolunteer.map((r) => ['Volunteer', r.name ?? '', hours(r.confirmed), hours(r.waiting)]),
      ...byOrganisation.map((r) => ['Organisation', r.name ?? 'No organisation', hours(r.confirmed), hours(r.waiting)]),
    ];
  }
}
