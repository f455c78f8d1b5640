import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { SignedInUser } from '../../platform/auth/actor.js';
import { authorise } from '../../platform/auth/policy.js';
import { auditActorOf, recordAudit } from '../../platform/audit.js';
import { isUuid } from '../../platform/validation/ids.js';
import { londonDay } from '../../platform/validation/dates.js';
import { volunteersRepository } from '../volunteers/repository.js';
import { FAIRNESS_DAYS, matchingRepository as repo } from './repository.js';

/** Recommendations both ways: roles for a volunteer, volunteers for a role. */
export class MatchingService {
  constructor(private readonly deps: { db: Database; clock: Clock }) {}

  private window() {
    const now = this.deps.clock.now();
    return { today: londonDay(now), since: new Date(now.getTime() - FAIRNESS_DAYS * 86_400_000) };
  }

  /** The signed-in volunteer's recommended roles; null when they have no volunteer record yet. */
  async rolesForMe(actor: SignedInUser | null) {
    authorise(actor, 'volunteering.self');
    const { today, since } = this.window();
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const me = await volunteersRepository.ofUser(tx, actor.id);
      if (!me) return null;
      return { volunteer: me, matches: await repo.rolesForVolunteer(tx, me.id, today, since) };
    });
  }

  /** A coordinator's view of the roles for one volunteer: a view of their record, so audited. */
  async rolesForVolunteer(actor: SignedInUser | null, volunteerId: string) {
    authorise(actor, 'volunteers.read');
    if (!isUuid(volunteerId)) return null;
    const { today, since } = this.window();
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const volunteer = await volunteersRepository.byId(tx, volunteerId);
      if (!volunteer) return null;
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'volunteer.viewed', subjectType: 'volunteer', subjectId: volunteerId, detail: { page: 'matches' } }, this.deps.clock.now());
      return { volunteer, matches: await repo.rolesForVolunteer(tx, volunteerId, today, since), share: await repo.offeredShare(tx, since) };
    });
  }

  async volunteersForRole(actor: SignedInUser | null, roleId: string) {
    authorise(actor, 'opportunities.manage');
    authorise(actor, 'volunteers.read');
    if (!isUuid(roleId)) return null;
    const { today, since } = this.window();
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const role = await repo.role(tx, roleId);
      if (!role) return null;
      return { role, matches: await repo.volunteersForRole(tx, roleId, today, since), share: await repo.offeredShare(tx, since) };
    });
  }
}
