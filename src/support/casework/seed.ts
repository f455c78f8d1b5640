import type { Queryable } from '../../platform/db/index.js';
import type { DemoSeedContext } from '../../platform/capability.js';
import type { CaseAskedVia, CaseStatus, OutcomeKind, SupportTopic } from '../../platform/db/support-schema.js';
import { createHash } from 'node:crypto';
import { londonDay } from '../../platform/validation/dates.js';
import { HEALTH_QUESTIONS } from '../health-checks/form.js';
import { caseworkRepository as repo } from './repository.js';

const FOOD_BANK = 'Riverside Food Bank';
const DAY_MS = 86_400_000;

interface DemoCase {
  org: number | 'food_bank'; topic: SupportTopic; title: string; request: string; via: CaseAskedVia; asker: [string, string]; status: CaseStatus;
  adviser: boolean; openedDaysAgo: number; next?: [string, number]; notes?: [string, number, number, boolean?][]; outcome?: [OutcomeKind, string, number];
  applications?: { funder: string; programme: string; asked: string; status: 'submitted' | 'awarded' | 'declined' | 'in_preparation'; awarded?: string; submittedDaysAgo?: number; decidedDaysAgo?: number }[];
  closing?: string; health?: boolean; document?: { fileName: string; text: string };
}

/** A realistic spread of a term's casework: some of the demo adviser's due today and overdue, new requests no one has taken. */
const CASES: DemoCase[] = [
  { org: 'food_bank', topic: 'funding', title: 'Bid to the National Lottery Awards for All', via: 'enquiry_form', asker: ['Dan Murphy', 'group@riverside.example'], status: 'open', adviser: true, openedDaysAgo: 12,
    request: 'We want to apply for about £9,000 to run our winter warm space and need help with the outcomes section. The round closes at the end of next month.',
    next: ['Read the draft outcomes section and send comments', 0], notes: [['Called Dan: talked through what the funder looks for in outcomes. He will send a first draft.', 45, 10, true]],
    document: { fileName: 'Draft outcomes.txt', text: 'Outcomes for the winter warm space\n\n1. Fewer older people alone on winter evenings: 40 regulars by February.\n2. A hot meal twice a week for 60 people.\n3. Six new volunteers trained in food hygiene.\n' } },
  { org: 0, topic: 'governance', title: 'New constitution for a CIO', via: 'phone', asker: ['Mariam Qureshi', 'mariam.qureshi@example.org'], status: 'open', adviser: true, openedDaysAgo: 30,
    request: 'The committee wants to become a CIO and needs a constitution and advice on what changes for trustees.', next: ['Send the Charity Commission foundation model with our notes', -3],
    notes: [['Met the committee; explained foundation and association models. They prefer foundation.', 90, 25], ['Drafted objects wording with the chair.', 60, 18]], health: true },
  { org: 1, topic: 'policies_safeguarding', title: 'Safeguarding policy for the youth club', via: 'email', asker: ['Tom Bright', 'tom.bright@example.org'], status: 'waiting_on_group', adviser: true, openedDaysAgo: 21,
    request: 'We run a youth club on Friday evenings and our funder asks for a safeguarding policy and a named lead.', next: ['Group to choose their designated safeguarding lead', -1],
    notes: [['Sent the template policy and the NSPCC checklist.', 40, 14, true]], outcome: ['policy_adopted', 'Safeguarding policy adopted by the committee', 3] },
  { org: 2, topic: 'finance', title: 'Setting up a reserves policy', via: 'in_person', asker: ['Grace Adeyemi', 'grace.adeyemi@example.org'], status: 'open', adviser: true, openedDaysAgo: 8,
    request: 'Our treasurer is new and wants to know how much we should keep in reserve.', next: ['Go through last year’s accounts with the treasurer', 2], notes: [['Treasurer visited the drop-in; gave the reserves guide.', 30, 8]] },
  { org: 0, topic: 'funding', title: 'Community Foundation bid for the lunch club', via: 'email', asker: ['Mariam Qureshi', 'mariam.qureshi@example.org'], status: 'closed', adviser: true, openedDaysAgo: 150,
    request: 'Help with a bid to the Community Foundation to keep the lunch club going for another year.', notes: [['Reviewed the budget and the case for support.', 120, 140], ['Final read of the bid before submission.', 45, 120]],
    applications: [{ funder: 'Riverside Community Foundation', programme: 'Small grants', asked: '4800.00', status: 'awarded', awarded: '4500.00', submittedDaysAgo: 118, decidedDaysAgo: 60 }],
    closing: 'The bid was funded: £4,500 for a further year of the lunch club.', outcome: ['finance_improved', 'A year of funding secured for the lunch club', 60] },
  { org: 1, topic: 'funding', title: 'Trust applications for a minibus', via: 'referral', asker: ['Tom Bright', 'tom.bright@example.org'], status: 'open', adviser: true, openedDaysAgo: 70,
    request: 'The council community team referred the group: they need a minibus to take young people to activities.',
    applications: [
      { funder: 'Motability Community Fund', programme: 'Vehicles', asked: '28000.00', status: 'declined', submittedDaysAgo: 60, decidedDaysAgo: 20 },
      { funder: 'Garfield Weston Foundation', programme: 'Regular grants', asked: '15000.00', status: 'submitted', submittedDaysAgo: 10 },
    ], next: ['Chase the decision from Garfield Weston', 14], notes: [['Helped rewrite the bid after the Motability decline.', 75, 12]] },
  { org: 3, topic: 'setting_up', title: 'Starting a repair café', via: 'enquiry_form', asker: ['Huw Lewis', 'huw.lewis@example.org'], status: 'new', adviser: false, openedDaysAgo: 1,
    request: 'A few of us want to start a monthly repair café. What do we need to do first: a constitution, a bank account, insurance?' },
  { org: 2, topic: 'volunteers', title: 'Recruiting drivers', via: 'phone', asker: ['Grace Adeyemi', 'grace.adeyemi@example.org'], status: 'new', adviser: false, openedDaysAgo: 2,
    request: 'We need three more volunteer drivers for hospital transport and want help with the role description and checks.' },
  { org: 4, topic: 'charity_registration', title: 'Registering with the Charity Commission', via: 'email', asker: ['Priya Shah', 'priya.shah@example.org'], status: 'closed', adviser: true, openedDaysAgo: 200,
    request: 'Our income has gone over £5,000 and we think we need to register as a charity.', notes: [['Walked through the online application together.', 90, 190]],
    closing: 'Registered as a charity.', outcome: ['registered_charity', 'Registered with the Charity Commission', 150] },
  { org: 3, topic: 'digital', title: 'Moving to shared online files', via: 'in_person', asker: ['Huw Lewis', 'huw.lewis@example.org'], status: 'open', adviser: true, openedDaysAgo: 5,
    request: 'Everything is on one volunteer’s laptop. We want shared files and a group email address.', next: ['Set up a digital health session', 0] },
];

/** The demo LIO's casework: cases across its organisations, the demo adviser's due and overdue, and one asked by the demo group. */
export async function seedCasework(tx: Queryable, { lio, now }: DemoSeedContext): Promise<void> {
  const orgs = await tx.selectFrom('organisations').select(['id', 'name']).where('lio_id', '=', lio.id).where('name', '<>', FOOD_BANK).orderBy('name').limit(5).execute();
  const foodBank = await tx.selectFrom('organisations').select(['id', 'name']).where('lio_id', '=', lio.id).where('name', '=', FOOD_BANK).executeTakeFirst();
  const adviser = await tx.selectFrom('users').select('id').where('lio_id', '=', lio.id).where('email', '=', 'adviser@riverside.example').executeTakeFirst();
  const groupUser = await tx.selectFrom('users').select(['id', 'person_id']).where('lio_id', '=', lio.id).where('email', '=', 'group@riverside.example').executeTakeFirst();
  const day = (daysAgo: number) => londonDay(new Date(now.getTime() - daysAgo * DAY_MS));
  for (const d of CASES) {
    const org = d.org === 'food_bank' ? foodBank : orgs[d.org % Math.max(orgs.length, 1)];
    if (!org) continue;
    const fromGroup = d.org === 'food_bank' && groupUser;
    const personId = fromGroup ? groupUser.person_id : await demoPerson(tx, lio.id, d.asker, now);
    const adviserId = d.adviser ? adviser?.id ?? null : null;
    const id = await repo.insertCase(tx, {
      lioId: lio.id, reference: await repo.nextReference(tx, lio.id), organisationId: org.id, topic: d.topic, title: d.title, request: d.request, askedVia: d.via,
      askedByPersonId: personId, askedByUserId: fromGroup ? groupUser.id : null, referredBy: d.via === 'referral' ? 'Council community team' : null, adviserUserId: adviserId,
      contactPreference: 'email', nextAction: d.next?.[0] ?? null, nextActionDue: d.next ? day(-d.next[1]) : null, openedOn: day(d.openedDaysAgo), now,
    });
    if (d.status !== 'new' && d.status !== 'open') {
      await repo.update(tx, id, d.status === 'closed' ? { status: 'closed', closed_on: day(20), closing_summary: d.closing ?? 'Support finished.' } : { status: d.status }, now);
    }
    for (const [body, minutes, daysAgo, shared] of d.notes ?? []) {
      await repo.insertNote(tx, { lioId: lio.id, caseId: id, authorUserId: adviserId, body, minutes, workedOn: day(daysAgo), shared: shared ?? false, fromGroup: false, now: new Date(now.getTime() - daysAgo * DAY_MS) });
    }
    if (d.outcome) await repo.insertOutcome(tx, { lioId: lio.id, caseId: id, kind: d.outcome[0], detail: d.outcome[1], achievedOn: day(d.outcome[2]), userId: adviserId!, now });
    for (const a of d.applications ?? []) {
      await tx.insertInto('funding_applications').values({
        lio_id: lio.id, organisation_id: org.id, case_id: id, funder_name: a.funder, programme: a.programme, amount_requested: a.asked, status: a.status,
        submitted_on: a.submittedDaysAgo === undefined ? null : day(a.submittedDaysAgo), decision_on: a.decidedDaysAgo === undefined ? null : day(a.decidedDaysAgo),
        amount_awarded: a.awarded ?? null, created_at: now, updated_at: now,
      }).execute();
    }
    if (d.health) await seedHealthPair(tx, lio.id, org.id, id, adviserId, day, now);
    // Kept in the database whatever SUPPORT_DOCUMENTS_DIR says: a document is served from wherever it is kept.
    if (d.document && adviserId) {
      const bytes = Buffer.from(d.document.text);
      await repo.insertDocument(tx, {
        lioId: lio.id, caseId: id, fileName: d.document.fileName, mediaType: 'text/plain', size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'),
        content: bytes, storageKey: null, userId: adviserId, now,
      });
    }
  }
}

async function demoPerson(tx: Queryable, lioId: string, [name, email]: [string, string], now: Date): Promise<string> {
  const held = await repo.personByEmail(tx, email);
  return held ? held.id : (await repo.insertPerson(tx, { lioId, fullName: name, email, phone: null, now })).id;
}

/** A health check before support and one after, to show the change. */
async function seedHealthPair(tx: Queryable, lioId: string, organisationId: string, caseId: string, userId: string | null, day: (n: number) => string, now: Date) {
  const before = [1, 2, 1, 1, 2, 1, 1, 0, 1];
  const after = [3, 2, 2, 3, 2, 2, 2, 1, 2];
  for (const [stage, levels, daysAgo] of [['before', before, 28], ['after', after, 1]] as const) {
    const answers = Object.fromEntries(HEALTH_QUESTIONS.map((q, i) => [q.code, levels[i]!]));
    await tx.insertInto('group_health_checks').values({
      lio_id: lioId, organisation_id: organisationId, case_id: caseId, stage, answers: JSON.stringify(answers), score: levels.reduce((a, b) => a + b, 0),
      assessed_on: day(daysAgo), assessed_by_user_id: userId, created_at: now,
    }).execute();
  }
}
