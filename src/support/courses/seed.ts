import { hashSecret, newSecret } from '../../platform/auth/secrets.js';
import type { Queryable } from '../../platform/db/index.js';
import type { DemoSeedContext } from '../../platform/capability.js';
import { londonDay } from '../../platform/validation/dates.js';
import { londonInstant } from './form.js';

const DAY_MS = 86_400_000;
const COURSES = [
  { title: 'Trustee basics', summary: 'What trustees are responsible for, and how to run good meetings.', themes: ['community'], certificate: true,
    audience: 'New and would-be trustees of local groups', description: 'The duties of a trustee, the Charity Commission\'s guidance, conflicts of interest, minutes and decisions, and how to keep the board working well.\nBring your group\'s governing document if you have one.' },
  { title: 'Safeguarding for community groups', summary: 'Keeping children and adults at risk safe: policies, roles and what to do when worried.', themes: ['families', 'safety'], certificate: true,
    audience: 'Staff, trustees and volunteers of groups working with children or adults at risk', description: 'Recognising abuse and neglect, the safeguarding lead\'s role, writing a proportionate policy, recording concerns and making a referral.' },
  { title: 'Writing a winning funding bid', summary: 'Plan, write and check a bid that funders want to fund.', themes: ['money', 'community'], certificate: false,
    audience: 'Anyone who writes bids for a local group', description: 'Reading a funder\'s criteria, outcomes and evidence of need, budgets with full cost recovery, and the common reasons bids fail.' },
  { title: 'Getting your group online', summary: 'A website, social media and online meetings for small groups, on a small budget.', themes: ['digital'], certificate: false,
    audience: 'Groups new to digital tools', description: 'Choosing simple free tools, keeping accounts safe, reaching people online, and running a good video meeting.' },
];
const ATTENDEES = ['Grace Adeyemi', 'Tom Whitfield', 'Priya Shah', 'Owen Jenkins', 'Maria Kowalska', 'Liam O\'Connor', 'Hannah Brooks', 'Yusuf Ali', 'Beth Morgan', 'Sam Taylor',
  'Nadia Hussain', 'Joe Clarke'];
const emailOf = (name: string) => `${name.toLowerCase().replace(/[^a-z]+/g, '.')}@riverside-groups.example`;

/** Days from today, at a London hour: the demo's sessions sit around "now" whenever it is seeded. */
const at = (now: Date, days: number, minutes: number) => londonInstant(londonDay(new Date(now.getTime() + days * DAY_MS)), minutes);

/** Sessions: days from today, places, how many book (more than the places: a waiting list), register taken. */
const PLAN: { course: number; days: number; capacity: number; attendees: number; register: boolean; online?: boolean; pricePence?: number }[] = [
  { course: 0, days: -40, capacity: 12, attendees: 8, register: true },
  { course: 1, days: -20, capacity: 10, attendees: 9, register: true },
  { course: 2, days: -6, capacity: 10, attendees: 6, register: false },
  { course: 3, days: 2, capacity: 15, attendees: 5, register: false, online: true },
  { course: 1, days: 9, capacity: 4, attendees: 6, register: false },
  { course: 0, days: 30, capacity: 12, attendees: 3, register: false },
  { course: 2, days: 45, capacity: 10, attendees: 0, register: false, pricePence: 1500 },
];

/**
 * The demo's training: four courses, sessions held (registers taken, feedback given, one register still to take)
 * and to come (one this week, one full with a waiting list), booked by people of the register's groups.
 */
export async function seedTraining(tx: Queryable, { lio, now }: DemoSeedContext): Promise<void> {
  const trainer = await tx.selectFrom('users').select('id').where('email', '=', 'adviser@riverside.example').executeTakeFirst();
  const organisations = await tx.selectFrom('organisations').select(['id', 'name']).orderBy(({ fn }) => fn('lower', ['name'])).limit(6).execute();
  const foodBank = await tx.selectFrom('organisations').select('id').where('name', '=', 'Riverside Food Bank').executeTakeFirst();
  // A handful of statements, not one a row: the whole demo seed is timed.
  const people = (await tx.insertInto('people').values(ATTENDEES.map((name) => ({
    lio_id: lio.id, full_name: name, emails: [emailOf(name)], contact_methods: ['email' as const], created_at: now, updated_at: now,
  }))).returning('id').execute()).map((p) => p.id);
  const courseIds = (await tx.insertInto('courses').values(COURSES.map((c) => ({
    lio_id: lio.id, ...c, status: 'published' as const, created_by_user_id: trainer?.id ?? null, created_at: now, updated_at: now,
  }))).returning('id').execute()).map((c) => c.id);
  const orgOf = (i: number) => (i % 4 === 0 && foodBank ? foodBank.id : organisations[i % Math.max(1, organisations.length)]?.id ?? null);
  const sessions = await tx.insertInto('course_sessions').values(PLAN.map((p) => ({
    lio_id: lio.id, course_id: courseIds[p.course]!, starts_at: at(now, p.days, 10 * 60), ends_at: at(now, p.days, 12 * 60 + 30),
    venue: p.online ? null : 'Riverside Community Centre, 12 Mill Lane', online_url: p.online ? 'https://meet.riverside.example/training' : null,
    capacity: p.capacity, price_pence: p.pricePence ?? 0, created_at: now, updated_at: now,
  }))).returning('id').execute();
  const bookings = PLAN.flatMap((p, n) => Array.from({ length: p.attendees }, (_v, i) => {
    const who = (i + n * 3) % people.length;
    const waiting = i >= p.capacity;
    const booked = new Date(now.getTime() - (60 - i) * 60_000);
    return {
      lio_id: lio.id, session_id: sessions[n]!.id, person_id: people[who]!, organisation_id: orgOf(who), status: waiting ? 'waiting' as const : 'booked' as const,
      waiting_since: waiting ? booked : null, attended: p.register ? i % 5 !== 4 : null, access_needs: i === 1 ? 'Step-free access, please' : null,
      manage_token_hash: hashSecret(newSecret()), created_at: booked, updated_at: booked, feedback: p.register && i % 5 !== 4 && i % 2 === 0, i,
    };
  }));
  const rows = await tx.insertInto('course_bookings').values(bookings.map(({ feedback: _f, i: _i, ...b }) => b)).returning('id').execute();
  const feedback = bookings.flatMap((b, k) => (b.feedback ? [{
    lio_id: lio.id, booking_id: rows[k]!.id, rating: b.i % 4 === 0 ? 5 : 4, most_useful: 'The worked examples and the chance to ask about our own group.',
    improve: b.i === 0 ? 'A little more time for questions.' : null, created_at: now,
  }] : []));
  if (feedback.length) await tx.insertInto('course_feedback').values(feedback).execute();
}
