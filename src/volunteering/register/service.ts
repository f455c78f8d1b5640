import type { Database, Queryable } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import type { JobQueue } from '../../platform/jobs.js';
import { queueEmail } from '../../platform/mail.js';
import { recordAudit } from '../../platform/audit.js';
import { FormErrors } from '../../platform/http/forms.js';
import { geocodePostcode } from '../../platform/geography/geocode.js';
import { normalisePostcode } from '../../platform/validation/postcodes.js';
import { normaliseUkPhone } from '../../platform/validation/phones.js';
import { PASSWORD_MAX, PASSWORD_MIN, hashPassword, hashSecret, newSecret } from '../../platform/auth/secrets.js';
import { volunteerRecordsRepository as repo, type ProfileColumns } from '../volunteers/repository.js';
import { SIGNUP_LINK_DAYS, signupsRepository as signups } from './repository.js';
import { ADULT_AGE, EMPTY_ANSWERS, ageOn, checkParts, partsNeeded, profileColumns, type ProfileAnswers, type ProfilePart, type ProfileRules } from '../volunteers/profile-form.js';

/** The registration's pages, in order; the guardian's page only for someone under 18. */
export const REGISTRATION_PARTS: readonly ProfilePart[] = ['contact', 'dateOfBirth', 'guardian', 'postcode', 'travel', 'ways', 'skills', 'interests', 'causes',
  'languages', 'availability', 'accessNeeds', 'emergencyReserve', 'consent'];

export type Registered = { errors: FormErrors; firstWrong: ProfilePart } | { held: true };
/** Following the e-mailed link: confirmed (and made a volunteer), already a volunteer, or a link that does not work. */
export type Confirmed = { state: 'confirmed'; name: string; email: string; hasAccount: boolean } | { state: 'already'; email: string } | null;

/** What a held registration keeps until its link is followed: the answers, and what was worked out from them when sent. */
interface HeldRegistration { answers: ProfileAnswers; dateOfBirth: string | null; place: { latitude: number; longitude: number }; minor: boolean }

/** Where a postcode is, or the words that say why it cannot be used. */
export async function placeOf(db: Database, config: Config, postcode: string, errors: FormErrors, who: 'you' | 'they'): Promise<{ latitude: number; longitude: number } | null> {
  const found = await geocodePostcode(db, postcode, { apiUrl: config.postcodesApiUrl });
  if (found.status === 'found') return { latitude: found.latitude, longitude: found.longitude };
  const shown = normalisePostcode(postcode) ?? postcode.toUpperCase();
  errors.add('postcode', found.status === 'malformed' ? 'Enter a real UK postcode, like LS1 1UR'
    : `We could not find the postcode ${shown}. Check it is ${who === 'you' ? 'your' : 'their'} postcode and try again`);
  return null;
}

export function personColumns(a: ProfileAnswers, dateOfBirth: string | null) {
  const phone = a.phone ? normaliseUkPhone(a.phone) : null;
  return { fullName: a.fullName, email: a.email.toLowerCase(), phone, postcode: normalisePostcode(a.postcode)!, dateOfBirth };
}

/**
 * A person registers as a volunteer from the front door. Decision: what they send is held (volunteer_signups) until they
 * follow the link e-mailed to them; only then is it matched against the people held by e-mail and made into their
 * volunteer record, so no one can write to another's record by typing their address, and the form's answer is the same
 * whether or not the address is known (someone already a volunteer learns it from the link). The link then offers an
 * account. The form's one-time key makes a double submit one sign-up and one e-mail.
 */
export class RegistrationService {
  constructor(private readonly deps: { db: Database; clock: Clock; config: Config; jobs: JobQueue }) {}

  async rules(lioId: string): Promise<ProfileRules> {
    const minimumAge = await this.deps.db.withTenant(lioId, (tx) => repo.minimumAge(tx));
    return { today: this.deps.clock.now(), minimumAge, who: 'you' };
  }

  /** Checks one page's answers (a postcode is looked up too). */
  async checkPart(lioId: string, answers: ProfileAnswers, part: ProfilePart): Promise<FormErrors> {
    const { errors } = checkParts(answers, [part], await this.rules(lioId));
    if (part === 'postcode' && !errors.any) await placeOf(this.deps.db, this.deps.config, answers.postcode, errors, 'you');
    return errors;
  }

  /** The pages this person answers, in order. */
  async partsFor(lioId: string, answers: ProfileAnswers): Promise<ProfilePart[]> {
    return partsNeeded(answers, await this.rules(lioId), REGISTRATION_PARTS);
  }

  isMinor(answers: ProfileAnswers, dateOfBirth: string | null): boolean {
    return dateOfBirth !== null && ageOn(dateOfBirth, this.deps.clock.now()) < ADULT_AGE && answers.guardianName !== '';
  }

  async register(lioId: string, answers: ProfileAnswers, signupKey: string, origin: string, lioName: string): Promise<Registered> {
    const rules = await this.rules(lioId);
    const parts = partsNeeded(answers, rules, REGISTRATION_PARTS);
    for (const part of parts) {
      const errors = await this.checkPart(lioId, answers, part);
      if (errors.any) return { errors, firstWrong: part };
    }
    const { dateOfBirth } = checkParts(answers, ['dateOfBirth'], rules);
    const place = (await placeOf(this.deps.db, this.deps.config, answers.postcode, new FormErrors(), 'you'))!;
    const now = this.deps.clock.now();
    const token = newSecret();
    const email = answers.email.toLowerCase();
    const held: HeldRegistration = { answers, dateOfBirth, place, minor: parts.includes('guardian') };
    await this.deps.db.withTenant(lioId, async (tx) => {
      // The same work whoever the address belongs to: nothing here looks at the people held. A form whose link was
      // followed already (sent again from the browser's history) is not held again, nor e-mailed: only its own key is
      // looked up.
      if (await repo.signupKeyFollowed(tx, signupKey)) return;
      if (!await signups.hold(tx, { lioId, via: 'online', signupKey, email, tokenHash: hashSecret(token), answers: held, now })) return;
      await queueEmail(tx, this.deps.jobs, lioId, {
        to: email,
        subject: `Confirm your email address to volunteer with ${lioName}`,
        text: `Hello ${answers.fullName},\n\nThank you for registering to volunteer with ${lioName}. Please confirm this is your email address by following this link within ${SIGNUP_LINK_DAYS} days:\n\n${origin}/volunteer/register/confirm/${token}\n\nOnce you have confirmed, we add you to our volunteers and you can set a password to see and change your volunteer profile.\n\nIf you did not register, you can ignore this email: we will delete what was sent.\n`,
      }, this.deps.clock);
    });
    return { held: true };
  }

  /** The person (found by e-mail or made), their volunteer record, consents and the first history entry; shared with staff registration. */
  async makeVolunteer(tx: Queryable, lioId: string, answers: ProfileAnswers, dateOfBirth: string | null, columns: ProfileColumns, how: {
    registeredVia: 'online' | 'staff'; signupKey: string | null; tokenHash: string | null; confirmedAt: Date | null; minor: boolean;
    consentMethod: 'online_form' | 'verbal'; actor: { userId: string | null; label: string } | null; now: Date;
  }): Promise<{ duplicate: true; volunteerId: string } | { duplicate: false; volunteerId: string | undefined }> {
    const person = personColumns(answers, dateOfBirth);
    const { now } = how;
    const held = await repo.personByEmail(tx, person.email);
    const already = held ? await repo.volunteerIdOfPerson(tx, held.id) : undefined;
    if (already) {
      // A retry of this very form after its first send made the person a volunteer is not a duplicate.
      const again = how.signupKey ? await repo.bySignupKey(tx, how.signupKey) : undefined;
      return again ? { duplicate: false, volunteerId: again.id } : { duplicate: true, volunteerId: already.id };
    }
    const personId = held
      ? (await repo.fillPerson(tx, held.id, { phone: person.phone, postcode: person.postcode, dateOfBirth, now }), held.id)
      : (await repo.insertPerson(tx, { lioId, fullName: person.fullName, email: person.email, phones: person.phone ? [person.phone] : [], postcode: person.postcode,
        dateOfBirth, contactMethods: person.phone ? ['email', 'phone'] : ['email'], now })).id;
    const inserted = await repo.insertVolunteer(tx, {
      lio_id: lioId, person_id: personId, registered_via: how.registeredVia, signup_key: how.signupKey, confirm_token_hash: how.tokenHash,
      email_confirmed_at: how.confirmedAt, guardian_name: how.minor ? answers.guardianName : null, guardian_contact: how.minor ? answers.guardianContact : null,
      guardian_consent_at: how.minor ? now : null, ...columns, now,
    });
    if (!inserted) return { duplicate: false, volunteerId: undefined };
    await repo.insertConsents(tx, [
      { lioId, personId, purpose: 'volunteer_record', method: how.consentMethod, recordedBy: how.actor?.userId ?? null, now },
      ...(answers.consentContact === 'yes' ? [{ lioId, personId, purpose: 'contact_about_volunteering' as const, method: how.consentMethod, recordedBy: how.actor?.userId ?? null, now }] : []),
    ]);
    await repo.insertEvent(tx, {
      lioId, volunteerId: inserted.id, kind: 'registered',
      detail: how.registeredVia === 'online' ? 'Registered online' : 'Registered by phone; consent given verbally',
      actorUserId: how.actor?.userId ?? null, actorLabel: how.actor ? null : 'The volunteer', at: now,
    });
    return { duplicate: false, volunteerId: inserted.id };
  }

  /**
   * Follows the e-mailed link. The first time, the held registration is matched by its now confirmed address: a person
   * already a volunteer is told so; otherwise the person (found by e-mail, or made) becomes a volunteer, confirmed.
   * Afterwards, until a password is set, the link shows the confirmation again. Null for a link that is not one.
   */
  async confirm(lioId: string, token: string): Promise<Confirmed> {
    if (!token || token.length > 100) return null;
    const now = this.deps.clock.now();
    const tokenHash = hashSecret(token);
    return this.deps.db.withTenant(lioId, async (tx): Promise<Confirmed> => {
      const waiting = await signups.byToken(tx, tokenHash, 'online', now);
      if (waiting) {
        await signups.serialise(tx, lioId, waiting.email);
        // Removed already: the same link followed twice at once, and the other request made the volunteer meanwhile.
        if (await signups.remove(tx, waiting.id)) {
          const made = await this.fromHeld(tx, lioId, waiting.answers as HeldRegistration, waiting.signup_key, tokenHash, now);
          if (made.duplicate) return { state: 'already', email: waiting.email };
        }
      }
      const volunteer = await repo.byConfirmToken(tx, tokenHash);
      if (!volunteer) return null;
      const email = volunteer.emails[0] ?? '';
      return { state: 'confirmed', name: volunteer.full_name ?? '', email, hasAccount: Boolean(await repo.userByEmail(tx, email)) };
    });
  }

  private async fromHeld(tx: Queryable, lioId: string, held: HeldRegistration, signupKey: string, tokenHash: string, now: Date) {
    const answers = { ...EMPTY_ANSWERS, ...held.answers };
    const made = await this.makeVolunteer(tx, lioId, answers, held.dateOfBirth, { ...profileColumns(answers), ...held.place }, {
      registeredVia: 'online', signupKey, tokenHash, confirmedAt: now, minor: held.minor, consentMethod: 'online_form', actor: null, now,
    });
    if (made.duplicate) {
      // Kept with the form's key, so that the form sent again is not held again (see `register`).
      await repo.insertEvent(tx, { lioId, volunteerId: made.volunteerId, kind: 'registered_again', detail: 'Registered online again, already a volunteer',
        actorUserId: null, actorLabel: 'The volunteer', at: now, signupKey });
      return { duplicate: true as const };
    }
    if (!made.volunteerId) return { duplicate: true as const };
    await repo.insertEvent(tx, { lioId, volunteerId: made.volunteerId, kind: 'email_confirmed', detail: 'Confirmed their email address', actorUserId: null, actorLabel: 'The volunteer', at: now });
    await recordAudit(tx, lioId, { userId: null, label: 'the volunteer, online' }, { action: 'volunteer.registered', subjectType: 'volunteer', subjectId: made.volunteerId, detail: { via: 'online' } }, now);
    return { duplicate: false as const, volunteerId: made.volunteerId };
  }

  /** An account (role volunteer) for the confirmed volunteer, on the same person record; the link is spent. */
  async setPassword(lioId: string, token: string, password: string, confirm: string): Promise<{ errors: FormErrors } | { userId: string } | null> {
    const errors = new FormErrors();
    if (password.length < PASSWORD_MIN) errors.add('password', `Enter a password of at least ${PASSWORD_MIN} characters`);
    else if (password.length > PASSWORD_MAX) errors.add('password', `The password must be ${PASSWORD_MAX} characters or fewer`);
    else if (password !== confirm) errors.add('confirm', 'The passwords do not match');
    if (!token || token.length > 100) return null;
    const hash = errors.any ? '' : await hashPassword(password, this.deps.config.passwordHashing);
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(lioId, async (tx) => {
      const volunteer = await repo.byConfirmToken(tx, hashSecret(token));
      if (!volunteer || !volunteer.email_confirmed_at) return null;
      if (errors.any) return { errors };
      const email = volunteer.emails[0]!;
      if (await repo.userByEmail(tx, email)) return null;
      const user = await repo.insertVolunteerUser(tx, { lioId, email, displayName: volunteer.full_name ?? email, passwordHash: hash, personId: volunteer.person_id, now });
      await repo.spendConfirmToken(tx, volunteer.id);
      await repo.insertEvent(tx, { lioId, volunteerId: volunteer.id, kind: 'account_made', detail: 'Set a password to sign in', actorUserId: user.id, actorLabel: null, at: now });
      await recordAudit(tx, lioId, { userId: user.id, label: email }, { action: 'volunteer.account_made', subjectType: 'user', subjectId: user.id }, now);
      return { userId: user.id };
    });
  }
}
