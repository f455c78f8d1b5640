import type { Database } from '../../src/platform/db/index.js';
import { londonDay } from '../../src/platform/validation/dates.js';

const DAY_MS = 86_400_000;
let n = 0;

/** Funding opportunities, register profiles and grants for the funding and grants tests. */
export function fundingFactories(db: Database) {
  return {
    async opportunity(lio: { id: string }, o: { programme?: string; funder?: string; themes?: string[]; areas?: string[]; types?: string[]; incomes?: string[];
      inDays?: number | null; status?: 'published' | 'withdrawn'; createdAt?: Date } = {}) {
      const now = o.createdAt ?? new Date();
      const deadline = o.inDays === null ? null : londonDay(new Date(Date.now() + (o.inDays ?? 30) * DAY_MS));
      return db.withTenant(lio.id, (tx) => tx.insertInto('funding_opportunities').values({
        lio_id: lio.id, funder_name: o.funder ?? 'Riverside Foundation', programme: o.programme ?? `Programme ${++n}`, summary: 'Grants for local groups.',
        amount_min: '500.00', amount_max: '5000.00', deadline, themes: o.themes ?? [], areas: o.areas ?? [], organisation_types: o.types ?? [], income_bands: o.incomes ?? [],
        status: o.status ?? 'published', created_at: now, updated_at: now,
      }).returning(['id', 'programme']).executeTakeFirstOrThrow());
    },

    /** Sets an organisation's register profile (what fit reads). */
    async profile(lio: { id: string }, organisationId: string, p: { themes?: string[]; areas?: string[]; type?: 'registered_charity' | 'cio' | 'unincorporated' | null; income?: 'under_10k' | '10k_100k' | '100k_1m' | null; charity?: string | null; company?: string | null }) {
      await db.withTenant(lio.id, (tx) => tx.updateTable('organisations').set({
        ...(p.themes ? { themes: p.themes } : {}), ...(p.areas ? { areas_served: p.areas } : {}), ...(p.type !== undefined ? { organisation_type: p.type } : {}),
        ...(p.income !== undefined ? { income_band: p.income } : {}), ...(p.charity !== undefined ? { charity_number: p.charity } : {}), ...(p.company !== undefined ? { company_number: p.company } : {}),
      }).where('id', '=', organisationId).execute());
    },
  };
}
export type FundingFactories = ReturnType<typeof fundingFactories>;
