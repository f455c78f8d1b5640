import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import type { SignedInUser } from '../../platform/auth/actor.js';
import { authorise, ForbiddenError } from '../../platform/auth/policy.js';
import { auditActorOf, recordAudit } from '../../platform/audit.js';
import { isUuid } from '../../platform/validation/ids.js';
import { londonDay } from '../../platform/validation/dates.js';
import type { FormErrors } from '../../platform/http/forms.js';
import { CLOSING_SOON_DAYS, rankByFit } from './fit.js';
import { readOpportunityForm, type OpportunityFormValues } from './form.js';
import { fundingRepository as repo, type OpportunityList } from './repository.js';
import { digestRepository } from './digest-repository.js';
import { LINK_PURPOSES, signedIds } from '../../platform/signed-links.js';

/** The links in funding digests that stop them. */
export const fundingStopLinks = (secret: string) => signedIds(secret, LINK_PURPOSES.fundingDigestStop);

export type Saved = { errors: FormErrors; id?: undefined } | { errors?: undefined; id: string };

/** Funding opportunities advisers curate, and each group's view of them ranked by fit with its register profile. */
export class FundingService {
  constructor(private readonly deps: { db: Database; clock: Clock; config: Pick<Config, 'sessionSecret'> }) {}

  today() { return londonDay(this.deps.clock.now()); }

  /** The digests' stop links: a group member's account and its signature, so nothing is stored to know them again. */
  private stopLinks() { return fundingStopLinks(this.deps.config.sessionSecret); }

  async list(actor: SignedInUser | null, which: OpportunityList) {
    authorise(actor, 'funding.manage');
    const today = this.today();
    return this.deps.db.withTenant(actor.lioId, async (tx) => ({
      rows: await repo.list(tx, which, today, CLOSING_SOON_DAYS),
      counts: await repo.counts(tx, today, CLOSING_SOON_DAYS),
      organisations: await repo.organisations(tx),
      today,
    }));
  }

  async formContext(actor: SignedInUser | null) {
    authorise(actor, 'funding.manage');
    return this.deps.db.withTenant(actor.lioId, (tx) => repo.areasServed(tx));
  }

  async add(actor: SignedInUser | null, values: OpportunityFormValues): Promise<Saved> {
    authorise(actor, 'funding.manage');
    const now = this.deps.clock.now();
    const { errors, opportunity } = readOpportunityForm(values, londonDay(now), true);
    if (errors.any) return { errors };
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const { id } = await repo.insert(tx, { lioId: actor.lioId, opportunity, userId: actor.id, now });
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'funding_opportunity.added', subjectType: 'funding_opportunity', subjectId: id }, now);
      return { id };
    });
  }

  async edit(actor: SignedInUser | null, id: string, values: OpportunityFormValues): Promise<Saved | null> {
    authorise(actor, 'funding.manage');
    if (!isUuid(id)) return null;
    const now = this.deps.clock.now();
    const { errors, opportunity } = readOpportunityForm(values, londonDay(now), false);
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      if (!(await repo.byId(tx, id))) return null;
      if (errors.any) return { errors };
      await repo.update(tx, id, opportunity, now);
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'funding_opportunity.edited', subjectType: 'funding_opportunity', subjectId: id }, now);
      return { id };
    });
  }

  async withdraw(actor: SignedInUser | null, id: string): Promise<boolean> {
    authorise(actor, 'funding.manage');
    if (!isUuid(id)) return false;
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      if (!(await repo.withdraw(tx, id, now))) return false;
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'funding_opportunity.withdrawn', subjectType: 'funding_opportunity', subjectId: id }, now);
      return true;
    });
  }

  async opportunity(actor: SignedInUser | null, id: string) {
    authorise(actor, 'funding.manage');
    if (!isUuid(id)) return undefined;
    return this.deps.db.withTenant(actor.lioId, (tx) => repo.byId(tx, id));
  }

  /** Open opportunities ranked for one organisation: staff for any, a group member for their own (funding.view). */
  async forOrganisation(actor: SignedInUser | null, organisationId: string) {
    authorise(actor, 'funding.view', organisationId);
    if (!isUuid(organisationId)) return undefined;
    const today = this.today();
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const organisation = await repo.profile(tx, organisationId);
      if (!organisation) return undefined;
      const ranked = rankByFit(await repo.open(tx, today), organisation, today);
      const stopped = await digestRepository.stopped(tx, actor.id);
      return { organisation, ...ranked, today, digestsStopped: stopped };
    });
  }

  /** A group member's own organisation's funding page. */
  async forOwnGroup(actor: SignedInUser | null) {
    authorise(actor, 'funding.view', actor?.organisationId ?? null);
    if (!actor.organisationId) throw new ForbiddenError('funding.view');
    return this.forOrganisation(actor, actor.organisationId);
  }

  /**
   * The link in a digest e-mail, with no one signed in: who it stops the digests of, and whether they are stopped already;
   * undefined for a link this service did not sign, or whose account is gone.
   */
  async stopLink(lioId: string, token: string) {
    const userId = this.stopLinks().idOf(token);
    if (!userId) return undefined;
    return this.deps.db.withTenant(lioId, async (tx) => {
      const user = await digestRepository.member(tx, userId);
      return user ? { userId, email: user.email, already: await digestRepository.stopped(tx, userId) } : undefined;
    });
  }

  /** Stops the digests a link is for: 'already' when a link is used again; undefined for a forged or broken link. */
  async stopByLink(lioId: string, token: string): Promise<'done' | 'already' | undefined> {
    const userId = this.stopLinks().idOf(token);
    if (!userId) return undefined;
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(lioId, async (tx) => {
      if (!(await digestRepository.member(tx, userId))) return undefined;
      if (await digestRepository.stopped(tx, userId)) return 'already';
      await digestRepository.stop(tx, lioId, userId, now);
      await recordAudit(tx, lioId, { userId, label: 'funding digest e-mail link' }, { action: 'funding_digests.stopped', subjectType: 'user', subjectId: userId, detail: { via: 'email_link' } }, now);
      return 'done';
    });
  }

  /** A group member stops or starts their e-mail digests. */
  async setDigests(actor: SignedInUser | null, wanted: boolean): Promise<void> {
    authorise(actor, 'funding.view', actor?.organisationId ?? null);
    if (!actor.organisationId) throw new ForbiddenError('funding.view');
    const now = this.deps.clock.now();
    await this.deps.db.withTenant(actor.lioId, async (tx) => {
      await (wanted ? digestRepository.restart(tx, actor.id) : digestRepository.stop(tx, actor.lioId, actor.id, now));
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: wanted ? 'funding_digests.started' : 'funding_digests.stopped', subjectType: 'user', subjectId: actor.id }, now);
    });
  }
}
