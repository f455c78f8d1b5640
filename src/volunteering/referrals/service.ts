import type { Database, Queryable } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { JobQueue } from '../../platform/jobs.js';
import type { SignedInUser } from '../../platform/auth/actor.js';
import type { DbsLevel, ReferralStatus } from '../../platform/db/volunteering-schema.js';
import { authorise, can } from '../../platform/auth/policy.js';
import { auditActorOf, recordAudit, type Actor } from '../../platform/audit.js';
import { hashSecret, newSecret } from '../../platform/auth/secrets.js';
import { queueEmail } from '../../platform/mail.js';
import { londonDay } from '../../platform/validation/dates.js';
import { linkActorLabel } from './link-actor.js';
import { isUuid } from '../../platform/validation/ids.js';
import { DBS_LEVELS, REFERRAL_STATUSES, dbsCovers } from '../vocabulary.js';
import { volunteersRepository } from '../volunteers/repository.js';
import { referralsRepository as repo, type Period, type ReferralFilter, type ReferralRow, type StepActor } from './repository.js';
import { afterWorkingDays } from './working-days.js';

/** An answer link works for this many days: long enough for a group run by volunteers to get to it. */
export const LINK_DAYS = 14;
export const DEFAULT_CHASE_DAYS = 5;
const DAY_MS = 86_400_000;

/** The steps a person may take from each state; anything else is refused. Withdrawn is open until the volunteer starts. */
export const NEXT_STEPS: Record<ReferralStatus, ReferralStatus[]> = {
  enquired: ['referred', 'withdrawn'],
  // Accepting says the organisation has been in touch, so it may come straight after the referral.
  referred: ['contacted', 'accepted', 'declined', 'withdrawn'],
  contacted: ['accepted', 'declined', 'withdrawn'],
  accepted: ['started', 'withdrawn'],
  started: ['ended'],
  declined: [], ended: [], withdrawn: [],
};

/** Who is acting: the LIO's coordinator, the role's organisation (portal or e-mailed link), or the volunteer. */
export type Party = 'coordinator' | 'organisation' | 'link' | 'volunteer';
const MAY_TAKE: Record<Party, ReferralStatus[]> = {
  coordinator: ['referred', 'contacted', 'accepted', 'declined', 'started', 'ended', 'withdrawn'],
  organisation: ['contacted', 'accepted', 'declined', 'started', 'ended'],
  link: ['contacted', 'accepted', 'declined'],
  volunteer: ['withdrawn'],
};

export const STEP_BUTTONS: Record<ReferralStatus, string> = {
  enquired: 'Enquiry', referred: 'Refer to the organisation', contacted: 'Mark as contacted', accepted: 'Accept the volunteer',
  declined: 'Decline', started: 'Mark as started', ended: 'End the placement', withdrawn: 'Withdraw',
};

export type LinkState = 'valid' | 'unknown' | 'expired' | 'used';
export type Outcome = { ok: true; id: string; notice?: string } | { ok: false; message: string; field: string; missing?: boolean };

const refuse = (message: string, field = 'actions'): Outcome => ({ ok: false, message, field });

/** A date column as "YYYY-MM-DD", whether the driver gave a Date or a string. */
const isoDay = (d: Date | string) => (d instanceof Date ? d.toISOString().slice(0, 10) : String(d).slice(0, 10));

/** Age in whole years on `day` ("YYYY-MM-DD"), from a date of birth. */
function ageOn(dateOfBirth: string, day: string): number {
  const [y, m, d] = dateOfBirth.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = day.split('-').map(Number) as [number, number, number];
  return ty - y - (tm < m || (tm === m && td < d) ? 1 : 0);
}

/** Why a role takes no one now (not published, closed, past its closing date, or full); null while it does. */
function roleRefusal(role: Awaited<ReturnType<typeof repo.opportunity>>, today: string): string | null {
  if (!role || role.status === 'draft' || role.status === 'pending' || role.status === 'rejected') return 'This role is not open for enquiries';
  if (role.status === 'closed' || (role.closing_on !== null && isoDay(role.closing_on) < today)) return `${role.title} has closed and is no longer taking volunteers`;
  if (Number(role.taken) >= role.places) return `${role.title} has no places left`;
  return null;
}

/**
 * Referrals from enquiry to the end of a placement. An enquiry (the volunteer's) waits for a coordinator to refer
 * it: the coordinator checks it is a fair fit before a group is asked to spend time on it. A coordinator's own
 * referral goes straight to the organisation. Each step is a referral_steps row with who took it.
 */
export class ReferralsService {
  constructor(private readonly deps: { db: Database; clock: Clock; jobs: JobQueue }) {}

  /** Whether a volunteer may enquire about (or be referred to) a role; null if they may. */
  private async refusal(tx: Queryable, volunteer: { id: string; date_of_birth: string | null }, opportunityId: string, today: string): Promise<string | null> {
    const role = await repo.opportunity(tx, opportunityId);
    const closed = roleRefusal(role, today);
    if (closed || !role) return closed;
    if (volunteer.date_of_birth && ageOn(isoDay(volunteer.date_of_birth), today) < role.minimum_age) {
      return `Volunteers for ${role.title} must be ${role.minimum_age} or over`;
    }
    if (await repo.wasDeclined(tx, volunteer.id, opportunityId)) return `${role.organisation_name ?? 'The organisation'} has already declined this volunteer for ${role.title}`;
    if (await repo.openReferral(tx, volunteer.id, opportunityId)) return `There is already an open enquiry or referral for ${role.title}`;
    return null;
  }

  /** What the enquiry page shows a signed-in volunteer: the role, and why they cannot enquire if they cannot. */
  async enquiryCheck(actor: SignedInUser | null, opportunityId: string) {
    authorise(actor, 'volunteering.self');
    if (!isUuid(opportunityId)) return null;
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const role = await repo.opportunity(tx, opportunityId);
      if (!role || role.status === 'draft' || role.status === 'pending' || role.status === 'rejected') return null;
      const volunteer = await volunteersRepository.ofUser(tx, actor.id);
      const refusal = volunteer ? await this.refusal(tx, volunteer, opportunityId, londonDay(this.deps.clock.now())) : null;
      return { role, registered: !!volunteer, refusal };
    });
  }

  async enquire(actor: SignedInUser | null, opportunityId: string): Promise<Outcome> {
    authorise(actor, 'volunteering.self');
    if (!isUuid(opportunityId)) return { ok: false, message: 'Role not found', field: 'enquire', missing: true };
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const volunteer = await volunteersRepository.ofUser(tx, actor.id);
      if (!volunteer) return refuse('Register as a volunteer before you enquire about a role', 'enquire');
      // A double click, or two coordinators at once: the second waits here, then finds the first's referral open.
      await repo.lockVolunteer(tx, volunteer.id);
      const reason = await this.refusal(tx, volunteer, opportunityId, londonDay(now));
      if (reason) return refuse(reason, 'enquire');
      const role = (await repo.opportunity(tx, opportunityId))!;
      const { id } = await repo.insert(tx, { lioId: actor.lioId, volunteerId: volunteer.id, opportunityId, organisationId: role.organisation_id, status: 'enquired', at: now });
      const who = { userId: actor.id, label: actor.email };
      await repo.addStep(tx, actor.lioId, id, 'enquired', who, now);
      await volunteersRepository.addEvent(tx, actor.lioId, volunteer.id, 'enquired', `Enquired about ${role.title}`, who, now);
      return { ok: true, id };
    });
  }

  /** A coordinator refers a volunteer to a role; the organisation is e-mailed a link to answer. */
  async refer(actor: SignedInUser | null, volunteerId: string, opportunityId: string, origin: string): Promise<Outcome> {
    authorise(actor, 'referrals.manage');
    if (!isUuid(volunteerId)) return refuse('Choose a volunteer', 'volunteer');
    if (!isUuid(opportunityId)) return refuse('Choose a role', 'role');
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const volunteer = await volunteersRepository.byId(tx, volunteerId);
      if (!volunteer) return refuse('Choose a volunteer', 'volunteer');
      await repo.lockVolunteer(tx, volunteer.id);
      const reason = await this.refusal(tx, volunteer, opportunityId, londonDay(now));
      if (reason) return refuse(reason, 'role');
      const role = (await repo.opportunity(tx, opportunityId))!;
      const { id } = await repo.insert(tx, { lioId: actor.lioId, volunteerId, opportunityId, organisationId: role.organisation_id, status: 'referred', at: now });
      const who = { userId: actor.id, label: actor.email };
      await repo.addStep(tx, actor.lioId, id, 'referred', who, now);
      await volunteersRepository.addEvent(tx, actor.lioId, volunteerId, 'referred', `Referred to ${role.title}`, who, now);
      const sent = await this.emailOrganisation(tx, actor.lioId, id, origin, now, 'referred');
      return { ok: true, id, notice: sent ? undefined : 'The organisation has no e-mail address: contact them yourself' };
    });
  }

  /** E-mails the organisation a fresh answer link (only its hash is kept); false when it has no e-mail address. */
  private async emailOrganisation(tx: Queryable, lioId: string, referralId: string, origin: string, now: Date, why: 'referred' | 'chased'): Promise<boolean> {
    const r = await repo.get(tx, referralId);
    const role = r && await repo.opportunity(tx, r.opportunity_id);
    const to = role?.organisation_email;
    if (!r || !to) return false;
    const token = newSecret();
    await repo.insertLink(tx, lioId, referralId, hashSecret(token), to, new Date(now.getTime() + LINK_DAYS * DAY_MS), now);
    const lio = await tx.selectFrom('lios').select('name').where('id', '=', lioId).executeTakeFirstOrThrow();
    const opening = why === 'referred'
      ? `${lio.name} has referred a volunteer, ${r.volunteer_name}, to your role “${r.role_title}”.`
      : `${lio.name} referred a volunteer, ${r.volunteer_name}, to your role “${r.role_title}” and they are still waiting to hear from you.`;
    await queueEmail(tx, this.deps.jobs, lioId, {
      to,
      subject: why === 'referred' ? `A volunteer for ${r.role_title}` : `Reminder: a volunteer is waiting to hear about ${r.role_title}`,
      text: `Hello,\n\n${opening}\n\nPlease get in touch with them, then tell us how it went using this link within ${LINK_DAYS} days (no sign-in needed). `
        + `The page has their contact details:\n\n${origin}/volunteer/referral/${token}\n\nThank you,\n${lio.name}\n`,
    }, this.deps.clock);
    return true;
  }

  /** One step on a referral, by any party, in the caller's transaction: the rules live here once. */
  private async move(tx: Queryable, lioId: string, r: ReferralRow, step: ReferralStatus, reason: string, party: Party, who: StepActor, origin: string, now: Date): Promise<Outcome> {
    if (!MAY_TAKE[party].includes(step) || !NEXT_STEPS[r.status].includes(step)) {
      return refuse(`A referral that is “${REFERRAL_STATUSES[r.status].toLowerCase()}” cannot be marked “${REFERRAL_STATUSES[step].toLowerCase()}”`);
    }
    if ((step === 'declined' || step === 'ended') && !reason) return refuse(step === 'declined' ? 'Enter why the volunteer is declined' : 'Enter why the placement ended', 'reason');
    if (reason.length > 2000) return refuse('The reason must be 2000 characters or fewer', 'reason');
    if (step === 'referred') {
      // An enquiry waits for the coordinator: the role may have closed or filled meanwhile, and the group is not asked then.
      const closed = roleRefusal(await repo.opportunity(tx, r.opportunity_id), londonDay(now));
      if (closed) return refuse(closed);
    }
    if (step === 'accepted') {
      // Two answers at once for the last place: the role's row is locked, so the second counts the first.
      await repo.lockOpportunity(tx, r.opportunity_id);
      const role = await repo.opportunity(tx, r.opportunity_id);
      if (role && Number(role.taken) >= role.places) return refuse(`${role.title} has no places left: every place is taken by a volunteer already accepted`);
    }
    if (step === 'started' && r.dbs_level !== 'none') {
      const checks = await repo.dbsChecks(tx, r.volunteer_id, londonDay(now));
      if (!checks.some((c) => c.dbs_level && dbsCovers(c.dbs_level, r.dbs_level as DbsLevel))) {
        const needed = DBS_LEVELS[r.dbs_level as DbsLevel];
        return refuse(`${r.volunteer_name} cannot start: ${r.role_title} needs ${/^[AEIOU]/.test(needed) ? 'an' : 'a'} ${needed}, and they have no passed DBS check at that level that is still in date`);
      }
    }
    const set: Parameters<typeof repo.update>[2] = { status: step };
    if (step === 'referred') set.referred_at = now;
    if (step === 'contacted') set.contacted_at = now;
    if (step === 'accepted' || step === 'declined') {
      set.answered_at = now;
      if (!r.contacted_at) set.contacted_at = now;
    }
    if (step === 'declined') set.decline_reason = reason;
    if (step === 'started') set.started_at = now;
    if (step === 'ended') { set.ended_at = now; set.end_reason = reason; }
    await repo.update(tx, r.id, set, now);
    await repo.addStep(tx, lioId, r.id, step, who, now, reason || null);
    await volunteersRepository.addEvent(tx, lioId, r.volunteer_id, `referral_${step}`, `${r.role_title}: ${REFERRAL_STATUSES[step]}`, who, now);
    if (step === 'started') await repo.placeVolunteer(tx, r.volunteer_id, now);
    if (step === 'referred') {
      const sent = await this.emailOrganisation(tx, lioId, r.id, origin, now, 'referred');
      if (!sent) return { ok: true, id: r.id, notice: 'The organisation has no e-mail address: contact them yourself' };
    }
    return { ok: true, id: r.id };
  }

  /** A coordinator, a group member for their organisation, or the volunteer themselves takes a step. */
  async act(actor: SignedInUser | null, id: string, step: string, reason: string, origin: string, party: Exclude<Party, 'link'>): Promise<Outcome> {
    authorise(actor, party === 'coordinator' ? 'referrals.manage' : party === 'organisation' ? 'referrals.answer' : 'volunteering.self');
    if (!isUuid(id)) return { ok: false, message: 'Referral not found', field: 'actions', missing: true };
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const r = await repo.get(tx, id, true);
      if (!r || !(await this.isTheirs(tx, actor, r, party))) return { ok: false, message: 'Referral not found', field: 'actions', missing: true };
      if (!Object.hasOwn(NEXT_STEPS, step)) return refuse('Choose what has happened');
      return this.move(tx, actor.lioId, r, step as ReferralStatus, reason.trim(), party, { userId: actor.id, label: actor.email }, origin, now);
    });
  }

  private async isTheirs(tx: Queryable, actor: SignedInUser, r: ReferralRow, party: Party): Promise<boolean> {
    if (party === 'coordinator') return true;
    if (party === 'organisation') return r.organisation_id !== null && actor.organisationId === r.organisation_id && can(actor, 'referrals.answer', r.organisation_id);
    const own = await volunteersRepository.ofUser(tx, actor.id);
    return own?.id === r.volunteer_id;
  }

  // --- Pages ---

  async list(actor: SignedInUser | null, filter: ReferralFilter, page: number, pageSize: number) {
    authorise(actor, 'referrals.manage');
    return this.deps.db.withTenant(actor.lioId, async (tx) => ({
      ...(await repo.list(tx, filter, pageSize, (page - 1) * pageSize)),
      organisations: await repo.organisationChoices(tx),
    }));
  }

  /** A referral's page shows the volunteer's contact details: each view is audited as a view of their record. */
  async show(actor: SignedInUser | null, id: string, party: 'coordinator' | 'organisation') {
    authorise(actor, party === 'coordinator' ? 'referrals.manage' : 'referrals.answer');
    if (!isUuid(id)) return null;
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const r = await repo.get(tx, id);
      if (!r || !(await this.isTheirs(tx, actor, r, party))) return null;
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'volunteer.viewed', subjectType: 'volunteer', subjectId: r.volunteer_id, detail: { page: 'referral', referralId: r.id } }, this.deps.clock.now());
      return { referral: r, volunteer: (await volunteersRepository.byId(tx, r.volunteer_id))!, steps: await repo.steps(tx, id), next: this.nextFor(r.status, party) };
    });
  }

  nextFor(status: ReferralStatus, party: Party): ReferralStatus[] {
    return NEXT_STEPS[status].filter((s) => MAY_TAKE[party].includes(s));
  }

  /** The organisation's portal: its referrals, newest change first. */
  async forOrganisation(actor: SignedInUser | null, page: number, pageSize: number) {
    authorise(actor, 'referrals.answer');
    if (!actor.organisationId) return null;
    const organisationId = actor.organisationId;
    authorise(actor, 'referrals.answer', organisationId);
    return this.deps.db.withTenant(actor.lioId, (tx) => repo.list(tx, { organisationId }, pageSize, (page - 1) * pageSize));
  }

  /** The volunteer's own enquiries and where each stands. */
  async mine(actor: SignedInUser | null) {
    authorise(actor, 'volunteering.self');
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const volunteer = await volunteersRepository.ofUser(tx, actor.id);
      return volunteer ? repo.ofVolunteer(tx, volunteer.id) : null;
    });
  }

  async referChoices(actor: SignedInUser | null) {
    authorise(actor, 'referrals.manage');
    return this.deps.db.withTenant(actor.lioId, async (tx) => ({ volunteers: await repo.volunteerChoices(tx), roles: await repo.roleChoices(tx) }));
  }

  // --- The e-mailed link ---

  private async openLink(tx: Queryable, token: string, now: Date, lock: boolean) {
    if (!token || token.length > 100) return { state: 'unknown' as const };
    const link = await repo.link(tx, hashSecret(token), lock);
    if (!link) return { state: 'unknown' as const };
    if (link.used_at) return { state: 'used' as const };
    if (new Date(link.expires_at).getTime() <= now.getTime()) return { state: 'expired' as const };
    const r = await repo.get(tx, link.referral_id, lock);
    if (!r) return { state: 'unknown' as const };
    // The link shows the volunteer's contact details only while the organisation still has to answer.
    if (r.status !== 'referred' && r.status !== 'contacted') return { state: 'used' as const };
    return { state: 'valid' as const, link, referral: r };
  }

  /** The link page: the referral and the volunteer's contact details, for the organisation without a password. */
  async checkLink(lioId: string, token: string) {
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(lioId, async (tx) => {
      const opened = await this.openLink(tx, token, now, false);
      if (opened.state !== 'valid') return opened;
      const volunteer = (await volunteersRepository.byId(tx, opened.referral.volunteer_id))!;
      await recordAudit(tx, lioId, this.linkActor(opened.link.sent_to), {
        action: 'volunteer.viewed', subjectType: 'volunteer', subjectId: opened.referral.volunteer_id, detail: { page: 'referral link', referralId: opened.referral.id },
      }, now);
      return { ...opened, volunteer, next: this.nextFor(opened.referral.status, 'link') };
    });
  }

  private linkActor(sentTo: string): Actor {
    return { userId: null, label: linkActorLabel(sentTo) };
  }

  /** An answer from the link. Accepting or declining is the answer the link was sent for, so it uses the link up. */
  async answerByLink(lioId: string, token: string, step: string, reason: string): Promise<{ state: LinkState; outcome?: Outcome }> {
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(lioId, async (tx) => {
      const opened = await this.openLink(tx, token, now, true);
      if (opened.state !== 'valid') return { state: opened.state };
      if (!Object.hasOwn(NEXT_STEPS, step)) return { state: 'valid', outcome: refuse('Choose what has happened') };
      const who = this.linkActor(opened.link.sent_to);
      const outcome = await this.move(tx, lioId, opened.referral, step as ReferralStatus, reason.trim(), 'link', who, '', now);
      if (outcome.ok && (step === 'accepted' || step === 'declined')) await repo.useLink(tx, opened.link.id, now);
      return { state: 'valid', outcome };
    });
  }

  // --- Chasers ---

  /**
   * For one LIO: e-mails each organisation that has not contacted a referred volunteer within the working days
   * allowed (once), and alerts the coordinators when the same time again has passed since the chaser.
   */
  async chase(lioId: string, origin: string): Promise<{ chased: number; escalated: number }> {
    const now = this.deps.clock.now();
    const system: StepActor = { userId: null, label: 'Chaser' };
    return this.deps.db.withTenant(lioId, async (tx) => {
      const days = (await repo.settings(tx))?.chase_after_working_days ?? DEFAULT_CHASE_DAYS;
      let chased = 0;
      let escalated = 0;
      for (const r of await repo.waitingForContact(tx, 'chase')) {
        if (!r.referred_at || afterWorkingDays(new Date(r.referred_at), days) > now) continue;
        await repo.update(tx, r.id, { chased_at: now }, now);
        await repo.addStep(tx, lioId, r.id, 'chased', system, now, r.organisation_email ? `Reminder e-mailed to ${r.organisation_name}` : 'No e-mail address to remind');
        await this.emailOrganisation(tx, lioId, r.id, origin, now, 'chased');
        chased++;
      }
      for (const r of await repo.waitingForContact(tx, 'escalate')) {
        if (!r.chased_at || afterWorkingDays(new Date(r.chased_at), days) > now) continue;
        await repo.update(tx, r.id, { escalated_at: now }, now);
        await repo.addStep(tx, lioId, r.id, 'escalated', system, now, 'Still not contacted after the reminder: passed to the volunteer coordinators');
        escalated++;
      }
      if (chased || escalated) {
        await recordAudit(tx, lioId, { userId: null, label: 'Chaser' }, { action: 'referrals.chased', subjectType: 'lio', subjectId: lioId, detail: { chased, escalated } }, now);
      }
      return { chased, escalated };
    });
  }

  // --- Figures ---

  async figures(actor: SignedInUser | null, period: Period) {
    authorise(actor, 'volunteering.figures');
    return this.deps.db.withTenant(actor.lioId, (tx) => repo.figures(tx, period, this.deps.clock.now()));
  }

  /** The figures as a spreadsheet; the download is audited like the directory's exports. */
  async figuresCsv(actor: SignedInUser | null, period: Period): Promise<string[][]> {
    authorise(actor, 'volunteering.figures');
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const f = await repo.figures(tx, period, this.deps.clock.now());
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'volunteering.figures_exported', subjectType: 'report', detail: { from: period.from, to: period.to } }, this.deps.clock.now());
      return figureRows(f);
    });
  }

  today(): string {
    return londonDay(this.deps.clock.now());
  }
}

export type Figures = Awaited<ReturnType<typeof repo.figures>>;

const days = (seconds: number) => (seconds / 86_400).toFixed(1);

/** The figures as label and value, in one order for the page, the panel and the CSV. */
export function figureRows(f: Figures): string[][] {
  const share = f.activeVolunteers ? Math.round((100 * f.offeredRole) / f.activeVolunteers) : 0;
  return [
    ['Enquiries', String(f.enquiries)],
    ['New volunteers', String(f.newVolunteers)],
    ['Organisations that used the service', String(f.organisations)],
    ['Referrals', String(f.referrals)],
    ['Placements (started)', String(f.placements)],
    ['Volunteers waiting past the limit (now)', String(f.pastLimit)],
    ['Hours given (confirmed)', (f.confirmedMinutes / 60).toFixed(1)],
    ['Active volunteers offered a role in the last 30 days', `${share}% (${f.offeredRole} of ${f.activeVolunteers})`],
    ...f.firstContact.map((c) => [`Median days to first contact: ${c.organisation}`, `${days(c.medianSeconds)} (${c.contacted} contacted)`]),
  ];
}
