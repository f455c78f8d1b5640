import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { JobQueue } from '../../platform/jobs.js';
import type { SignedInUser } from '../../platform/auth/actor.js';
import { authorise } from '../../platform/auth/policy.js';
import { auditActorOf, recordAudit } from '../../platform/audit.js';
import { hashSecret } from '../../platform/auth/secrets.js';
import { FormErrors } from '../../platform/http/forms.js';
import { isUuid } from '../../platform/validation/ids.js';
import { organisationsRepository as organisations, recordOrganisationEvent } from '../organisations/repository.js';
import { DAY_MS, verificationRepository } from './repository.js';
import { VERIFICATION_JOB, VERIFY_LINK_DAYS } from './jobs.js';
import { publicRows } from './present.js';

export type LinkCheck =
  | { state: 'valid'; requestId: string; organisation: { id: string; name: string; rows: { label: string; value: string }[] } }
  | { state: 'used' | 'expired' | 'unknown' };

export class VerificationService {
  constructor(private readonly deps: { db: Database; clock: Clock; jobs: JobQueue }) {}

  /** The review queue: listings due for verification, oldest first. */
  async queue(actor: SignedInUser | null, page: number, pageSize: number) {
    authorise(actor, 'organisations.read');
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const months = await organisations.verificationMonths(tx, actor.lioId);
      return { months, ...(await verificationRepository.queue(tx, now, months, page, pageSize)) };
    });
  }

  /** Listings asked by e-mail to confirm their details and not answered yet, asked longest ago first. */
  async unanswered(actor: SignedInUser | null, page: number, pageSize: number) {
    authorise(actor, 'organisations.read');
    return this.deps.db.withTenant(actor.lioId, async (tx) => ({
      months: await organisations.verificationMonths(tx, actor.lioId), ...(await verificationRepository.unanswered(tx, page, pageSize)),
    }));
  }

  async settings(actor: SignedInUser | null) {
    authorise(actor, 'directory.settings');
    return { verificationMonths: await this.deps.db.withTenant(actor.lioId, (tx) => organisations.verificationMonths(tx, actor.lioId)) };
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
      const before = await organisations.verificationMonths(tx, actor.lioId);
      await verificationRepository.setMonths(tx, actor.lioId, months);
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'settings.verification_months', subjectType: 'lio', subjectId: actor.lioId, detail: { from: before, to: months } }, now);
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
        const org = await organisations.get(tx, organisationId);
        if (!org || org.merged_into_id) return { outcome: 'not_found' as const };
        if (!(await verificationRepository.recipients(tx, org.id)).length) return { outcome: 'no_email' as const };
        count = 1;
      } else {
        const months = await organisations.verificationMonths(tx, actor.lioId);
        count = await verificationRepository.countToEmail(tx, now, months, 'staff');
      }
      await this.deps.jobs.enqueue(tx, {
        lioId: actor.lioId, kind: VERIFICATION_JOB, payload: { origin, organisationId: organisationId ?? null, requestedBy: actor.displayName },
      });
      await recordAudit(tx, actor.lioId, auditActorOf(actor), {
        action: 'organisation.verification_requested', subjectType: organisationId ? 'organisation' : 'lio', subjectId: organisationId ?? actor.lioId, detail: { listings: count },
      }, now);
      return { outcome: 'queued' as const, count };
    });
  }

  /** Staff confirm the listing is still right. */
  async markVerified(actor: SignedInUser | null, id: string): Promise<string | null> {
    authorise(actor, 'organisations.write');
    if (!isUuid(id)) return null;
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const row = await organisations.get(tx, id);
      if (!row || row.merged_into_id) return null;
      await organisations.setVerified(tx, id, now);
      await recordOrganisationEvent(tx, actor.lioId, id, actor.displayName, 'verified', 'Details checked and marked as verified', {}, now);
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'organisation.verified', subjectType: 'organisation', subjectId: id }, now);
      return row.name;
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
      const org = await organisations.get(tx, request.organisation_id);
      if (!org || org.merged_into_id) return { state: 'unknown' };
      return { state: 'valid', requestId: request.id, organisation: { id: org.id, name: org.name, rows: publicRows(org) } };
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
      await organisations.setVerified(tx, check.organisation.id, now);
      await recordOrganisationEvent(tx, lioId, check.organisation.id, 'Listing contact (e-mailed link)', 'verified',
        'The listing’s contact confirmed the details are still right', { verification_request: check.requestId }, now);
      await recordAudit(tx, lioId, { userId: null, label: 'verification-link' }, {
        action: 'organisation.verified_by_link', subjectType: 'organisation', subjectId: check.organisation.id, detail: { request: check.requestId },
      }, now);
      return check;
    });
  }
}
