import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import type { JobQueue } from '../../platform/jobs.js';
import type { SignedInUser } from '../../platform/auth/actor.js';
import { authorise } from '../../platform/auth/policy.js';
import { auditActorOf, recordAudit } from '../../platform/audit.js';
import { queueEmail, queueEmails } from '../../platform/mail.js';
import { GroupCommit } from '../../platform/db/group-commit.js';
import { FormErrors } from '../../platform/http/forms.js';
import { isUuid } from '../../platform/validation/ids.js';
import { compactPostcode } from '../../platform/validation/postcodes.js';
import { geocodePostcode, lookupPostcode } from '../../platform/geography/geocode.js';
import { surgeRepository as repo, type Cohort, type SurgeSignupRow } from './repository.js';
import { SIGNUP_LINK_DAYS, signupsRepository as signups } from '../register/repository.js';
import { hashSecret, newSecret } from '../../platform/auth/secrets.js';
import { volunteerRecordsRepository, volunteersRepository } from '../volunteers/repository.js';
import { readAssign, readMessage, readSignup, readSwitch, type AssignValues, type MessageValues, type SignupValues, type SwitchValues } from './form.js';

/** What the public surge form's answer is: taken (held until the e-mailed link is followed), refused for its mistakes, or surge mode is off. */
export type SignupOutcome =
  | { kind: 'taken'; email: string }
  | { kind: 'invalid'; errors: FormErrors; signupKey: string }
  | { kind: 'closed' };

/** Following the surge e-mail's link: signed up (new, or added to the person held), or a link that does not work. */
export type SurgeConfirmed = { known: boolean } | null;

const SYSTEM = { userId: null, label: 'The surge sign-up form' };

/** A valid surge form waiting for its batch. */
interface SurgeForm { signup: SurgeSignupRow; signupKey: string; origin: string; lioName: string }
/**
 * How sign-ups are batched. PGlite is one connection, so one batch at a time; PostgreSQL overlaps a few, so that one
 * batch's commit (its flush to disk) is not all the next waits for, while leaving most of the pool to other pages.
 */
const SIGNUP_BATCHES = { pglite: { maxBatch: 500, concurrency: 1 }, postgres: { maxBatch: 500, concurrency: 3 } } as const;
export const QUEUE_PAGE = 200;
/** The look-up, off the sign-up's path, of a surge volunteer's postcode the local table did not know. */
export const SURGE_PLACE_JOB = 'volunteering.surge_place';

/** Emergency surge mode: the switch, the public sign-up, rapid vetting, bulk assignment and messages to cohorts. */
export class SurgeService {
  /** One group commit a LIO: a transaction belongs to one LIO. */
  private readonly signupBatches = new Map<string, GroupCommit<SurgeForm, boolean>>();

  constructor(private readonly deps: { db: Database; clock: Clock; config: Config; jobs: JobQueue }) {}

  /** Whether the LIO is in surge mode and what its front door says (public: no personal data). */
  async publicState(lioId: string): Promise<{ on: boolean; message: string | null }> {
    const row = await this.deps.db.withTenant(lioId, (tx) => repo.settings(tx, lioId));
    return { on: Boolean(row?.surge_started_at), message: row?.surge_message ?? null };
  }

  async state(actor: SignedInUser | null) {
    authorise(actor, 'surge.switch');
    const row = await this.deps.db.withTenant(actor.lioId, (tx) => repo.settings(tx, actor.lioId));
    return { on: Boolean(row?.surge_started_at), startedAt: row?.surge_started_at ?? null, message: row?.surge_message ?? '' };
  }

  async switch(actor: SignedInUser | null, values: SwitchValues): Promise<{ errors: FormErrors; on: boolean }> {
    authorise(actor, 'surge.switch');
    const { errors, on, message } = readSwitch(values);
    if (errors.any) return { errors, on };
    const now = this.deps.clock.now();
    await this.deps.db.withTenant(actor.lioId, async (tx) => {
      const was = await repo.settings(tx, actor.lioId);
      // Changing only the message keeps the time surge mode began.
      await repo.saveSurge(tx, actor.lioId, on ? (was?.surge_started_at ?? now) : null, message, now);
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: on ? 'surge.switched_on' : 'surge.switched_off' }, now);
    });
    return { errors, on };
  }

  /**
   * The public surge form. The sign-up is held (volunteer_signups) and the answer given only after the transaction has
   * committed, so a sign-up the person was told about is never lost; the same form sent twice (its key) is held once.
   * Sign-ups arriving together share one transaction (group commit, see signupBatch): in a surge the commits, not the
   * work, are what each request would otherwise wait for.
   * Nothing here looks at the people held, so the answer, and its time, are the same whether or not they are known.
   */
  async signUp(lioId: string, values: SignupValues, origin: string, lioName: string): Promise<SignupOutcome> {
    const { errors, signup, signupKey } = readSignup(values);
    if (!signup) {
      if (!await this.deps.db.withTenant(lioId, (tx) => repo.isOn(tx, lioId))) return { kind: 'closed' };
      return { kind: 'invalid', errors, signupKey };
    }
    let batch = this.signupBatches.get(lioId);
    if (!batch) {
      batch = new GroupCommit((forms) => this.holdSignups(lioId, forms), SIGNUP_BATCHES[this.deps.db.engine]);
      this.signupBatches.set(lioId, batch);
    }
    const held = await batch.submit({ signup, signupKey, origin, lioName });
    return held ? { kind: 'taken', email: signup.email } : { kind: 'closed' };
  }

  /** One transaction for a batch of valid surge forms: false for each if surge mode is off. */
  private holdSignups(lioId: string, forms: SurgeForm[]): Promise<boolean[]> {
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(lioId, async (tx) => {
      // A form sent again after its link was followed is already a volunteer: nothing more to hold or send.
      const { on, volunteers } = await repo.batchState(tx, lioId, [...new Set(forms.map((f) => f.signupKey))]);
      if (!on) return forms.map(() => false);
      const fresh = [...new Map(forms.filter((f) => !volunteers.has(f.signupKey)).map((f) => [f.signupKey, { ...f, token: newSecret() }])).values()];
      const held = new Set(await signups.holdMany(tx, fresh.map((f) => ({
        lioId, via: 'surge' as const, signupKey: f.signupKey, email: f.signup.email, tokenHash: hashSecret(f.token), answers: f.signup, now,
      }))));
      await queueEmails(tx, this.deps.jobs, lioId, fresh.filter((f) => held.has(f.signupKey)).map((f) => ({
        to: f.signup.email,
        subject: `Confirm your email address to volunteer with ${f.lioName}`,
        text: `Hello ${f.signup.fullName},\n\nThank you for offering to help ${f.lioName} in the emergency. Please confirm this is your email address by following this link within ${SIGNUP_LINK_DAYS} days:\n\n${f.origin}/volunteer/surge/confirm/${f.token}\n\nA volunteer coordinator will contact you once you have.\n\nIf you did not sign up, you can ignore this email: we will delete what was sent.\n`,
      })), this.deps.clock);
      return forms.map(() => true);
    });
  }

  /**
   * Follows the surge e-mail's link: the address is the sender's, so the sign-up is matched against the people held by
   * it. A volunteer already held gets the offer in their history and no second record; a person held becomes a volunteer
   * on the same record; anyone else is made. Each waits for rapid vetting.
   */
  async confirm(lioId: string, token: string): Promise<SurgeConfirmed> {
    if (!token || token.length > 100) return null;
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(lioId, async (tx): Promise<SurgeConfirmed> => {
      const waiting = await signups.byToken(tx, hashSecret(token), 'surge', now);
      if (!waiting) return null;
      await signups.serialise(tx, lioId, waiting.email);
      // The link followed twice at once (a double click): the first made the volunteer while this one waited.
      if (!(await signups.remove(tx, waiting.id))) return { known: true };
      const signup = waiting.answers as SurgeSignupRow;
      const person = await repo.personByEmail(tx, signup.email);
      const already = person ? await repo.volunteerOfPerson(tx, person.id) : undefined;
      if (already) {
        // The form's key is kept with the offer: a retry of this form, once its held sign-up is gone, sends no e-mail.
        await volunteersRepository.addEvent(tx, lioId, already.id, 'surge.offered_again', signup.offer, SYSTEM, now, waiting.signup_key);
        return { known: true };
      }
      const personId = person?.id ?? await repo.insertPerson(tx, lioId, signup, now);
      const found = await lookupPostcode(tx, compactPostcode(signup.postcode)!);
      const place = found.status === 'found' ? { latitude: found.latitude, longitude: found.longitude } : null;
      const volunteerId = await repo.insertVolunteer(tx, lioId, personId, signup, waiting.signup_key, place, now);
      // Only the local table is read here: in a surge a postcodes service could be slow, or ration its answers, and every
      // link followed would wait for it. A postcode only the service may know is asked about by a job, which keeps the
      // answer in the table, so the next volunteer from that postcode is placed here at once.
      if (found.status === 'unknown' && this.deps.config.postcodesApiUrl) {
        await this.deps.jobs.enqueue(tx, { lioId, kind: SURGE_PLACE_JOB, payload: { volunteerId } });
      }
      await volunteerRecordsRepository.insertConsents(tx, (['contact_about_volunteering', 'volunteer_record'] as const)
        .map((purpose) => ({ lioId, personId, purpose, method: 'online_form' as const, recordedBy: null, now: waiting.created_at })), 'surge-1');
      await volunteersRepository.addEvent(tx, lioId, volunteerId, 'registered', signup.offer ? `Surge sign-up: ${signup.offer}` : 'Surge sign-up', SYSTEM, now);
      return { known: Boolean(person) };
    });
  }

  /**
   * The job a confirmation queued: asks the postcodes service where the volunteer is. A service that cannot be reached
   * counts as not knowing the postcode (see geocodePostcode), so the volunteer stays off the map, as a full registration
   * would have refused the postcode; a coordinator's change of profile places them.
   */
  async placeFromService(lioId: string, volunteerId: string): Promise<void> {
    const postcode = await this.deps.db.withTenant(lioId, (tx) => repo.postcodeOfUnplaced(tx, volunteerId));
    if (!postcode) return;
    const found = await geocodePostcode(this.deps.db, postcode, { apiUrl: this.deps.config.postcodesApiUrl });
    if (found.status !== 'found') return;
    await this.deps.db.withTenant(lioId, (tx) => repo.placeIfUnplaced(tx, volunteerId, found, this.deps.clock.now()));
  }

  async queue(actor: SignedInUser | null) {
    authorise(actor, 'surge.work');
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx) => ({
      rows: await repo.queue(tx, QUEUE_PAGE), total: Number((await repo.countQueue(tx)).n), unconfirmed: await signups.waiting(tx, 'surge', now),
    }));
  }

  /** Rapid vetting: approve to active, or mark as needing a DBS check before they can be sent (they stay in the queue). */
  async vet(actor: SignedInUser | null, ids: string[], decision: string): Promise<{ errors: FormErrors; changed: number }> {
    authorise(actor, 'surge.work');
    const errors = new FormErrors();
    const chosen = [...new Set(ids)].filter(isUuid);
    if (chosen.length === 0) errors.add('volunteers', 'Select the volunteers you have vetted');
    if (decision !== 'approve' && decision !== 'needs_dbs') errors.add('decision', 'Choose approve or needs a DBS check');
    if (errors.any) return { errors, changed: 0 };
    const now = this.deps.clock.now();
    const who = auditActorOf(actor);
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const queued = new Set((await repo.queue(tx, 10_000)).map((r) => r.id));
      const inQueue = chosen.filter((id) => queued.has(id));
      const changed = decision === 'approve' ? await repo.setStatus(tx, inQueue, 'active', now) : inQueue;
      for (const id of changed) {
        await volunteersRepository.addEvent(tx, actor.lioId, id, decision === 'approve' ? 'surge.approved' : 'surge.needs_dbs', null, who, now);
      }
      await recordAudit(tx, actor.lioId, who, { action: `surge.${decision}`, detail: { volunteers: changed.length } }, now);
      return { errors, changed: changed.length };
    });
  }

  async pool(actor: SignedInUser | null) {
    authorise(actor, 'surge.work');
    return this.deps.db.withTenant(actor.lioId, async (tx) => ({
      rows: await repo.pool(tx, 500), organisations: await repo.organisations(tx), localities: await repo.localities(tx),
    }));
  }

  /** Bulk assignment: many reserve or surge volunteers to one locality or organisation at once. */
  async assign(actor: SignedInUser | null, values: AssignValues): Promise<{ errors: FormErrors; assigned: number; to?: string }> {
    authorise(actor, 'surge.work');
    const { errors, ids, locality, organisationId } = readAssign(values);
    if (errors.any) return { errors, assigned: 0 };
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const organisation = organisationId ? await repo.organisationName(tx, organisationId) : undefined;
      if (organisationId && !organisation) { errors.add('organisationId', 'Choose the organisation'); return { errors, assigned: 0 }; }
      const members = await repo.inPool(tx, ids);
      if (members.length !== ids.length) { errors.add('volunteers', 'Select volunteers from the list'); return { errors, assigned: 0 }; }
      await repo.assign(tx, actor.lioId, members, { locality, organisationId }, actor.id, now);
      const to = locality ?? organisation!.name;
      for (const id of members) await volunteersRepository.addEvent(tx, actor.lioId, id, 'surge.assigned', to, auditActorOf(actor), now);
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'surge.assigned', detail: { volunteers: members.length } }, now);
      return { errors, assigned: members.length, to };
    });
  }

  async messages(actor: SignedInUser | null) {
    authorise(actor, 'surge.work');
    return this.deps.db.withTenant(actor.lioId, async (tx) => ({
      sent: await repo.messages(tx), organisations: await repo.organisations(tx), localities: await repo.localities(tx),
    }));
  }

  /** A message to a cohort: recorded once, and one e-mail a recipient queued in the same transaction (sent by the job queue). */
  async send(actor: SignedInUser | null, values: MessageValues): Promise<{ errors: FormErrors; recipients: number }> {
    authorise(actor, 'surge.work');
    const { errors, cohort, subject, body } = readMessage(values);
    if (errors.any || !cohort) return { errors, recipients: 0 };
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const described = await this.describe(tx, cohort);
      if (!described) { errors.add('organisationId', 'Choose the organisation'); return { errors, recipients: 0 }; }
      const members = await repo.cohort(tx, cohort);
      if (members.length === 0) { errors.add('cohort', `No one in ${described} has an email address to write to`); return { errors, recipients: 0 }; }
      await repo.insertMessage(tx, actor.lioId, { subject, body, cohort: described, recipients: members.length }, actor.id, now);
      for (const m of members) await queueEmail(tx, this.deps.jobs, actor.lioId, { to: m.emails[0]!, subject, text: body }, this.deps.clock);
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'surge.message_sent', detail: { recipients: members.length } }, now);
      return { errors, recipients: members.length };
    });
  }

  private async describe(tx: Parameters<typeof repo.organisationName>[0], cohort: Cohort): Promise<string | null> {
    switch (cohort.kind) {
      case 'reserve': return 'the emergency reserve';
      case 'surge': return 'everyone who signed up in surge mode';
      case 'locality': return `volunteers assigned to ${cohort.locality}`;
      case 'organisation': {
        const o = await repo.organisationName(tx, cohort.organisationId);
        return o ? `volunteers assigned to ${o.name}` : null;
      }
    }
  }
}
