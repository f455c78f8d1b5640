import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/index.js';
import type { DemoSeedContext } from '../../platform/capability.js';
import { londonDay } from '../../platform/validation/dates.js';
import type { OpportunityValues } from './form.js';
import { fundingRepository } from './repository.js';

const DAY_MS = 86_400_000;

/**
 * DEMO DATA ONLY: funders and programmes are invented (names like real ones, so the page reads true). Deadlines are
 * counted from the day the demo is made, so some are always closing soon; they fit the demo register's groups (the
 * food bank the demo group member keeps, the lunch club, the youth project) and one is for small groups only.
 */
const OPPORTUNITIES: (Omit<OpportunityValues, 'deadline'> & { inDays: number | null })[] = [
  { funderName: 'Riverside Community Foundation', programme: 'Cost of Living Fund', summary: 'Grants for groups giving food, warmth and advice to households struggling with the cost of living this winter.',
    amountMin: '1000.00', amountMax: '10000.00', inDays: 9, eligibility: 'Constituted groups and charities working in Riverside.', organisationTypes: [], incomeBands: [],
    themes: ['food', 'money', 'advice'], areas: ['Riverside Central', 'Northgate', 'Eastfield'], url: 'https://riversidefoundation.example/cost-of-living' },
  { funderName: 'The Northern Trust for Older People', programme: 'Friendship and Lunch Clubs', summary: 'Running costs for lunch clubs, befriending and activities that bring older people together.',
    amountMin: '500.00', amountMax: '5000.00', inDays: 12, eligibility: 'Groups working with people over 60.', organisationTypes: [], incomeBands: ['under_10k', '10k_100k'],
    themes: ['older', 'loneliness'], areas: [], url: 'https://northerntrust.example/lunch-clubs' },
  { funderName: 'National Lottery Community Fund', programme: 'Awards for All', summary: 'Small grants for projects that bring people together and build strong relationships in and across communities.',
    amountMin: '300.00', amountMax: '20000.00', inDays: null, eligibility: 'Voluntary and community organisations, schools and statutory bodies.', organisationTypes: [], incomeBands: [],
    themes: ['community', 'health', 'food', 'families'], areas: [], url: 'https://lotteryfund.example/awards-for-all' },
  { funderName: 'Riverside Borough Council', programme: 'Household Support Grants', summary: 'Funding to help groups run food pantries, warm spaces and emergency support for families.',
    amountMin: '2000.00', amountMax: '25000.00', inDays: 41, eligibility: 'Registered charities and CIOs based in the borough.', organisationTypes: ['registered_charity', 'cio'], incomeBands: [],
    themes: ['food', 'money', 'crisis'], areas: [], url: 'https://riverside.example/household-support' },
  { funderName: 'Youth Futures North', programme: 'Open Doors for Young People', summary: 'Youth work, mentoring and safe spaces for young people aged 11 to 19.',
    amountMin: '5000.00', amountMax: '40000.00', inDays: 75, eligibility: 'Organisations with a youth work lead.', organisationTypes: [], incomeBands: ['10k_100k', '100k_1m'],
    themes: ['families'], areas: ['Hillside', 'Oakwood'], url: 'https://youthfutures.example/open-doors' },
  { funderName: 'Green Spaces Trust', programme: 'Community Growing', summary: 'Tools, seeds and sessions for community gardens and food growing.',
    amountMin: null, amountMax: '2500.00', inDays: 5, eligibility: 'Small groups run by volunteers.', organisationTypes: ['unincorporated', 'mutual_aid', 'cio'], incomeBands: ['under_10k'],
    themes: ['environment', 'community', 'food'], areas: [], url: 'https://greenspaces.example/growing' },
];

export async function seedFunding(tx: Queryable, { lio, now }: DemoSeedContext): Promise<void> {
  const adviser = await tx.selectFrom('users').select('id').where('lio_id', '=', lio.id).where(sql<boolean>`permission_sets @> array['adviser']::text[]`).executeTakeFirst();
  for (const [i, o] of OPPORTUNITIES.entries()) {
    const { inDays, ...values } = o;
    const deadline = inDays === null ? null : londonDay(new Date(now.getTime() + inDays * DAY_MS));
    // Published over the last weeks, so some are "new" to a digest and some are not.
    const at = new Date(now.getTime() - (i * 4 + 1) * DAY_MS);
    await fundingRepository.insert(tx, { lioId: lio.id, opportunity: { ...values, deadline }, userId: adviser?.id ?? null, now: at });
  }
  // One that closed last month, to show under "past".
  await fundingRepository.insert(tx, {
    lioId: lio.id, userId: adviser?.id ?? null, now: new Date(now.getTime() - 60 * DAY_MS),
    opportunity: { funderName: 'Riverside Community Foundation', programme: 'Summer Activities Fund', summary: 'Holiday activities and food for children.', amountMin: '500.00',
      amountMax: '3000.00', deadline: londonDay(new Date(now.getTime() - 20 * DAY_MS)), eligibility: null, organisationTypes: [], incomeBands: [], themes: ['families', 'food'], areas: [], url: null },
  });
}
