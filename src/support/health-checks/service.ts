import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { SignedInUser } from '../../platform/auth/actor.js';
import { authorise } from '../../platform/auth/policy.js';
import { auditActorOf, recordAudit } from '../../platform/audit.js';
import { isUuid } from '../../platform/validation/ids.js';
import { caseworkRepository } from '../casework/repository.js';
import { healthChecksRepository as repo } from './repository.js';
import type { readHealthCheck } from './form.js';

type Answer = NonNullable<ReturnType<typeof readHealthCheck>['answer']>;

/** Group health checks, taken on a case before support and again after it, and read back by organisation. */
export class HealthChecksService {
  constructor(private readonly deps: { db: Database; clock: Clock }) {}

  /** The case a health check is taken on; undefined when there is no such case. */
  async caseFor(actor: SignedInUser | null, caseId: string) {
    authorise(actor, 'cases.write');
    if (!isUuid(caseId)) return undefined;
    return this.deps.db.withTenant(actor.lioId, (tx) => caseworkRepository.byId(tx, caseId));
  }

  async record(actor: SignedInUser | null, caseId: string, answer: Answer): Promise<string | undefined> {
    authorise(actor, 'cases.write');
    if (!isUuid(caseId)) return undefined;
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const c = await caseworkRepository.byId(tx, caseId);
      if (!c) return undefined;
      const { id } = await repo.insert(tx, { lioId: actor.lioId, organisationId: c.organisation_id, caseId, ...answer, userId: actor.id, now });
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'health_check.recorded', subjectType: 'support_case', subjectId: caseId, detail: { stage: answer.stage } }, now);
      return id;
    });
  }

  /** An organisation's health checks over all its cases; undefined when there is no such organisation. */
  async ofOrganisation(actor: SignedInUser | null, organisationId: string) {
    authorise(actor, 'cases.read');
    if (!isUuid(organisationId)) return undefined;
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const organisation = await caseworkRepository.organisation(tx, organisationId);
      if (!organisation) return undefined;
      return { organisation, checks: await repo.ofOrganisation(tx, organisationId), cases: await caseworkRepository.ofOrganisation(tx, organisationId) };
    });
  }
}
