import type { Queryable } from '../../platform/db/index.js';
import type { DemoSeedContext } from '../../platform/capability.js';
import { londonDay } from '../../platform/validation/dates.js';

const DAY_MS = 86_400_000;
const DEMO_GROUP = 'Riverside Food Bank';
/** Days from today to each member's renewal, in register order: two due within the month (one this week), the rest later. */
const RENEWS_IN = [6, 24, 75, 140, 210, 300, 35, 180];

/**
 * Membership types and members for the demo LIO: the register's members and associates (as the directory's demo marks
 * them) get memberships that agree with it, a couple due for renewal soon; the demo group member's Riverside Food Bank
 * has asked to join and waits for approval.
 */
export async function seedMembership(tx: Queryable, { lio, now }: DemoSeedContext): Promise<void> {
  const day = (offset: number) => londonDay(new Date(now.getTime() + offset * DAY_MS));
  const types = await tx.insertInto('membership_types').values([
    { lio_id: lio.id, name: 'Full member', description: 'For local voluntary and community groups: a vote at the AGM, a place on our forums, first news of funding and training.', register_flag: 'member', annual_fee_pence: 2500, term_months: 12, created_at: now },
    { lio_id: lio.id, name: 'Associate member', description: 'For statutory bodies, businesses and groups outside the district: bulletins and forums, no vote.', register_flag: 'associate', annual_fee_pence: 5000, term_months: 12, created_at: now },
    { lio_id: lio.id, name: 'Small group member', description: 'Full membership for groups with an income under £10,000.', register_flag: 'member', annual_fee_pence: 0, term_months: 24, created_at: now },
  ]).returning(['id', 'name', 'register_flag']).execute();
  const typeOf = (flag: string) => types.find((t) => t.register_flag === (flag === 'associate' ? 'associate' : 'member'))!;
  const flagged = await tx.selectFrom('organisations').select(['id', 'name', 'membership']).where('lio_id', '=', lio.id)
    .where('membership', '<>', 'none').where('name', '<>', DEMO_GROUP).orderBy('name').execute();
  for (const [i, o] of flagged.entries()) {
    const renewsIn = o.membership === 'lapsed' ? -60 : RENEWS_IN[i % RENEWS_IN.length]!;
    await tx.insertInto('memberships').values({
      lio_id: lio.id, organisation_id: o.id, membership_type_id: typeOf(o.membership).id, status: o.membership === 'lapsed' ? 'lapsed' : 'active',
      joined_on: day(renewsIn - 365 * (1 + (i % 3))), renews_on: day(renewsIn), lapsed_on: o.membership === 'lapsed' ? day(renewsIn + 30) : null,
      created_at: now, updated_at: now,
    }).execute();
  }
  const group = await tx.selectFrom('organisations').select('id').where('lio_id', '=', lio.id).where('name', '=', DEMO_GROUP).executeTakeFirst();
  if (group) {
    const applicant = await tx.selectFrom('users').select('id').where('lio_id', '=', lio.id).where('role', '=', 'group_member').where('organisation_id', '=', group.id).executeTakeFirst();
    await tx.insertInto('memberships').values({
      lio_id: lio.id, organisation_id: group.id, membership_type_id: typeOf('member').id, status: 'pending', joined_on: day(-2), renews_on: day(363),
      applied_by_user_id: applicant?.id ?? null, created_at: now, updated_at: now,
    }).execute();
  }
}
