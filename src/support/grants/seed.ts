import type { Queryable } from '../../platform/db/index.js';
import type { DemoSeedContext } from '../../platform/capability.js';
import { londonDay } from '../../platform/validation/dates.js';
import { grantsRepository } from './repository.js';
import type { GrantRecord } from './record.js';

const DAY_MS = 86_400_000;

/**
 * DEMO DATA ONLY: a few hundred grants as if imported from several funders' 360Giving files (funders, identifiers
 * and amounts invented): most to the demo register's charities, found by their charity or company numbers as funders
 * write them ('GB-CHC-…', 'GB-COH-…', or only in the number fields), some to local groups not on the register that
 * benefit the register's wards, and some elsewhere, so the local pages have something to leave out.
 */
const FUNDERS = [
  { id: '360G-riversidecf', org: 'GB-CHC-1099001', name: 'Riverside Community Foundation', programmes: ['Cost of Living Fund', 'Small Grants', 'Winter Warmth'], weight: 5, sizes: [500, 1000, 2500, 5000] },
  { id: '360G-tnlcf', org: 'GB-GOR-PB188', name: 'The National Lottery Community Fund', programmes: ['Awards for All', 'Reaching Communities'], weight: 4, sizes: [5000, 10000, 20000, 75000] },
  { id: '360G-northerntrust', org: 'GB-CHC-1088002', name: 'The Northern Trust for Older People', programmes: ['Friendship and Lunch Clubs'], weight: 2, sizes: [750, 1500, 3000] },
  { id: '360G-youthfutures', org: 'GB-CHC-1077003', name: 'Youth Futures North', programmes: ['Open Doors for Young People'], weight: 1, sizes: [8000, 15000, 30000] },
  { id: '360G-greenspaces', org: 'GB-CHC-1066004', name: 'Green Spaces Trust', programmes: ['Community Growing'], weight: 1, sizes: [400, 900, 2500] },
];
const OTHERS = [
  { name: 'Hillside Allotment Society', place: 'Hillside' }, { name: 'Eastfield Toddler Group', place: 'Eastfield' }, { name: 'Leeds Debt Advice', place: 'Leeds' },
  { name: 'Bradford Youth Theatre', place: 'Bradford' }, { name: 'Canalside Litter Pickers', place: 'Canalside' }, { name: 'York Dementia Friends', place: 'York' },
];

/** A fixed pseudo-random sequence, so every demo is the same. */
function sequence(seed: number) {
  let s = seed;
  return () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648; };
}

export async function seedGrants(tx: Queryable, { lio, now }: DemoSeedContext): Promise<void> {
  const register = await tx.selectFrom('organisations').select(['name', 'charity_number', 'company_number', 'postcode'])
    .where('lio_id', '=', lio.id).where('charity_number', 'is not', null).orderBy('name').execute();
  const next = sequence(42);
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!;
  const weighted = FUNDERS.flatMap((f) => Array<typeof f>(f.weight).fill(f));
  const records: GrantRecord[] = [];
  for (let i = 0; i < 320; i++) {
    const funder = pick(weighted);
    // Most grants go to the first organisations on the register more than the rest: a few groups win most funding.
    const toRegister = next() < 0.75 && register.length > 4;
    const org = toRegister ? register[Math.floor(next() ** 2 * (register.length - 4))]! : null;
    const other = pick(OTHERS);
    const style = i % 3;
    const recipientId = org ? (style === 2 && org.company_number ? `GB-COH-${org.company_number}` : `GB-CHC-${org.charity_number}`) : `360G-recipient-${other.name.toLowerCase().replace(/\W+/g, '-')}`;
    records.push({
      identifier: `${funder.id}-${String(1000 + i)}`, title: `${pick(funder.programmes)} grant`, description: 'Grant towards running costs and activities.',
      currency: 'GBP', amount_awarded: `${pick(funder.sizes) + (i % 7) * 50}.00`, award_date: londonDay(new Date(now.getTime() - Math.floor(next() * 1100) * DAY_MS)),
      grant_programme: pick(funder.programmes), funding_org_identifier: funder.org, funding_org_name: funder.name,
      recipient_org_identifier: recipientId, recipient_org_name: org?.name ?? other.name,
      recipient_charity_number: org && style === 1 ? org.charity_number : null, recipient_company_number: null, recipient_postcode: org && style === 0 ? org.postcode : null,
      beneficiary_locations: [org ? 'Riverside' : other.place],
    });
  }
  // Charity numbers written only in the identifier are read as the importer reads them.
  for (const r of records) {
    if (r.recipient_org_identifier.startsWith('GB-CHC-')) r.recipient_charity_number ??= r.recipient_org_identifier.slice(7);
    if (r.recipient_org_identifier.startsWith('GB-COH-')) r.recipient_company_number = r.recipient_org_identifier.slice(7).padStart(8, '0');
  }
  const imported = await tx.insertInto('grant_imports').values({
    lio_id: lio.id, file_name: 'riverside-funders-360giving.json', format: 'json', status: 'imported', rows_read: records.length, rows_written: records.length,
    created_at: new Date(now.getTime() - 2 * DAY_MS), finished_at: new Date(now.getTime() - 2 * DAY_MS),
  }).returning('id').executeTakeFirstOrThrow();
  for (let i = 0; i < records.length; i += 100) await grantsRepository.upsert(tx, lio.id, imported.id, records.slice(i, i + 100).map((r) => ({ ...r, organisation_id: null })), now);
  await grantsRepository.rematch(tx);
}
