import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { SignedInUser } from '../../platform/auth/actor.js';
import { authorise } from '../../platform/auth/policy.js';
import { auditActorOf, recordAudit } from '../../platform/audit.js';
import { isUuid } from '../../platform/validation/ids.js';
import { londonDay } from '../../platform/validation/dates.js';
import { FormErrors } from '../../platform/http/forms.js';
import { membershipRepository as repo } from './repository.js';
import { readJoin, readType, type JoinValues, type TypeValues } from './form.js';

const DAY_MS = 86_400_000;
export type MembershipAction = 'approve' | 'renew' | 'end';

/** Membership of the LIO: types, joining (added by staff, or asked for by a group and approved), renewal and ending. */
export class MembershipService {
  constructor(private readonly deps: { db: Database; clock: Clock }) {}

  private today(): string {
    return londonDay(this.deps.clock.now());
  }

  /** The staff page: pending applications, memberships due for renewal within 30 days, and every current one. */
  async overview(actor: SignedInUser | null) {
    authorise(actor, 'membership.manage');
    const dueBy = londonDay(new Date(this.deps.clock.now().getTime() + 30 * DAY_MS));
    return this.deps.db.withTenant(actor.lioId, async (tx) => ({
      pending: await repo.list(tx, { status: 'pending' }), due: await repo.list(tx, { status: 'active', dueBy }), all: await repo.list(tx),
      types: await repo.types(tx),
    }));
  }

  async addType(actor: SignedInUser | null, values: TypeValues): Promise<FormErrors> {
    authorise(actor, 'membership.manage');
    const { errors, type } = readType(values);
    if (!type) return errors;
    const now = this.deps.clock.now();
    const outcome = await this.deps.db.withTenant(actor.lioId, (tx) => repo.insertType(tx, actor.lioId, type, now));
    if (outcome === 'duplicate') errors.add('name', 'There is already a membership type with that name');
    return errors;
  }

  /** What the staff form to add a member offers. */
  async joinChoices(actor: SignedInUser | null) {
    authorise(actor, 'membership.manage');
    return this.deps.db.withTenant(actor.lioId, async (tx) => ({ organisations: await repo.organisationsWithout(tx), types: await repo.types(tx, true) }));
  }

  /** Staff add an organisation as a member, active from today. */
  async add(actor: SignedInUser | null, values: JoinValues): Promise<FormErrors> {
    authorise(actor, 'membership.manage');
    return this.join(actor, values.organisationId, values, 'active', true);
  }

  /** The group member's own organisation: its membership, and the types it may ask for. */
  async own(actor: SignedInUser | null) {
    authorise(actor, 'membership.join');
    const organisationId = actor.organisationId!;
    return this.deps.db.withTenant(actor.lioId, async (tx) => ({
      organisation: await repo.organisation(tx, organisationId), membership: await repo.current(tx, organisationId), types: await repo.types(tx, true),
    }));
  }

  /** A group member asks for their organisation to join: pending until staff approve. */
  async apply(actor: SignedInUser | null, values: JoinValues): Promise<FormErrors> {
    authorise(actor, 'membership.join');
    return this.join(actor, actor.organisationId!, values, 'pending', false);
  }

  private async join(actor: SignedInUser, organisationId: string, values: JoinValues, status: 'active' | 'pending', byStaff: boolean): Promise<FormErrors> {
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const types = await repo.types(tx, true);
      const errors = readJoin(values, types, byStaff);
      if (errors.any) return errors;
      authorise(actor, byStaff ? 'membership.manage' : 'membership.join', organisationId);
      const type = types.find((t) => t.id === values.typeId)!;
      if (!await repo.organisation(tx, organisationId)) {
        errors.add('organisationId', 'Choose the organisation');
        return errors;
      }
      const id = await repo.insert(tx, actor.lioId, { organisationId, typeId: type.id, termMonths: type.term_months, status, appliedBy: byStaff ? null : actor.id }, this.today(), now);
      if (!id) {
        errors.add(byStaff ? 'organisationId' : 'typeId', byStaff ? 'That organisation is already a member or has asked to join' : 'Your organisation is already a member or has asked to join');
        return errors;
      }
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: byStaff ? 'membership.added' : 'membership.applied', subjectType: 'organisation', subjectId: organisationId, detail: { membershipId: id } }, now);
      return errors;
    });
  }

  /** Approves, renews or ends a membership; undefined when there is none, false when it was not in a state to. */
  async act(actor: SignedInUser | null, id: string, action: MembershipAction): Promise<{ done: boolean; name: string; renewsOn?: string | null } | undefined> {
    authorise(actor, 'membership.manage');
    if (!isUuid(id)) return undefined;
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const m = await repo.get(tx, id);
      if (!m) return undefined;
      const today = this.today();
      const renewsOn = action === 'renew' ? await repo.renew(tx, id, today, now) : undefined;
      const done = action === 'approve' ? await repo.approve(tx, id, today, now) : action === 'end' ? await repo.end(tx, id, now) : Boolean(renewsOn);
      if (done) await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: `membership.${action === 'approve' ? 'approved' : action === 'renew' ? 'renewed' : 'ended'}`, subjectType: 'organisation', subjectId: m.organisation_id, detail: { membershipId: id } }, now);
      return { done, name: m.organisation_name, renewsOn };
    });
  }
}
