import { sql } from 'kysely';
import type { Database, Queryable } from '../platform/db/index.js';
import type { Clock } from '../platform/clock.js';
import type { JobQueue } from '../platform/jobs.js';
import type { SignedInUser } from '../platform/auth/actor.js';
import { authorise } from '../platform/auth/policy.js';
import { recordAudit } from '../platform/audit.js';
import { queueEmail } from '../platform/mail.js';
import { hashSecret, newSecret } from '../platform/auth/secrets.js';
import { FormErrors } from '../platform/http/forms.js';
import { displayValue } from './organisation-policy.js';
import { asAuditActor, organisationsRepository, recordOrganisationEvent } from './organisations.js';
import { isUuid } from '../platform/validation/ids.js';

/** A verification link works once, for this many days. */
export const VERIFY_LINK_DAYS = 28;
/** A listing e-mailed in the last this-many days is not e-mailed again by a bulk send. */
export const RESEND_AFTER_DAYS = 14;
/** Listings e-mailed by one run of the job; a longer queue continues in a follow-up job. */
export const VERIFICATION_BATCH = 200;
export const VERIFICATION_JOB = 'directory.verification_emails';
/** The daily job that e-mails, in every LIO, the listings that fell due: no one has to press the button. */
export const VERIFICATION_SWEEP_JOB = 'directory.verification_sweep';
const SWEEP_LABEL = 'Daily verification sweep';

const DAY_MS = 86_400_000;

/**
 * Listings due for review: never verified, or verified longer ago than the LIO's verification period
 * (lios.verification_months). Closed and merged records are not reviewed.
 */
function dueQuery(db: Queryable, now: Date, months: number) {
  return db.selectFrom('organisations as o')
    .where('o.merged_into_id', 'is', null)
    .where('o.status', '<>', 'closed')
    .where((eb) => eb.or([
      eb('o.last_verified_at', 'is', null),
      eb('o.last_verified_at', '<', sql<Date>`${now}::timestamptz - make_interval(months => ${months}::int)`),
    ]));
}

/**
 * A staff member's bulk send skips listings asked in the last RESEND_AFTER_DAYS days; the daily sweep asks each
 * listing at most once per verification period, so a contact who does not answer is not e-mailed every fortnight.
 */
export type Sender = 'staff' | 'sweep';

/**
 * Whom a listing's check goes to: the organisation's own e-mail address, the e-mail of each of its contacts, and
 * each active group member who keeps its listing; an address once, however many of these give it.
 */
const hasRecipient = sql<boolean>`(o.email is not null
  or exists (select 1 from contacts c where c.organisation_id = o.id and c.email is not null)
  or exists (select 1 from users u where u.organisation_id = o.id and u.role = 'group_member' and u.status = 'active'))`;

function emailable(db: Queryable, now: Date, months: number, sender: Sender) {
  const askedSince = sender === 'sweep' ? sql<Date>`${now}::timestamptz - make_interval(months => ${months}::int)` : sql<Date>`${new Date(now.getTime() - RESEND_AFTER_DAYS * DAY_MS)}::timestamptz`;
  return dueQuery(db, now, months)
    .where(hasRecipient)
    .where(sql<boolean>`not exists (select 1 from verification_requests v where v.organisation_id = o.id and v.sent_at > ${askedSince})`);
}

/** Where a link in an e-mail sent without a request points: BASE_URL for the default LIO, else the LIO's first hostname. */
export function lioOrigin(lio: { is_default: boolean; hostnames: string[] }, baseUrl: string): string {
  const host = lio.hostnames[0];
  if (lio.is_default || !host) return baseUrl;
  return `${new URL(baseUrl).protocol}//${host}`;
}

const lastSent = sql<Date | null>`(select max(v.sent_at) from verification_requests v where v.organisation_id = o.id)`;

export const verificationRepository = {
  async months(db: Queryable, lioId: string): Promise<number> {
    return (await db.selectFrom('lios').select('verification_months').where('id', '=', lioId).executeTakeFirstOrThrow()).verification_months;
  },
  setMonths: (db: Queryable, lioId: string, months: number) => db.updateTable('lios').set({ verification_months: months }).where('id', '=', lioId).execute(),

  async queue(db: Queryable, now: Date, months: number, page: number, pageSize: number) {
    const base = dueQuery(db, now, months);
    const counts = await base.select((eb) => [eb.fn.countAll<number>().as('n'), sql<number>`count(*) filter (where ${hasRecipient})`.as('with_email')]).executeTakeFirstOrThrow();
    const items = await base.select(['o.id', 'o.name', 'o.status', 'o.last_verified_at', lastSent.as('last_sent_at'), hasRecipient.as('emailable')])
      .orderBy(sql`o.last_verified_at asc nulls first`).orderBy(sql`lower(o.name)`).orderBy('o.id')
      .limit(pageSize).offset((page - 1) * pageSize).execute();
    return { total: Number(counts.n), withEmail: Number(counts.with_email), items };
  },

  /** The due listings with an e-mail address that were not e-mailed recently. */
  toEmail: (db: Queryable, now: Date, months: number, limit: number, sender: Sender) => emailable(db, now, months, sender)
    .select(['o.id', 'o.name']).orderBy(sql`o.last_verified_at asc nulls first`).orderBy('o.id').limit(limit).execute(),

  /** The addresses a listing's check goes to (see hasRecipient), the organisation's own first. */
  async recipients(db: Queryable, organisationId: string): Promise<{ email: string; own: boolean }[]> {
    const { rows } = await sql<{ email: string; rank: number }>`select email, rank from (
        select o.email, 0 as rank from organisations o where o.id = ${organisationId} and o.email is not null
        union all select c.email, 1 from contacts c where c.organisation_id = ${organisationId} and c.email is not null
        union all select u.email, 2 from users u where u.organisation_id = ${organisationId} and u.role = 'group_member' and u.status = 'active'
      ) r order by rank, lower(email)`.execute(db);
    const seen = new Set<string>();
    return rows.map((r) => ({ email: r.email.trim(), own: r.rank === 0 })).filter(({ email }) => !seen.has(email.toLowerCase()) && seen.add(email.toLowerCase()));
  },
  countToEmail: async (db: Queryable, now: Date, months: number, sender: Sender) =>
    Number((await emailable(db, now, months, sender).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n),

  insertRequest: (db: Queryable, lioId: string, organisationId: string, tokenHash: string, now: Date) =>
    db.insertInto('verification_requests').values({ lio_id: lioId, organisation_id: organisationId, token_hash: tokenHash, sent_at: now }).execute(),

  findRequest: (db: Queryable, tokenHash: string) => db.selectFrom('verification_requests').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst(),

  spend: (db: Queryable, id: string, now: Date) =>
    db.updateTable('verification_requests').set({ confirmed_at: now }).where('id', '=', id).where('confirmed_at', 'is', null).executeTakeFirst(),
};

export type LinkCheck =
  | { state: 'valid'; requestId: string; organisation: { id: string; name: string; rows: { label: string; value: string }[] } }
  | { state: 'used' | 'expired' | 'unknown' };

const PUBLIC_FIELDS = ['name', 'description', 'address', 'postcode', 'phone', 'email', 'website', 'areas_served'] as const;
const PUBLIC_LABELS: Record<typeof PUBLIC_FIELDS[number], string> = {
  name: 'Name', description: 'What you do', address: 'Address', postcode: 'Postcode', phone: 'Phone number', email: 'Email address', website: 'Website', areas_served: 'Areas served',
};

export class VerificationService {
  constructor(private readonly deps: { db: Database; clock: Clock; jobs: JobQueue }) {}

  /** The review queue: listings due for verification, oldest first. */
  async queue(actor: SignedInUser | null, page: number, pageSize: number) {
    authorise(actor, 'organisations.read');
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const months = await verificationRepository.months(tx, actor.lioId);
      return { months, ...(await verificationRepository.queue(tx, now, months, page, pageSize)) };
    });
  }

  async settings(actor: SignedInUser | null) {
    authorise(actor, 'directory.settings');
    return { verificationMonths: await this.deps.db.withTenant(actor.lioId, (tx) => verificationRepository.months(tx, actor.lioId)) };
  }

  async saveSettings(actor: SignedInUser | null, raw: string): Promise<{ errors: FormErrors }> {
    authorise(actor, 'directory.settings');
    const errors = new FormErrors();
    const months = /^[0-9]{1,3}$/.test(raw) ? Number(raw) : NaN;
    if (!raw) errors.add('verificationMonths', 'Enter how many months a listing stays verified');
    else if (!Number.isInteger(months)) errors.add('verificationMonths', 'Enter the number of months as a whole number, like 12');
    else if (months < 1 || months > 60) errors.add('verificationMonths', 'Enter a number of months from 1 to 60');
    if (errors.any) return { errors };
    const now = this.deps.clock.now();
    await this.deps.db.withTenant(actor.lioId, async (tx) => {
      const before = await verificationRepository.months(tx, actor.lioId);
      await verificationRepository.setMonths(tx, actor.lioId, months);
      await recordAudit(tx, actor.lioId, asAuditActor(actor), { action: 'settings.verification_months', subjectType: 'lio', subjectId: actor.lioId, detail: { from: before, to: months } }, now);
    });
    return { errors };
  }

  /**
   * Asks the job queue to e-mail listings a verification link: one organisation, or every due listing
   * not e-mailed in the last RESEND_AFTER_DAYS days. `origin` is where the links point.
   */
  async requestEmails(actor: SignedInUser | null, origin: string, organisationId?: string): Promise<{ outcome: 'queued'; count: number } | { outcome: 'no_email' | 'not_found' }> {
    authorise(actor, 'organisations.write');
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      let count: number;
      if (organisationId) {
        if (!isUuid(organisationId)) return { outcome: 'not_found' as const };
        const org = await organisationsRepository.get(tx, organisationId);
        if (!org || org.merged_into_id) return { outcome: 'not_found' as const };
        if (!(await verificationRepository.recipients(tx, org.id)).length) return { outcome: 'no_email' as const };
        count = 1;
      } else {
        const months = await verificationRepository.months(tx, actor.lioId);
        count = await verificationRepository.countToEmail(tx, now, months, 'staff');
      }
      await this.deps.jobs.enqueue(tx, {
        lioId: actor.lioId, kind: VERIFICATION_JOB, payload: { origin, organisationId: organisationId ?? null, requestedBy: actor.displayName },
      });
      await recordAudit(tx, actor.lioId, asAuditActor(actor), {
        action: 'organisation.verification_requested', subjectType: organisationId ? 'organisation' : 'lio', subjectId: organisationId ?? actor.lioId, detail: { listings: count },
      }, now);
      return { outcome: 'queued' as const, count };
    });
  }

  /** The job: makes a one-time link per listing (only its hash is stored) and queues the e-mail. */
  register(): void {
    const { db, clock, jobs } = this.deps;
    jobs.register(VERIFICATION_JOB, async (job) => {
      const lioId = job.lioId as string;
      const origin = String(job.payload.origin);
      const organisationId = typeof job.payload.organisationId === 'string' ? job.payload.organisationId : null;
      const requestedBy = typeof job.payload.requestedBy === 'string' ? job.payload.requestedBy : 'Common Ground';
      const sender: Sender = job.payload.sender === 'sweep' ? 'sweep' : 'staff';
      const now = clock.now();
      await db.withTenant(lioId, async (tx) => {
        // Two bulk runs for one LIO (a staff send and the sweep) take turns, so neither e-mails what the other just did.
        if (!organisationId) await sql`select pg_advisory_xact_lock(hashtext(${`verification:${lioId}`}))`.execute(tx);
        const lio = await tx.selectFrom('lios').select(['name', 'verification_months']).where('id', '=', lioId).executeTakeFirstOrThrow();
        let targets: { id: string; name: string }[];
        if (organisationId) {
          const org = await organisationsRepository.get(tx, organisationId);
          targets = org && !org.merged_into_id ? [{ id: org.id, name: org.name }] : [];
        } else {
          targets = await verificationRepository.toEmail(tx, now, lio.verification_months, VERIFICATION_BATCH, sender);
        }
        for (const target of targets) {
          const recipients = await verificationRepository.recipients(tx, target.id);
          if (!recipients.length) continue;
          // One e-mail, and one link, each: no contact sees another's address, and any one of them can confirm.
          for (const { email: to } of recipients) {
            const token = newSecret();
            await verificationRepository.insertRequest(tx, lioId, target.id, hashSecret(token), now);
            await queueEmail(tx, jobs, lioId, {
              to,
              subject: `Is the listing of ${target.name} still right?`,
              text: `Hello,\n\n${lio.name} lists ${target.name} in its directory of local groups and services, which residents, GPs and council staff use to find help.\n\n`
                + `Please check the details we hold and confirm they are still right, using this link within ${VERIFY_LINK_DAYS} days (no sign-in needed):\n\n${origin}/verify/${token}\n\n`
                + `If something has changed, reply to this e-mail or contact ${lio.name} and we will update it.\n\nThank you,\n${lio.name}\n`,
            }, clock);
          }
          // The history names the organisation's own (published) address; its people's addresses are only counted.
          const own = recipients.find((r) => r.own)?.email;
          const others = recipients.filter((r) => !r.own).length;
          const people = others ? `${others} of its ${others === 1 ? 'contact or member' : 'contacts and members'}` : '';
          await recordOrganisationEvent(tx, lioId, target.id, requestedBy, 'verification_sent', `Verification e-mail sent to ${[own, people].filter(Boolean).join(' and ')}`, {}, now);
        }
        // A long queue continues in a follow-up run rather than one long transaction.
        if (!organisationId && targets.length === VERIFICATION_BATCH) {
          await jobs.enqueue(tx, { lioId, kind: VERIFICATION_JOB, payload: job.payload });
        }
      });
    });
  }

  /**
   * Once a day, for every LIO, queues the verification e-mails of the listings that fell due and were not asked
   * within the verification period. The e-mails themselves go out through the same job as a staff member's send.
   */
  registerDailySweep(baseUrl: string): void {
    const { db, clock, jobs } = this.deps;
    jobs.registerRecurring(VERIFICATION_SWEEP_JOB, DAY_MS, async () => {
      const now = clock.now();
      const lios = await db.system.selectFrom('lios').select(['id', 'hostnames', 'is_default']).orderBy('created_at').execute();
      for (const lio of lios) {
        await db.withTenant(lio.id, async (tx) => {
          const months = await verificationRepository.months(tx, lio.id);
          const count = await verificationRepository.countToEmail(tx, now, months, 'sweep');
          if (count === 0) return;
          await jobs.enqueue(tx, { lioId: lio.id, kind: VERIFICATION_JOB, payload: { origin: lioOrigin(lio, baseUrl), organisationId: null, requestedBy: SWEEP_LABEL, sender: 'sweep' } });
          await recordAudit(tx, lio.id, { userId: null, label: SWEEP_LABEL }, {
            action: 'organisation.verification_requested', subjectType: 'lio', subjectId: lio.id, detail: { listings: count, automatic: true },
          }, now);
        });
      }
    });
  }

  /** What a verification link shows, without signing in. */
  async checkLink(lioId: string, token: string): Promise<LinkCheck> {
    if (!token || token.length > 100) return { state: 'unknown' };
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(lioId, async (tx): Promise<LinkCheck> => {
      const request = await verificationRepository.findRequest(tx, hashSecret(token));
      if (!request) return { state: 'unknown' };
      if (request.confirmed_at) return { state: 'used' };
      if (request.sent_at.getTime() + VERIFY_LINK_DAYS * DAY_MS <= now.getTime()) return { state: 'expired' };
      const org = await organisationsRepository.get(tx, request.organisation_id);
      if (!org || org.merged_into_id) return { state: 'unknown' };
      const rows = PUBLIC_FIELDS.map((f) => ({ label: PUBLIC_LABELS[f], value: displayValue(f, org[f]) || 'Not given' }));
      return { state: 'valid', requestId: request.id, organisation: { id: org.id, name: org.name, rows } };
    });
  }

  /** The contact confirms: the link is spent and the listing verified, in one transaction. */
  async confirm(lioId: string, token: string): Promise<LinkCheck> {
    const check = await this.checkLink(lioId, token);
    if (check.state !== 'valid') return check;
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(lioId, async (tx): Promise<LinkCheck> => {
      const spent = await verificationRepository.spend(tx, check.requestId, now);
      if (Number(spent.numUpdatedRows) !== 1) return { state: 'used' };
      await organisationsRepository.setVerified(tx, check.organisation.id, now);
      await recordOrganisationEvent(tx, lioId, check.organisation.id, 'Listing contact (e-mailed link)', 'verified',
        'The listing’s contact confirmed the details are still right', { verification_request: check.requestId }, now);
      await recordAudit(tx, lioId, { userId: null, label: 'verification-link' }, {
        action: 'organisation.verified_by_link', subjectType: 'organisation', subjectId: check.organisation.id, detail: { request: check.requestId },
      }, now);
      return check;
    });
  }
}
