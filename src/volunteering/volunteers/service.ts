import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import type { JobQueue } from '../../platform/jobs.js';
import type { SignedInUser } from '../../platform/auth/actor.js';
import { authorise } from '../../platform/auth/policy.js';
import { auditActorOf, recordAudit } from '../../platform/audit.js';
import { FormErrors, checkText } from '../../platform/http/forms.js';
import { isUuid } from '../../platform/validation/ids.js';
import type { VolunteerStatus } from '../../platform/db/volunteering-schema.js';
import { AVAILABILITY_SLOTS, SKILLS, VOLUNTEER_STATUSES } from '../vocabulary.js';
import { RegistrationService, placeOf } from '../register/service.js';
import { volunteersRepository, volunteerRecordsRepository as repo } from './repository.js';
import { checkParts, partsNeeded, profileColumns, type ProfileAnswers, type ProfilePart } from './profile-form.js';
import { changeProfile } from './profile-change.js';

export const PAGE_SIZE = 25;

/** Every part of a profile taken on the phone, on one form. */
export const STAFF_PARTS: readonly ProfilePart[] = ['contact', 'dateOfBirth', 'guardian', 'postcode', 'travel', 'ways', 'skills', 'interests', 'causes', 'languages',
  'availability', 'accessNeeds', 'emergencyReserve', 'consent'];

export interface ListQuery { q: string; status: string; skill: string; slot: string; reserve: boolean; page: number }

/** Volunteer coordinators' work with volunteers' records: find, register by phone, read (audited), status, notes. */
export class VolunteersService {
  constructor(private readonly deps: { db: Database; clock: Clock; config: Config; jobs: JobQueue }) {}

  async list(actor: SignedInUser | null, query: ListQuery) {
    authorise(actor, 'volunteers.read');
    const filter = {
      q: query.q.slice(0, 200),
      status: Object.hasOwn(VOLUNTEER_STATUSES, query.status) ? query.status : '',
      skill: Object.hasOwn(SKILLS, query.skill) ? query.skill : '',
      slot: AVAILABILITY_SLOTS.includes(query.slot) ? query.slot : '',
      reserve: query.reserve, page: query.page, pageSize: PAGE_SIZE,
    };
    return { filter, ...(await this.deps.db.withTenant(actor.lioId, (tx) => repo.list(tx, filter))) };
  }

  /** Registration taken on the phone: consent is recorded as given verbally, and the address as the LIO's records have it. */
  async register(actor: SignedInUser | null, answers: ProfileAnswers): Promise<{ errors: FormErrors } | { id: string }> {
    authorise(actor, 'volunteers.write');
    const now = this.deps.clock.now();
    const minimumAge = await this.deps.db.withTenant(actor.lioId, (tx) => repo.minimumAge(tx));
    const rules = { today: now, minimumAge, who: 'they' as const };
    const parts = partsNeeded(answers, rules, STAFF_PARTS);
    const { errors, dateOfBirth } = checkParts(answers, parts, rules);
    const place = errors.list.some((e) => e.href === '#postcode') ? null : await placeOf(this.deps.db, this.deps.config, answers.postcode, errors, 'they');
    if (errors.any || !place) return { errors };
    const registration = new RegistrationService(this.deps);
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const made = await registration.makeVolunteer(tx, actor.lioId, answers, dateOfBirth, { ...profileColumns(answers), ...place }, {
        registeredVia: 'staff', signupKey: null, tokenHash: null, confirmedAt: now, minor: parts.includes('guardian'), consentMethod: 'verbal',
        actor: auditActorOf(actor), now,
      });
      if (made.duplicate || !made.volunteerId) {
        const duplicate = new FormErrors();
        duplicate.add('email', 'A volunteer with this email address is already registered: search for them instead');
        return { errors: duplicate };
      }
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'volunteer.registered', subjectType: 'volunteer', subjectId: made.volunteerId, detail: { via: 'staff' } }, now);
      return { id: made.volunteerId };
    });
  }

  /** A volunteer's record with their notes and history; every opening is audited as a view of their data. */
  async show(actor: SignedInUser | null, id: string) {
    authorise(actor, 'volunteers.read');
    if (!isUuid(id)) return undefined;
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const volunteer = await volunteersRepository.byId(tx, id);
      if (!volunteer) return undefined;
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'volunteer.viewed', subjectType: 'volunteer', subjectId: id }, now);
      const [notes, events] = await Promise.all([repo.notesOf(tx, id), repo.eventsOf(tx, id)]);
      return { volunteer, notes, events };
    });
  }

  /**
   * A coordinator changes a volunteer's profile for them (a call to say they have moved, or are free on Tuesdays now).
   * The address is not on the form (it is their sign-in): the one held is checked and kept, and given back with the name
   * for a form sent back with mistakes. Reading them here is part of the change, audited as it: the form's page recorded
   * the view, and a save counted as a second would tell whoever reads the audit log of a look that never happened.
   */
  async changeProfile(actor: SignedInUser | null, id: string, answers: ProfileAnswers): Promise<{ errors: FormErrors; name: string; email: string } | { saved: true } | undefined> {
    authorise(actor, 'volunteers.write');
    if (!isUuid(id)) return undefined;
    const held = await this.deps.db.withTenant(actor.lioId, (tx) => volunteersRepository.byId(tx, id));
    if (!held) return undefined;
    const email = held.emails[0] ?? '';
    const result = await changeProfile(this.deps, actor, { ...answers, email }, 'they', (tx) => volunteersRepository.byId(tx, id));
    return result && 'errors' in result ? { ...result, name: held.full_name ?? 'the volunteer', email } : result;
  }

  /** False when there is no such volunteer; a status not in the list is an error. */
  async changeStatus(actor: SignedInUser | null, id: string, status: string): Promise<{ missing: true } | { errors: FormErrors } | { changed: boolean }> {
    authorise(actor, 'volunteers.write');
    if (!isUuid(id)) return { missing: true };
    const errors = new FormErrors();
    if (!Object.hasOwn(VOLUNTEER_STATUSES, status)) errors.add('status', 'Choose a status');
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const volunteer = await volunteersRepository.byId(tx, id);
      if (!volunteer) return { missing: true as const };
      if (errors.any) return { errors };
      const result = await repo.setStatus(tx, id, status as VolunteerStatus, now);
      if (Number(result.numUpdatedRows) === 0) return { changed: false };
      await repo.insertEvent(tx, {
        lioId: actor.lioId, volunteerId: id, kind: 'status_changed',
        detail: `Status changed from ${VOLUNTEER_STATUSES[volunteer.status]} to ${VOLUNTEER_STATUSES[status as VolunteerStatus]}`, actorUserId: actor.id, actorLabel: null, at: now,
      });
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'volunteer.status_changed', subjectType: 'volunteer', subjectId: id, detail: { from: volunteer.status, to: status } }, now);
      return { changed: true };
    });
  }

  async addNote(actor: SignedInUser | null, id: string, body: string): Promise<{ missing: true } | { errors: FormErrors } | { added: true }> {
    authorise(actor, 'volunteers.write');
    if (!isUuid(id)) return { missing: true };
    const errors = new FormErrors();
    checkText(errors, 'note', body, 'a note', 5000);
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      if (!(await volunteersRepository.byId(tx, id))) return { missing: true as const };
      if (errors.any) return { errors };
      await repo.insertNote(tx, { lioId: actor.lioId, volunteerId: id, authorUserId: actor.id, body, now });
      await repo.insertEvent(tx, { lioId: actor.lioId, volunteerId: id, kind: 'note_added', detail: 'Added a note', actorUserId: actor.id, actorLabel: null, at: now });
      return { added: true as const };
    });
  }
}
