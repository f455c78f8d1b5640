import type { Queryable } from '../../platform/db/index.js';
import type { DemoSeedContext } from '../../platform/capability.js';
import type { ReferralStatus, ReferralStep } from '../../platform/db/volunteering-schema.js';
import { afterWorkingDays } from './working-days.js';
import { seededVolunteer, type SeededVolunteer, type SeededVolunteers } from '../volunteers/seed.js';

const DAY_MS = 86_400_000;
const FOOD_BANK = 'Riverside Food Bank';

/*
 * The referrals part's own demo roles, with distinct titles so that they can be told apart from the opportunities
 * part's. The volunteers referred are the volunteers seed's.
 */
const ROLES = [
  { key: 'warehouse', title: 'Food bank warehouse helper', org: FOOD_BANK, places: 6, dbs: 'none' as const, description: 'Sort and pack donated food into parcels on weekday mornings at our warehouse.' },
  { key: 'driver', title: 'Parcel delivery driver', org: FOOD_BANK, places: 3, dbs: 'basic' as const, description: 'Drive food parcels to people who cannot get to us, using our van or your own car.' },
  { key: 'befriender', title: 'Telephone befriender', org: null, places: 10, dbs: 'enhanced' as const, description: 'A weekly friendly phone call with an older person who lives alone.' },
  { key: 'garden', title: 'Community garden volunteer', org: 'other', places: 8, dbs: 'none' as const, description: 'Grow vegetables and keep the shared beds tidy, Saturday mornings.' },
];

/**
 * Who is referred where, by their name in the volunteers seed, chosen so that their status there agrees: each placed
 * volunteer has started, the inactive one's placement has ended, and the rest are active.
 */
const REFERRED: { name: string; role: string; status: ReferralStatus; daysAgo: number; reason?: string; pastLimit?: boolean }[] = [
  { name: 'Zofia Wiśniewska', role: 'warehouse', status: 'enquired', daysAgo: 1 },
  { name: 'Niamh O’Connor', role: 'garden', status: 'enquired', daysAgo: 2 },
  { name: 'Tomasz Kowalski', role: 'warehouse', status: 'referred', daysAgo: 3 },
  { name: 'David Osei', role: 'driver', status: 'referred', daysAgo: 20, pastLimit: true },
  { name: 'Peter Lindqvist', role: 'garden', status: 'contacted', daysAgo: 6 },
  { name: 'Margaret Doyle', role: 'warehouse', status: 'accepted', daysAgo: 9 },
  { name: 'Rosa Fernández', role: 'garden', status: 'declined', daysAgo: 14, reason: 'Our Saturday group is full until the spring; we have suggested the Wednesday group instead.' },
  { name: 'Grace Adeyemi', role: 'befriender', status: 'started', daysAgo: 40 },
  { name: 'Hannah Cohen', role: 'befriender', status: 'started', daysAgo: 90 },
  { name: 'Chloe Bennett', role: 'garden', status: 'started', daysAgo: 60 },
  // Enquired six days ago, so started two days ago (a step a day): the month's figures on the home page count a placement from the first days of the month.
  { name: 'Kwame Mensah', role: 'warehouse', status: 'started', daysAgo: 6 },
  { name: 'Sam Gallagher', role: 'warehouse', status: 'ended', daysAgo: 120, reason: 'Moved away from Riverside.' },
  { name: 'Mohammed Rahimi', role: 'driver', status: 'withdrawn', daysAgo: 10 },
];

const ORDER: ReferralStatus[] = ['enquired', 'referred', 'contacted', 'accepted', 'started', 'ended'];

/** Referrals in every state, one of them waiting past the limit so the coordinator's home panel shows it. */
export async function seedReferrals(tx: Queryable, { lio, now }: DemoSeedContext, volunteers: SeededVolunteers): Promise<void> {
  const orgs = await tx.selectFrom('organisations').select(['id', 'name']).where('lio_id', '=', lio.id)
    .orderBy((eb) => eb('name', '=', FOOD_BANK), 'desc').orderBy('name').limit(2).execute();
  const foodBank = orgs[0] ?? null;
  const other = orgs[1] ?? null;
  const roleIds = new Map<string, string>();
  for (const r of ROLES) {
    const org = r.org === FOOD_BANK ? foodBank : r.org === 'other' ? other : null;
    const row = await tx.insertInto('opportunities').values({
      lio_id: lio.id, organisation_id: org?.id ?? null, title: r.title, description: r.description, schedule: 'regular', places: r.places,
      dbs_level: r.dbs, minimum_age: r.dbs === 'none' ? 16 : 18, status: 'published', approved_at: now, created_at: new Date(now.getTime() - 150 * DAY_MS), updated_at: now,
    }).returning(['id', 'organisation_id']).executeTakeFirstOrThrow();
    roleIds.set(r.key, row.id);
  }
  for (const p of REFERRED) {
    const at = new Date(now.getTime() - p.daysAgo * DAY_MS);
    const volunteer = seededVolunteer(volunteers, p.name);
    const roleId = roleIds.get(p.role)!;
    const role = await tx.selectFrom('opportunities').select(['organisation_id', 'dbs_level']).where('id', '=', roleId).executeTakeFirstOrThrow();
    if (role.dbs_level !== 'none') {
      await tx.insertInto('vetting_checks').values({ lio_id: lio.id, volunteer_id: volunteer.id, kind: 'dbs', dbs_level: 'enhanced', outcome: 'passed', issued_on: '2025-06-01', expires_on: '2028-06-01' }).execute();
    }
    // The steps, a day or two apart, up to the state it has reached.
    const reached = p.status === 'declined' ? ['enquired', 'referred', 'contacted', 'declined'] as ReferralStatus[]
      : p.status === 'withdrawn' ? ['enquired', 'referred', 'withdrawn'] as ReferralStatus[] : ORDER.slice(0, ORDER.indexOf(p.status) + 1);
    const when = (i: number) => new Date(at.getTime() + i * (p.status === 'ended' ? 20 : 1) * DAY_MS);
    const dateOf = (s: ReferralStatus) => (reached.includes(s) ? when(reached.indexOf(s)) : null);
    const chasedAt = p.pastLimit ? afterWorkingDays(at, 5) : null;
    const referral = await tx.insertInto('referrals').values({
      lio_id: lio.id, volunteer_id: volunteer.id, opportunity_id: roleId, organisation_id: role.organisation_id, status: p.status,
      enquired_at: at, referred_at: dateOf('referred'), contacted_at: dateOf('contacted'), answered_at: dateOf('accepted') ?? dateOf('declined'),
      started_at: dateOf('started'), ended_at: dateOf('ended'), decline_reason: p.status === 'declined' ? p.reason! : null, end_reason: p.status === 'ended' ? p.reason! : null,
      chased_at: chasedAt, escalated_at: chasedAt ? afterWorkingDays(chasedAt, 5) : null, created_at: at, updated_at: when(reached.length - 1),
    }).returning('id').executeTakeFirstOrThrow();
    const steps: { step: ReferralStep; at: Date; label: string; note: string | null }[] = reached.map((s, i) => ({
      step: s, at: when(i), label: s === 'enquired' || s === 'withdrawn' ? volunteer.email : s === 'referred' ? 'coordinator@riverside.example' : 'The organisation', note: (s === 'declined' || s === 'ended') ? p.reason! : null,
    }));
    if (chasedAt) {
      steps.push({ step: 'chased', at: chasedAt, label: 'Chaser', note: 'Reminder e-mailed to the organisation' });
      steps.push({ step: 'escalated', at: afterWorkingDays(chasedAt, 5), label: 'Chaser', note: 'Still not contacted after the reminder: passed to the volunteer coordinators' });
    }
    await tx.insertInto('referral_steps').values(steps.map((s) => ({ lio_id: lio.id, referral_id: referral.id, step: s.step, at: s.at, actor_label: s.label, note: s.note }))).execute();
  }
  // The volunteers seed makes Ella Nowak only when the accounts part made her sign-in (the demo volunteer's account).
  const ella = volunteers.get('Ella Nowak');
  if (ella) {
    await seedEllas(tx, lio.id, ella, roleIds.get('garden')!, 'enquired', 2, now);
    // Accepted, not started, so she stays Active; the hours seed gives the placement hours to log and confirm.
    await seedEllas(tx, lio.id, ella, roleIds.get('warehouse')!, 'accepted', 24, now);
  }
}

/** The demo volunteer's own enquiry and placement, so /my-volunteering/enquiries and /my-volunteering/hours have some to show. */
async function seedEllas(tx: Queryable, lioId: string, ella: SeededVolunteer, roleId: string, status: 'enquired' | 'accepted', daysAgo: number, now: Date): Promise<void> {
  const at = new Date(now.getTime() - daysAgo * DAY_MS);
  const reached: ReferralStatus[] = status === 'enquired' ? ['enquired'] : ['enquired', 'referred', 'contacted', 'accepted'];
  const when = (i: number) => new Date(at.getTime() + i * DAY_MS);
  const referral = await tx.insertInto('referrals').values({
    lio_id: lioId, volunteer_id: ella.id, opportunity_id: roleId, status, enquired_at: at, created_at: at, updated_at: when(reached.length - 1),
    referred_at: status === 'accepted' ? when(1) : null, contacted_at: status === 'accepted' ? when(2) : null, answered_at: status === 'accepted' ? when(3) : null,
    organisation_id: (await tx.selectFrom('opportunities').select('organisation_id').where('id', '=', roleId).executeTakeFirstOrThrow()).organisation_id,
  }).returning('id').executeTakeFirstOrThrow();
  await tx.insertInto('referral_steps').values(reached.map((step, i) => ({
    lio_id: lioId, referral_id: referral.id, step, at: when(i), actor_label: step === 'enquired' ? ella.email : step === 'referred' ? 'coordinator@riverside.example' : 'The organisation',
  }))).execute();
}
