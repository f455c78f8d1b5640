import type { Database } from '../../platform/db/index.js';
import type { Clock } from '../../platform/clock.js';
import type { SignedInUser } from '../../platform/auth/actor.js';
import { authorise } from '../../platform/auth/policy.js';
import { recordAudit, type Actor } from '../../platform/audit.js';
import { londonDay } from '../../platform/validation/dates.js';
import { buildReport, type ChangeReport, type Period } from './report.js';
import { deliveryHistoryRepository } from './repository.js';
import { reportCsv } from './present.js';

/** Staff read the report on a page and download it as CSV (an export, so audited). */
export class DeliveryHistoryService {
  constructor(private readonly deps: { db: Database; clock: Clock }) {}

  async report(actor: SignedInUser | null, lioId: string, period: Period): Promise<ChangeReport> {
    authorise(actor, 'organisations.read');
    const data = await this.deps.db.withTenant(lioId, (tx) => deliveryHistoryRepository.servicesWithHistory(tx, period.to));
    return buildReport(data, period);
  }

  async exportCsv(actor: SignedInUser | null, lioId: string, who: Actor, period: Period): Promise<string> {
    authorise(actor, 'directory.export');
    const now = this.deps.clock.now();
    return this.deps.db.withTenant(lioId, async (tx) => {
      const report = buildReport(await deliveryHistoryRepository.servicesWithHistory(tx, period.to), period);
      await recordAudit(tx, lioId, who, { action: 'directory.changes_exported', subjectType: 'report', detail: { from: period.from, to: period.to, rows: report.rows.length } }, now);
      return reportCsv(report);
    });
  }

  /** Today in Europe/London, as the report's default end. */
  today(): string {
    return londonDay(this.deps.clock.now());
  }
}
