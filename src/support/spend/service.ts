import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { SignedInUser } from '../../platform/auth/actor.js';
import type { FormErrors } from '../../platform/http/forms.js';
import { authorise } from '../../platform/auth/policy.js';
import { auditActorOf, recordAudit } from '../../platform/audit.js';
import { isUuid } from '../../platform/validation/ids.js';
import { spendRepository as repo, type SpendChange } from './repository.js';
import { readSpend, type SpendAnswer, type SpendValues } from './form.js';
import { decimalOf } from '../../platform/money.js';

export type SpendOutcome = { errors: FormErrors; id?: string; overlaps?: number };

const change = (a: SpendAnswer): SpendChange => ({ periodStart: a.periodStart, periodEnd: a.periodEnd, amount: decimalOf(a.pence), description: a.description });

/**
 * What the LIO spent on support to groups, period by period: the bottom line of the leverage figure. Entered by an
 * admin, who keeps the accounts; every addition, correction and removal is in the audit log, since a figure reported
 * to funders rests on it.
 */
export class SpendService {
  constructor(private readonly deps: { db: Database; clock: Clock }) {}

  async list(actor: SignedInUser | null) {
    authorise(actor, 'support.spend');
    return this.deps.db.withTenant(actor.lioId, (tx) => repo.list(tx));
  }

  /** One entry to correct; undefined when there is none with this id. */
  async get(actor: SignedInUser | null, id: string) {
    authorise(actor, 'support.spend');
    if (!isUuid(id)) return undefined;
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const entry = await repo.byId(tx, id);
      return entry && { entry, overlaps: await repo.overlapping(tx, entry.period_start, entry.period_end, entry.id) };
    });
  }

  async add(actor: SignedInUser | null, values: SpendValues): Promise<SpendOutcome> {
    authorise(actor, 'support.spend');
    const { errors, answer } = readSpend(values);
    if (!answer) return { errors };
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const id = await repo.insert(tx, actor.lioId, change(answer), actor.id, now);
      await recordAudit(tx, actor.lioId, auditActorOf(actor), { action: 'support_spend.added', subjectType: 'support_spend', subjectId: id, detail: change(answer) }, now);
      return { errors, id, overlaps: (await repo.overlapping(tx, answer.periodStart, answer.periodEnd, id)).length };
    });
  }

  /** Corrects an entry; undefined when there is none with this id. */
  async correct(actor: SignedInUser | null, id: string, values: SpendValues): Promise<SpendOutcome | undefined> {
    authorise(actor, 'support.spend');
    if (!isUuid(id)) return undefined;
    const { errors, answer } = readSpend(values);
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const before = await repo.byId(tx, id);
      if (!before) return undefined;
      if (!answer) return { errors };
      await repo.update(tx, id, change(answer));
      await recordAudit(tx, actor.lioId, auditActorOf(actor), {
        action: 'support_spend.corrected', subjectType: 'support_spend', subjectId: id,
        detail: { before: { periodStart: before.period_start, periodEnd: before.period_end, amount: before.amount }, after: change(answer) },
      }, now);
      return { errors, id, overlaps: (await repo.overlapping(tx, answer.periodStart, answer.periodEnd, id)).length };
    });
  }

  /** Removes an entry; false when there was none with this id. */
  async remove(actor: SignedInUser | null, id: string): Promise<boolean> {
    authorise(actor, 'support.spend');
    if (!isUuid(id)) return false;
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(actor.lioId, async (tx) => {
      const before = await repo.byId(tx, id);
      if (!before || !(await repo.remove(tx, id))) return false;
      await recordAudit(tx, actor.lioId, auditActorOf(actor), {
        action: 'support_spend.removed', subjectType: 'support_spend', subjectId: id,
        detail: { periodStart: before.period_start, periodEnd: before.period_end, amount: before.amount, description: before.description },
      }, now);
      return true;
    });
  }
}
