import { hashSecret, newSecret } from '../../platform/auth/secrets.js';
import type { Queryable } from '../../platform/db/index.js';
import type { DemoSeedContext } from '../../platform/capability.js';
import { londonDay } from '../../platform/validation/dates.js';
import { bookingsRepository } from '../bookings/repository.js';
import { coursesRepository } from './repository.js';
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

/**
 * The demo's training: four courses, sessions held (registers taken, feedback given, one register still to take)
 * and to come (one this week, one full with a waiting list), booked by people of the register's groups.
 */
export async function seedTraining(tx: Queryable, { lio, now }: DemoSeedContext): Promise<void> {
  const trainer = await tx.selectFrom('users').select('id').where('email', '=', 'adviser@riverside.example').executeTakeFirst();
  const organisations = await tx.selectFrom('organisations').select(['id', 'name']).orderBy(({ fn }) => fn('lower', ['name'])).limit(6).execute();
  const foodBank = await tx.selectFrom('organisations').select('id').where('name', '=', 'Riverside Food Bank').executeTakeFirst();
  const people: string[] = [];
  for (const name of ATTENDEES) people.push((await bookingsRepository.insertPerson(tx, { lioId: lio.id, fullName: name, email: emailOf(name), now })).id);
  const courseIds: string[] = [];
  for (const c of COURSES) courseIds.push((await coursesRepository.insertCourse(tx, lio.id, { ...c, status: 'published' }, trainer?.id ?? null, now)).id);
  const orgOf = (i: number) => (i % 4 === 0 && foodBank ? foodBank.id : organisations[i % Math.max(1, organisations.length)]?.id ?? null);
  const plan = [
    { course: 0, days: -40, capacity: 12, attendees: 8, register: true, feedback: true },
    { course: 1, days: -20, capacity: 10, attendees: 9, register: true, feedback: true },
    { course: 2, days: -6, capacity: 10, attendees: 6, register: false, feedback: false },
    { course: 3, days: 2, capacity: 15, attendees: 5, register: false, feedback: false, online: true },
    { course: 1, days: 9, capacity: 4, attendees: 6, register: false, feedback: false },
    { course: 0, days: 30, capacity: 12, attendees: 3, register: false, feedback: false },
    { course: 2, days: 45, capacity: 10, attendees: 0, register: false, feedback: false, pricePence: 1500 },
  ];
  for (const [n, p] of plan.entries()) {
    const session = await coursesRepository.insertSession(tx, lio.id, courseIds[p.course]!, {
      startsAt: at(now, p.days, 10 * 60), endsAt: at(now, p.days, 12 * 60 + 30), venue: p.online ? null : 'Riverside Community Centre, 12 Mill Lane',
      onlineUrl: p.online ? 'https://meet.riverside.example/training' : null, capacity: p.capacity, pricePence: p.pricePence ?? 0,
    }, now);
    for (let i = 0; i < p.attendees; i++) {
      const who = (i + n * 3) % people.length;
      const waiting = i >= p.capacity;
      const booking = await bookingsRepository.insertBooking(tx, {
        lioId: lio.id, sessionId: session.id, personId: people[who]!, organisationId: orgOf(who), userId: null, status: waiting ? 'waiting' : 'booked',
        accessNeeds: i === 1 ? 'Step-free access, please' : null, tokenHash: hashSecret(newSecret()), now: new Date(now.getTime() - (60 - i) * 60_000),
      });
      if (p.register) await coursesRepository.markAttendance(tx, session.id, booking.id, i % 5 !== 4, now);
      if (p.feedback && i % 5 !== 4 && i % 2 === 0) {
        await bookingsRepository.insertFeedback(tx, { lioId: lio.id, bookingId: booking.id, rating: 4 + (i % 4 === 0 ? 1 : 0), mostUseful: 'The worked examples and the chance to ask about our own group.', improve: i === 0 ? 'A little more time for questions.' : null, now });
      }
    }
  }
}
