import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { SignedInUser } from '../../platform/auth/actor.js';
import { authorise } from '../../platform/auth/policy.js';
import { auditActorOf, recordAudit } from '../../platform/audit.js';
import { isUuid } from '../../platform/validation/ids.js';
import { caseworkRepository } from '../casework/repository.js';
import { applicationsRepository as repo } from './repository.js';
import type { ApplicationAnswer } from './form.js';

/**
 * Funding applications the LIO supported, recorded on the case that supported them (for the case's organisation).
 * Recording an award is what the leverage figure counts, so each change is audited.
 */
export class ApplicationsService {
  constructor(private readonly deps: { db: Database; clock: Clock }) {}

  /** The case, and the application when one is named; undefined when either is not found. */
  async find(actor: SignedInUser | null, caseId: string, id?: string) {
    authorise(actor, 'cases.write');
    if (!isUuid(caseId) || (id !== undefined && !isUuid(id))) return undefined;
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const c = await caseworkRepository.byId(tx, caseId);
      if (!c) return undefined;
      const application = id === undefined ? null : await repo.byId(tx, caseId, id);
      if (id !== undefined && !application) return undefined;
      return { case: c, application };
    });
  }

  async add(actor: SignedInUser | null, caseId: string, answer: ApplicationAnswer): Promise<string | undefined> {
    authorise(actor, 'cases.write');
    if (!isUuid(caseId)) return undefined;
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const c = await caseworkRepository.byId(tx, caseId);
      if (!c) return undefined;
      const { id } = await repo.insert(tx, { ...answer, lioId: actor.lioId, caseId, organisationId: c.organisation_id, now });
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'funding_application.recorded', subjectType: 'funding_application', subjectId: id, detail: { caseId, status: answer.status } }, now);
      return id;
    });
  }

  async update(actor: SignedInUser | null, caseId: string, id: string, answer: ApplicationAnswer): Promise<boolean> {
    authorise(actor, 'cases.write');
    if (!isUuid(caseId) || !isUuid(id)) return false;
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      if (!(await repo.byId(tx, caseId, id))) return false;
      await repo.update(tx, id, answer, now);
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'funding_application.updated', subjectType: 'funding_application', subjectId: id, detail: { caseId, status: answer.status } }, now);
      return true;
    });
  }
}
