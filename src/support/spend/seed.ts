import type { Queryable } from '../../platform/db/index.js';
import type { DemoSeedContext } from '../../platform/capability.js';
import { londonDay } from '../../platform/validation/dates.js';
import { quarterBefore } from '../figures/service.js';
import { spendRepository } from './repository.js';

/** A small CVS's spend on support to groups, quarter by quarter: development workers, the funding adviser, training. */
const QUARTERS: { back: number; amount: string; description: string }[] = [
  { back: 4, amount: '27840.00', description: 'Development workers and funding adviser: salaries and on-costs' },
  { back: 3, amount: '31260.50', description: 'Development workers, funding adviser, and the trustee training programme' },
  { back: 2, amount: '24915.75', description: 'Development workers and funding adviser: salaries and on-costs (one post vacant for six weeks)' },
  { back: 1, amount: '36480.00', description: 'Development workers, funding adviser, and the year-end funding fair' },
  { back: 0, amount: '29950.00', description: 'Development workers and funding adviser: budget for the quarter' },
];

/**
 * The demo LIO's spend per quarter for the last year and this quarter (entered by its admin), so the leverage figure
 * has a bottom line beside the funding the demo's groups were awarded.
 */
export async function seedSpend(tx: Queryable, { lio, now }: DemoSeedContext): Promise<void> {
  const admin = await tx.selectFrom('users').select('id').where('lio_id', '=', lio.id).where('role', '=', 'admin').orderBy('created_at').executeTakeFirst();
  const today = londonDay(now);
  for (const q of QUARTERS) {
    const period = quarterBefore(today, q.back);
    await spendRepository.insert(tx, lio.id, { periodStart: period.from, periodEnd: period.to, amount: q.amount, description: q.description }, admin?.id ?? null, now);
  }
}
