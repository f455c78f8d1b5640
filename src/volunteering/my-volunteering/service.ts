import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import type { SignedInUser } from '../../platform/auth/actor.js';
import { authorise } from '../../platform/auth/policy.js';
import { auditActorOf, recordAudit } from '../../platform/audit.js';
import type { FormErrors } from '../../platform/http/forms.js';
import { volunteersRepository, type VolunteerWithPerson } from '../volunteers/repository.js';
import type { ProfileAnswers } from '../volunteers/profile-form.js';
import { OWN_PARTS, changeProfile } from '../volunteers/profile-change.js';

export { OWN_PARTS };

/** The parts of a profile that make it useful for matching, and whether each is filled in. */
export function completeness(v: VolunteerWithPerson): { done: number; of: number; missing: string[] } {
  const checks: [boolean, string][] = [
    [v.phones.length > 0, 'a phone number'], [v.skills.length > 0, 'your skills'], [v.causes.length > 0, 'the causes you care about'],
    [v.availability.length > 0, 'when you are free'], [v.languages.length > 0, 'the languages you speak'], [v.interests.length > 0, 'your interests'],
    [v.travel_km !== null, 'how far you will travel'],
  ];
  return { done: checks.filter(([ok]) => ok).length, of: checks.length, missing: checks.filter(([ok]) => !ok).map(([, what]) => what) };
}

/** A volunteer's own profile. */
export class MyVolunteeringService {
  constructor(private readonly deps: { db: Database; clock: Clock; config: Config }) {}

  /** Their record, or undefined when this account has none yet; each reading is audited as a view of the record. */
  async mine(actor: SignedInUser | null): Promise<VolunteerWithPerson | undefined> {
    authorise(actor, 'volunteering.self');
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const volunteer = await volunteersRepository.ofUser(tx, actor.id);
      if (volunteer) await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'volunteer.viewed', subjectType: 'volunteer', subjectId: volunteer.id, detail: { by: 'self' } }, this.deps.clock.now());
      return volunteer;
    });
  }

  async update(actor: SignedInUser | null, answers: ProfileAnswers): Promise<{ errors: FormErrors } | { saved: true } | undefined> {
    authorise(actor, 'volunteering.self');
    return changeProfile(this.deps, actor, answers, 'you', (tx) => volunteersRepository.ofUser(tx, actor.id));
  }
}
