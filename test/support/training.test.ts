import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { Client, errorSummary, mainText, signedInClient } from '../helpers/client.js';
import { trainingFactories, type TrainingFactories } from '../helpers/training-factories.js';

type Lio = Awaited<ReturnType<TestContext['make']['lio']>>;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let t: TestContext;
let f: TrainingFactories;
beforeAll(async () => { t = await createTestApp(); f = trainingFactories(t.db); });
afterAll(async () => { await t?.close(); });

const inDays = (n: number) => new Date(t.clock.now().getTime() + n * DAY);
const mailTo = (lio: Lio, to: string) => t.db.withTenant(lio.id, (tx) => tx.selectFrom('email_messages').select(['subject', 'body_text']).where('to_address', '=', to).orderBy('created_at').execute());
const tokenIn = (text: string) => /\/training\/bookings\/([A-Za-z0-9_-]+)/.exec(text)?.[1] ?? '';
const bookingsOf = (lio: Lio, sessionId: string) => t.db.withTenant(lio.id, (tx) => tx.selectFrom('course_bookings as b').innerJoin('people as p', 'p.id', 'b.person_id')
  .select(['b.id', 'b.status', 'b.person_id', 'b.attended', 'b.organisation_id', 'b.access_needs', 'p.full_name']).where('b.session_id', '=', sessionId).orderBy('b.created_at').execute());
const bookForm = (name: string, email: string, extra: Record<string, string> = {}) => ({ fullName: name, email, organisationId: '', accessNeeds: '', ...extra });
const trainer = async (lio: Lio) => signedInClient(t.app, lio.host, await t.make.user(lio, { role: 'staff', permissionSets: ['trainer'] }));

describe('courses and sessions for trainers', () => {
  it('a trainer adds a course and a session, which the public listing and course page show with places left', async () => {
    const lio = await t.make.lio();
    const staff = await trainer(lio);
    const added = await staff.submit('/support/training/courses/new', '/support/training/courses', {
      title: 'Trustee basics', summary: 'What trustees do.', description: 'Duties, meetings and decisions.', audience: 'New trustees', themes: ['community'], certificate: 'yes', status: 'published',
    });
    expect(added.status).toBe(303);
    const coursePath = added.location!;
    const day = inDays(10);
    const date = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', day: 'numeric', month: 'numeric', year: 'numeric' }).format(day).split('/');
    const session = await staff.submit(`${coursePath}/sessions/new`, `${coursePath}/sessions`, {
      'date-day': date[0]!, 'date-month': date[1]!, 'date-year': date[2]!, startTime: '10:00', endTime: '12:30', venue: 'Mill Lane Centre', onlineUrl: '', capacity: '8', price: '12.50',
    });
    expect(session.status).toBe(303);
    const stored = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('course_sessions').selectAll().executeTakeFirstOrThrow());
    expect(stored).toMatchObject({ capacity: 8, price_pence: 1250, venue: 'Mill Lane Centre' });
    expect(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(stored.starts_at)).toBe('10:00');
    expect(stored.ends_at.getTime() - stored.starts_at.getTime()).toBe(2.5 * HOUR);

    const visitor = new Client(t.app, lio.host);
    const listing = await visitor.get('/training');
    expect(listing.$('[data-testid="sessions"]').text()).toContain('Trustee basics');
    expect(listing.$('[data-testid="places"]').first().text()).toBe('8 places left');
    const course = await visitor.get(`/training/courses/${stored.course_id}`);
    expect(mainText(course)).toContain('£12.50');
    expect(mainText(course)).toContain('10am to 12:30pm');
  });

  it('bad dates, times, capacity, links and prices come back with status 400 naming each field, and nothing is stored', async () => {
    const lio = await t.make.lio();
    const staff = await trainer(lio);
    const course = await f.course(lio);
    const url = `/support/training/courses/${course.id}/sessions`;
    const past = inDays(-3);
    const bad = await staff.submit(`${url}/new`, url, {
      'date-day': String(past.getUTCDate()), 'date-month': String(past.getUTCMonth() + 1), 'date-year': String(past.getUTCFullYear()),
      startTime: '14:00', endTime: '13:00', venue: '', onlineUrl: 'javascript:alert(1)', capacity: '0', price: '12.345',
    });
    expect(bad.status).toBe(400);
    expect(errorSummary(bad)).toEqual([
      { text: 'The session must start in the future', href: '#date-day' },
      { text: 'The end time must be after the start time', href: '#endTime' },
      { text: 'Enter the online link as a full web address starting http:// or https://, like https://meet.example.org/training', href: '#onlineUrl' },
      { text: 'Enter the number of places as a whole number from 1 to 10000', href: '#capacity' },
      { text: 'Enter the price in pounds and pence, like 12.50, or leave it empty for a free session', href: '#price' },
    ]);
    const unreal = await staff.submit(`${url}/new`, url, { 'date-day': '31', 'date-month': '2', 'date-year': '2030', startTime: '25:00', endTime: '', venue: '', capacity: 'ten' });
    expect(errorSummary(unreal)).toEqual([
      { text: 'The date of the session must be a real date, like 27 3 2027', href: '#date-day' },
      { text: 'Enter the start time as hours and minutes on the 24-hour clock, like 10:00 or 14:30', href: '#startTime' },
      { text: 'Enter the end time, like 12:30', href: '#endTime' },
      { text: 'Enter the venue, an online link, or both', href: '#venue' },
      { text: 'Enter the number of places as a whole number from 1 to 10000', href: '#capacity' },
    ]);
    const inPast = await staff.submit(`${url}/new`, url, {
      'date-day': String(past.getUTCDate()), 'date-month': String(past.getUTCMonth() + 1), 'date-year': String(past.getUTCFullYear()), startTime: '10:00', endTime: '11:00', venue: 'Hall', capacity: '5',
    });
    expect(errorSummary(inPast)).toEqual([{ text: 'The session must start in the future', href: '#date-day' }]);
    const emptyCourse = await staff.submit('/support/training/courses/new', '/support/training/courses', { title: '', summary: '', description: '', themes: ['not-a-theme'], certificate: 'maybe', status: '' });
    expect(emptyCourse.status).toBe(400);
    expect(errorSummary(emptyCourse).map((e) => e.href)).toEqual(['#title', '#summary', '#description', '#themes', '#certificate', '#status']);
    expect(await t.db.withTenant(lio.id, (tx) => tx.selectFrom('course_sessions').select('id').execute())).toHaveLength(0);
    expect(await t.db.withTenant(lio.id, (tx) => tx.selectFrom('courses').select('id').execute())).toHaveLength(1);
  });

  it('only trainers and admins reach the trainers’ pages; a draft course is not public', async () => {
    const lio = await t.make.lio();
    const course = await f.course(lio, { status: 'draft', title: 'Not yet' });
    await f.session(lio, { courseId: course.id });
    const adviser = await signedInClient(t.app, lio.host, await t.make.user(lio, { role: 'staff', permissionSets: ['adviser'] }));
    expect((await adviser.get('/support/training')).status).toBe(403);
    const group = await signedInClient(t.app, lio.host, await t.make.user(lio, { role: 'group_member' }));
    expect((await group.get(`/support/training/courses/${course.id}`)).status).toBe(403);
    const admin = await signedInClient(t.app, lio.host, await t.make.user(lio, { role: 'admin' }));
    expect((await admin.get('/support/training')).status).toBe(200);
    const visitor = new Client(t.app, lio.host);
    expect((await visitor.get(`/training/courses/${course.id}`)).status).toBe(404);
    expect(mainText(await visitor.get('/training'))).not.toContain('Not yet');
  });

  it('the listing filters by theme, month and online', async () => {
    const lio = await t.make.lio();
    const digital = await f.course(lio, { title: 'Going digital', themes: ['digital'] });
    const trustees = await f.course(lio, { title: 'Trustee duties', themes: ['community'] });
    await f.session(lio, { courseId: digital.id, startsAt: inDays(5), venue: null, onlineUrl: 'https://meet.example.org/x' });
    await f.session(lio, { courseId: trustees.id, startsAt: inDays(40) });
    await f.session(lio, { courseId: trustees.id, startsAt: inDays(-2) });
    const visitor = new Client(t.app, lio.host);
    const titles = async (q: string) => {
      const page = await visitor.get(`/training${q}`);
      return page.$('[data-testid="sessions"] h2').map((_i, el) => page.$(el).text().trim()).get();
    };
    expect(await titles('')).toEqual(['Going digital', 'Trustee duties']);
    expect(await titles('?theme=digital')).toEqual(['Going digital']);
    expect(await titles('?online=yes')).toEqual(['Going digital']);
    const month = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit' }).format(inDays(40)).slice(0, 7);
    expect(await titles(`?month=${month}`)).toContain('Trustee duties');
    expect((await visitor.get('/training?month=2026-13&theme=<script>')).status).toBe(200);
  });
});

describe('booking a place', () => {
  it('a resident books without an account: one person record by e-mail, an e-mail with the link, and booking twice is refused', async () => {
    const lio = await t.make.lio();
    const org = await t.make.organisation(lio, { name: 'Hillside Allotments' });
    const existing = await f.person(lio, { fullName: 'Rosa Lind', email: 'rosa@example.net' });
    const course = await f.course(lio, { title: 'Safeguarding basics' });
    const session = await f.session(lio, { courseId: course.id, capacity: 3 });
    const visitor = new Client(t.app, lio.host);
    const url = `/training/sessions/${session.id}/book`;
    const booked = await visitor.submit(url, url, bookForm('Rosa Lind', 'Rosa@Example.net', { organisationId: org.id, accessNeeds: 'Step-free access' }));
    expect(booked.status).toBe(303);
    expect(booked.location).toBe(`/training/sessions/${session.id}/booked?as=booked`);
    const [row] = await bookingsOf(lio, session.id);
    expect(row).toMatchObject({ status: 'booked', person_id: existing.id, organisation_id: org.id, access_needs: 'Step-free access' });
    const [mail] = await mailTo(lio, 'rosa@example.net');
    expect(mail!.subject).toBe('Your place is booked: Safeguarding basics');
    const manage = await visitor.get(`/training/bookings/${tokenIn(mail!.body_text)}`);
    expect(manage.$('[data-testid="status"]').text()).toContain('You have a place');

    const twice = await visitor.submit(url, url, bookForm('Rosa L', 'rosa@example.net'));
    expect(twice.status).toBe(409);
    expect(twice.$('h1').text()).toBe('You already have a place on this session');
    expect(await bookingsOf(lio, session.id)).toHaveLength(1);
    const people = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('people').select('id').execute());
    expect(people).toHaveLength(1);

    const wrong = await visitor.submit(url, url, bookForm('', 'not-an-email', { organisationId: 'nope', accessNeeds: 'x'.repeat(1001) }));
    expect(wrong.status).toBe(400);
    expect(errorSummary(wrong).map((e) => e.href)).toEqual(['#fullName', '#email', '#organisationId', '#accessNeeds']);
  });

  it('a full session offers the waiting list; a cancellation from the link promotes the next person, who is e-mailed', async () => {
    const lio = await t.make.lio();
    const course = await f.course(lio, { title: 'Bid writing' });
    const session = await f.session(lio, { courseId: course.id, capacity: 1 });
    const visitor = new Client(t.app, lio.host);
    const url = `/training/sessions/${session.id}/book`;
    expect((await visitor.submit(url, url, bookForm('First Person', 'first@example.net'))).status).toBe(303);
    const page = await visitor.get(url);
    expect(page.$('h1').text()).toBe('Join the waiting list');
    const raced = await visitor.postRaw(url, { ...bookForm('Second Person', 'second@example.net'), _csrf: page.$('input[name="_csrf"]').val() as string });
    expect(raced.status).toBe(409);
    expect(raced.$('[data-testid="just-filled"]').text()).toContain('The last place has just gone');
    expect(await bookingsOf(lio, session.id)).toHaveLength(1);
    const waiting = await visitor.submit(url, url, bookForm('Second Person', 'second@example.net', { waitingList: 'yes' }));
    expect(waiting.location).toBe(`/training/sessions/${session.id}/booked?as=waiting`);
    const secondLink = tokenIn((await mailTo(lio, 'second@example.net'))[0]!.body_text);
    expect((await visitor.get(`/training/bookings/${secondLink}`)).$('[data-testid="status"]').text()).toContain('number 1 in the queue');

    const firstLink = tokenIn((await mailTo(lio, 'first@example.net'))[0]!.body_text);
    const cancelled = await visitor.submit(`/training/bookings/${firstLink}`, `/training/bookings/${firstLink}/cancel`, {});
    expect(cancelled.status).toBe(303);
    expect((await bookingsOf(lio, session.id)).map((b) => [b.full_name, b.status]).sort()).toEqual([['First Person', 'cancelled'], ['Second Person', 'booked']]);
    // Both e-mails carry the test clock's one instant: the promotion is the one that says so.
    const promotedMail = (await mailTo(lio, 'second@example.net')).find((m) => m.body_text.includes('a place has come free'))!;
    expect(promotedMail.subject).toBe('Your place is booked: Bid writing');
    expect(promotedMail.body_text).toContain('a place has come free');
    expect((await visitor.get(`/training/bookings/${tokenIn(promotedMail.body_text)}`)).$('[data-testid="status"]').text()).toContain('You have a place');
    // The waiting-list link was replaced by the one in the e-mail that gave the place.
    expect((await visitor.get(`/training/bookings/${secondLink}`)).status).toBe(404);
  });

  it('two people after the last place at once: exactly one gets it, the other is told it is full', async () => {
    const lio = await t.make.lio();
    const session = await f.session(lio, { courseId: (await f.course(lio)).id, capacity: 1 });
    const url = `/training/sessions/${session.id}/book`;
    const a = new Client(t.app, lio.host, '10.0.0.1');
    const b = new Client(t.app, lio.host, '10.0.0.2');
    const [pa, pb] = await Promise.all([a.get(url), b.get(url)]);
    const csrf = (p: typeof pa) => p.$('input[name="_csrf"]').val() as string;
    const results = await Promise.all([
      a.postRaw(url, { ...bookForm('Ada', 'ada@example.net'), _csrf: csrf(pa) }),
      b.postRaw(url, { ...bookForm('Bo', 'bo@example.net'), _csrf: csrf(pb) }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([303, 409]);
    const rows = await bookingsOf(lio, session.id);
    expect(rows.filter((r) => r.status === 'booked')).toHaveLength(1);
    expect(rows).toHaveLength(1);
  });

  it('a cancelled or past session cannot be booked, and a booking cannot be cancelled once the session has started', async () => {
    const lio = await t.make.lio();
    const course = await f.course(lio);
    const cancelledSession = await f.session(lio, { courseId: course.id, status: 'cancelled' });
    const visitor = new Client(t.app, lio.host);
    const c = await visitor.get(`/training/sessions/${cancelledSession.id}/book`);
    expect(c.status).toBe(409);
    expect(c.$('h1').text()).toBe('This session has been cancelled');
    const soon = await f.session(lio, { courseId: course.id, startsAt: inDays(1) });
    const page = await visitor.get(`/training/sessions/${soon.id}/book`);
    const booking = await f.booking(lio, { sessionId: soon.id });
    const manage = await visitor.get(`/training/bookings/${booking.token}`);
    t.clock.advance(DAY + HOUR);
    try {
      const late = await visitor.postRaw(`/training/sessions/${soon.id}/book`, { ...bookForm('Late', 'late@example.net'), _csrf: page.$('input[name="_csrf"]').val() as string });
      expect(late.status).toBe(409);
      expect(late.$('h1').text()).toBe('This session has already started');
      const cancel = await visitor.postRaw(`/training/bookings/${booking.token}/cancel`, { _csrf: manage.$('input[name="_csrf"]').val() as string });
      expect(cancel.status).toBe(409);
      expect(cancel.$('[data-testid="problem"]').text()).toBe('This session has already started, so your booking can no longer be cancelled.');
      expect((await bookingsOf(lio, soon.id))[0]!.status).toBe('booked');
    } finally {
      t.clock.advance(-(DAY + HOUR));
    }
  });

  it('raising the capacity gives the new places to the waiting list in order; lowering it below the places booked is refused', async () => {
    const lio = await t.make.lio();
    const staff = await trainer(lio);
    const session = await f.session(lio, { courseId: (await f.course(lio)).id, capacity: 2 });
    await f.booking(lio, { sessionId: session.id, fullName: 'One' });
    await f.booking(lio, { sessionId: session.id, fullName: 'Two' });
    await f.booking(lio, { sessionId: session.id, fullName: 'Second in line', email: 'second-line@example.net', status: 'waiting', waitingSince: new Date(Date.now() - 1000) });
    await f.booking(lio, { sessionId: session.id, fullName: 'First in line', email: 'first-line@example.net', status: 'waiting', waitingSince: new Date(Date.now() - 5000) });
    await f.booking(lio, { sessionId: session.id, fullName: 'Third in line', status: 'waiting', waitingSince: new Date() });
    const edit = `/support/training/sessions/${session.id}/edit`;
    const form = await staff.get(edit);
    const fields = Object.fromEntries(['date-day', 'date-month', 'date-year', 'startTime', 'endTime', 'venue', 'onlineUrl', 'capacity', 'price'].map((n) => [n, String(form.$(`[name="${n}"]`).val() ?? '')]));
    const lower = await staff.submit(edit, `/support/training/sessions/${session.id}`, { ...fields, capacity: '1' });
    expect(errorSummary(lower)).toEqual([{ text: 'The number of places cannot be fewer than the 2 already booked: cancel bookings first', href: '#capacity' }]);
    const saved = await staff.submit(edit, `/support/training/sessions/${session.id}`, { ...fields, capacity: '4' });
    expect(saved.status).toBe(303);
    const rows = await bookingsOf(lio, session.id);
    expect(rows.filter((r) => r.status === 'booked').map((r) => r.full_name).sort()).toEqual(['First in line', 'One', 'Second in line', 'Two']);
    expect(rows.find((r) => r.full_name === 'Third in line')!.status).toBe('waiting');
    expect((await mailTo(lio, 'first-line@example.net'))[0]!.subject).toMatch(/^Your place is booked/);
    const page = await staff.get(`/support/training/sessions/${session.id}`);
    expect(page.$('[data-testid="waiting"]').text()).toContain('Third in line');
  });

  it('a group member books for someone of their organisation and sees the organisation’s bookings', async () => {
    const lio = await t.make.lio();
    const org = await t.make.organisation(lio, { name: 'Brook Street Pantry' });
    const member = await signedInClient(t.app, lio.host, await t.make.user(lio, { role: 'group_member', organisationId: org.id }));
    const other = await t.make.organisation(lio, { name: 'Someone Else' });
    const course = await f.course(lio, { title: 'Food hygiene' });
    const session = await f.session(lio, { courseId: course.id });
    const url = `/training/sessions/${session.id}/book`;
    const booked = await member.submit(url, url, bookForm('Kit Volunteer', 'kit@example.net', { organisationId: other.id }));
    expect(booked.status).toBe(303);
    expect((await bookingsOf(lio, session.id))[0]!.organisation_id).toBe(org.id);
    const mine = await member.get('/training/my-bookings');
    expect(mine.$('[data-testid="upcoming"]').text()).toContain('Kit Volunteer');
    const home = await member.get('/');
    expect(mainText(home)).toContain('Places booked on courses coming up');
  });
});
