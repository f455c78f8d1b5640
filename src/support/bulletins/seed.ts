import { sql } from 'kysely';
import type { Queryable } from '../../platform/db/index.js';
import type { DemoSeedContext } from '../../platform/capability.js';
import type { BulletinItem } from '../../platform/db/support-schema.js';
import { londonDay } from '../../platform/validation/dates.js';
import { bulletinsRepository as repo } from './repository.js';
import { courseItem, fundingItem } from './form.js';

const DAY_MS = 86_400_000;

const SENT: { daysAgo: number; subject: string; introduction: string; items: BulletinItem[] }[] = [
  {
    daysAgo: 35,
    subject: 'Riverside groups bulletin: autumn funding and a trustee welcome evening',
    introduction: 'Hello everyone,\n\nAutumn is a busy time for bids, so this bulletin leads with funds that are open now. If you would like one of our advisers to read a draft before you submit, book a slot through your support page or reply to this e-mail.\n\nThank you for all you do across the district.',
    items: [
      { kind: 'funding', title: 'Awards for All England (The National Lottery Community Fund)', body: 'Grants for projects that bring people together and build strong relationships in and across communities. £300 to £20,000. Open all year.', url: 'https://www.tnlcommunityfund.org.uk/funding/programmes/national-lottery-awards-for-all-england' },
      { kind: 'funding', title: 'Community Warmth Fund (Riverside Community Foundation)', body: 'Small grants for warm spaces and winter support for people on low incomes in the district. Up to £2,500. Closes at the end of October.' },
      { kind: 'course', title: 'New trustee welcome evening', body: 'An informal evening for anyone who has joined a committee or board in the last year: what trustees are responsible for, where to find help, and the chance to meet others in the same seat. Free, at Riverside Community Hub.' },
      { kind: 'story', title: 'Northgate Mutual Aid marks five years', body: 'What began as a WhatsApp group in 2020 now delivers shopping and prescriptions to more than 60 households a week. Their coordinators share what kept volunteers coming back, and what they would do differently.' },
    ],
  },
  {
    daysAgo: 7,
    subject: 'Winter bulletin: cost of living support, safeguarding training and the sector survey',
    introduction: 'Hello everyone,\n\nAs the weather turns, many of you are seeing more people through the door. This bulletin gathers the funding and training that can help, and asks for ten minutes of your time for the sector survey: its results go straight to the Health and Wellbeing Board in February.',
    items: [
      { kind: 'story', title: 'Tell us how your winter is going: the sector survey', body: 'Ten questions on demand, volunteers and funding. We report the results, without naming any group, to the council and the NHS so that the sector’s voice is heard when money is decided.', url: 'https://www.example.org/riverside-sector-survey' },
      { kind: 'funding', title: 'Household Support Fund: community grants (Riverside Council)', body: 'Grants to groups supplying food, warmth and essentials to households in hardship this winter. £1,000 to £10,000. Closes in January.' },
      { kind: 'course', title: 'Safeguarding for small groups', body: 'A practical morning on keeping children and adults at risk safe: what a policy needs, who does what, and what to do when you are worried. £15 a place; free for members.' },
      { kind: 'story', title: 'Warm spaces map is live', body: 'Twenty-three warm spaces are now on the directory’s map, with opening times. If you run one and it is missing, sign in and add it to your listing.' },
    ],
  },
];

/**
 * Bulletins for the demo LIO: two sent to every group (in the public archive, with sent and opened counts), and a
 * draft pulling in what funding and training are open now.
 */
export async function seedBulletins(tx: Queryable, { lio, now }: DemoSeedContext): Promise<void> {
  const adviser = await tx.selectFrom('users').select('id').where('lio_id', '=', lio.id).where('email', '=', 'adviser@riverside.example').executeTakeFirst();
  for (const b of SENT) {
    const at = new Date(now.getTime() - b.daysAgo * DAY_MS);
    const id = await repo.insert(tx, lio.id, { subject: b.subject, introduction: b.introduction, items: b.items, segment: 'all_groups', segmentValue: null }, adviser?.id ?? null, at);
    await repo.queue(tx, lio.id, id, { segment: 'all_groups', value: null }, at);
    // Sent over the morning; about half opened it within the week.
    await sql`update bulletin_recipients set status = 'sent', sent_at = ${at}::timestamptz + interval '10 minutes',
        opened_at = case when abs(hashtext(email)) % 5 < 3 then ${at}::timestamptz + (abs(hashtext(email)) % 72) * interval '1 hour' end
      where bulletin_id = ${id}`.execute(tx);
    await tx.updateTable('bulletins').set({ status: 'sent', sent_at: new Date(at.getTime() + 20 * 60_000) }).where('id', '=', id).execute();
  }
  const funding = (await repo.openFunding(tx, londonDay(now))).slice(0, 2).map(fundingItem);
  const courses = (await repo.upcomingSessions(tx, now)).slice(0, 2).map(courseItem);
  await repo.insert(tx, lio.id, {
    subject: 'New year bulletin: funding open now and training for trustees',
    introduction: 'Happy new year from all of us at Riverside Community Action.\n\nHere is what is open for bids this month, and the training coming up for committees and volunteers.',
    items: [...funding, ...courses, { kind: 'story', title: 'Our annual general meeting', body: 'Members are invited to our AGM on the last Thursday of January at Riverside Community Hub, with a look back at the year and a vote on our priorities for the next.' }],
    segment: 'members', segmentValue: null,
  }, adviser?.id ?? null, now);
}
