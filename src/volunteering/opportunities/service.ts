import type { Database, Reads } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { Config } from '../../platform/config.js';
import type { SignedInUser } from '../../platform/auth/actor.js';
import { authorise, can, ForbiddenError } from '../../platform/auth/policy.js';
import { auditActorOf, recordAudit } from '../../platform/audit.js';
import { isUuid } from '../../platform/validation/ids.js';
import { londonDay } from '../../platform/validation/dates.js';
import { geocodePostcode, postcodeMessage } from '../../platform/geography/geocode.js';
import { FormErrors } from '../../platform/http/forms.js';
import type { OpportunityStatus } from '../../platform/db/volunteering-schema.js';
import { readRejection, readRoleForm, type RoleFormValues, type RoleSearchValues } from './form.js';
import { opportunitiesRepository as repo, type PlacedRole, type RoleRow, type RoleSearch } from './repository.js';

export const PAGE_SIZE = 20;

export type Posted = { errors: FormErrors; id?: undefined } | { errors?: undefined; id: string };

/** Roles posted by groups (waiting for approval) and by coordinators (published at once), the approval queue, and the public listing. */
export class OpportunitiesService {
  constructor(private readonly deps: { db: Database; clock: Clock; config: Config }) {}

  /** Checks the form and places its postcode; the role to store, or the errors to show. */
  private async place(values: RoleFormValues): Promise<{ errors: FormErrors; role: PlacedRole }> {
    const { errors, role } = readRoleForm(values, this.deps.clock.now());
    let latitude: number | null = null;
    let longitude: number | null = null;
    if (role.postcode && !errors.list.some((e) => e.href === '#postcode')) {
      const found = await geocodePostcode(this.deps.db, role.postcode, { apiUrl: this.deps.config.postcodesApiUrl });
      if (found.status === 'found') ({ latitude, longitude } = found);
      else if (role.inPerson) errors.add('postcode', postcodeMessage(found.status, role.postcode));
    }
    return { errors, role: { ...role, latitude, longitude } };
  }

  /** A group member posts for their own organisation; the role waits for a coordinator's approval. */
  async postForGroup(actor: SignedInUser | null, values: RoleFormValues): Promise<Posted> {
    authorise(actor, 'opportunities.post', actor?.organisationId ?? null);
    if (!actor.organisationId) throw new ForbiddenError('opportunities.post');
    return this.insert(actor, actor.organisationId, values, 'pending');
  }

  /** A coordinator posts for any organisation or for the LIO itself (no organisation); published at once. */
  async postAsCoordinator(actor: SignedInUser | null, values: RoleFormValues): Promise<Posted> {
    authorise(actor, 'opportunities.manage');
    return this.insert(actor, values.organisationId || null, values, 'published');
  }

  private async insert(actor: SignedInUser, organisationId: string | null, values: RoleFormValues, status: OpportunityStatus): Promise<Posted> {
    const { errors, role } = await this.place(values);
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      if (organisationId && (!isUuid(organisationId) || !(await repo.organisations(tx)).some((o) => o.id === organisationId))) {
        errors.add('organisationId', 'Choose the organisation from the list');
      }
      if (errors.any) return { errors };
      const { id } = await repo.insert(tx, { lioId: actor.lioId, organisationId, role, status, userId: actor.id, now });
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'opportunity.posted', subjectType: 'opportunity', subjectId: id, detail: { status } }, now);
      return { id };
    });
  }

  async organisations(actor: SignedInUser | null) {
    authorise(actor, 'opportunities.manage');
    return this.deps.db.withTenant(actor.lioId, (tx) => repo.organisations(tx));
  }

  /** The roles of the group member's organisation, every status, so they see what waits and why one was not approved. */
  async groupRoles(actor: SignedInUser | null, page: number) {
    authorise(actor, 'opportunities.post', actor?.organisationId ?? null);
    if (!actor.organisationId) throw new ForbiddenError('opportunities.post');
    const organisationId = actor.organisationId;
    return this.deps.db.withTenant(actor.lioId, (tx) => repo.list(tx, { status: null, organisationId, page, pageSize: PAGE_SIZE }));
  }

  async allRoles(actor: SignedInUser | null, status: OpportunityStatus | null, page: number) {
    authorise(actor, 'opportunities.manage');
    return this.deps.db.withTenant(actor.lioId, async (tx) => ({
      ...(await repo.list(tx, { status, page, pageSize: PAGE_SIZE })),
      pending: await repo.countByStatus(tx, 'pending'),
    }));
  }

  /** A role as a coordinator sees it (any), or a group member (their organisation's only); undefined otherwise. */
  async role(actor: SignedInUser | null, id: string): Promise<RoleRow | undefined> {
    if (!actor || !isUuid(id)) return undefined;
    const role = await this.deps.db.withTenant(actor.lioId, (tx) => repo.byId(tx, id));
    if (!role) return undefined;
    if (can(actor, 'opportunities.manage')) return role;
    return role.organisation_id && can(actor, 'opportunities.post', role.organisation_id) ? role : undefined;
  }

  approve(actor: SignedInUser | null, id: string) {
    return this.decide(actor, id, ['pending', 'rejected'], 'published');
  }

  async reject(actor: SignedInUser | null, id: string, body: unknown): Promise<{ errors?: FormErrors; done: boolean }> {
    authorise(actor, 'opportunities.manage');
    const { errors, reason } = readRejection(body);
    if (errors.any) return { errors, done: false };
    return { done: await this.decide(actor, id, ['pending'], 'rejected', reason) };
  }

  /** A coordinator closes any role; a group member their own organisation's. */
  async close(actor: SignedInUser | null, id: string): Promise<boolean> {
    const role = await this.role(actor, id);
    if (!role || !actor) return false;
    return this.decide(actor, id, ['draft', 'pending', 'published'], 'closed', undefined, role.organisation_id);
  }

  private async decide(actor: SignedInUser | null, id: string, from: OpportunityStatus[], to: OpportunityStatus, reason?: string, organisationId?: string | null): Promise<boolean> {
    if (to === 'closed' && organisationId) authorise(actor, 'opportunities.post', organisationId);
    else authorise(actor, 'opportunities.manage');
    if (!isUuid(id)) return false;
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      if (!(await repo.decide(tx, id, from, to, { userId: actor.id, now, reason }))) return false;
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: `opportunity.${to}`, subjectType: 'opportunity', subjectId: id }, now);
      return true;
    });
  }

  /**
   * The public listing and the open feed: published roles not past their closing date. A postcode that cannot be
   * placed is an error to name (`postcode`), not an empty list.
   */
  async search(reads: Reads, lioId: string, v: RoleSearchValues, pageSize = PAGE_SIZE) {
    const errors = new FormErrors();
    let near: RoleSearch['near'] = null;
    if (v.postcode) {
      const found = await geocodePostcode(this.deps.db, v.postcode, { apiUrl: this.deps.config.postcodesApiUrl });
      if (found.status === 'found') near = { latitude: found.latitude, longitude: found.longitude, km: v.distance };
      else errors.add('postcode', postcodeMessage(found.status, v.postcode));
    }
    if (errors.any) return { errors, rows: [], total: 0 };
    const today = londonDay(this.deps.clock.now());
    const found = await reads.withTenant(lioId, (tx) => repo.publicSearch(tx, {
      words: v.q, cause: v.cause, skill: v.skill, schedule: v.schedule as RoleSearch['schedule'], remote: v.remote, near, today, page: v.page, pageSize,
    }));
    return { errors, ...found };
  }

  publicRole(reads: Reads, lioId: string, id: string) {
    if (!isUuid(id)) return Promise.resolve(undefined);
    const today = londonDay(this.deps.clock.now());
    return reads.withTenant(lioId, (tx) => repo.publicById(tx, id, today));
  }

  /** The role's public page: a published role open today; or, for a link to one that has closed since, `closed` and its title. */
  publicPage(reads: Reads, lioId: string, id: string) {
    if (!isUuid(id)) return Promise.resolve(undefined);
    const today = londonDay(this.deps.clock.now());
    return reads.withTenant(lioId, async (tx) => {
      const open = await repo.publicById(tx, id, today);
      if (open) return { open };
      const closed = await repo.closedById(tx, id, today);
      return closed ? { closed } : undefined;
    });
  }
}
