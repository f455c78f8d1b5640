import type { Database, Queryable } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import type { SignedInUser } from '../../platform/auth/actor.js';
import { auditActorOf, recordAudit } from '../../platform/audit.js';
import type { FormErrors } from '../../platform/http/forms.js';
import { placeOf, personColumns } from '../register/service.js';
import { volunteerRecordsRepository as repo, type VolunteerWithPerson } from './repository.js';
import { checkParts, profileColumns, type ProfileAnswers, type ProfilePart } from './profile-form.js';

/**
 * What can be changed on a profile once it is held, by the volunteer or by a coordinator for them. The e-mail address
 * is the volunteer's sign-in and the date of birth decided their registration (a guardian's consent, the minimum age),
 * so neither is changed here.
 */
export const OWN_PARTS: readonly ProfilePart[] = ['contact', 'postcode', 'travel', 'ways', 'skills', 'interests', 'causes', 'languages', 'availability', 'accessNeeds', 'emergencyReserve'];

/**
 * Checks and saves those parts for the volunteer `find` gives (undefined when there is none), with a history entry and
 * an audit entry saying who changed it. `who` words the errors for the person filling in the form.
 */
export async function changeProfile(deps: { db: Database; clock: Clock; config: Config }, actor: SignedInUser, answers: ProfileAnswers, who: 'you' | 'they',
  find: (tx: Queryable) => Promise<VolunteerWithPerson | undefined>): Promise<{ errors: FormErrors } | { saved: true } | undefined> {
  const now = deps.clock.now();
  const { errors } = checkParts(answers, OWN_PARTS, { today: now, minimumAge: 0, who });
  const place = errors.list.some((e) => e.href === '#postcode') ? null : await placeOf(deps.db, deps.config, answers.postcode, errors, who);
  if (errors.any || !place) return { errors };
  const bySelf = who === 'you';
  return deps.db.withTenant(actor.lioId, async (tx) => {
    const volunteer = await find(tx);
    if (!volunteer) return undefined;
    const person = personColumns(answers, volunteer.date_of_birth);
    await repo.updatePerson(tx, volunteer.person_id, { ...person, email: volunteer.emails[0] ?? person.email, now });
    await repo.updateProfile(tx, volunteer.id, { ...profileColumns(answers), ...place }, now);
    await repo.insertEvent(tx, {
      lioId: actor.lioId, volunteerId: volunteer.id, kind: 'profile_changed', detail: bySelf ? 'Changed their own profile' : 'Changed their profile for them',
      actorUserId: actor.id, actorLabel: null, at: now,
    });
    await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'volunteer.updated', subjectType: 'volunteer', subjectId: volunteer.id, detail: { by: bySelf ? 'self' : 'staff' } }, now);
    return { saved: true as const };
  });
}
