import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { E2E_TIMEOUTS, errorSummary, flash, startE2E, type E2E } from '../../helpers/browser.js';
import { trainingFactories } from '../../helpers/training-factories.js';

let e: E2E;
beforeAll(async () => { e = await startE2E(); }, E2E_TIMEOUTS.hookTimeout);
afterEach(async () => { await e.endTest(); });
afterAll(async () => { await e?.close(); });

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The path of the latest e-mailed link of a kind to an address (the outbox, as the attendee's inbox would hold it). */
async function linkTo(to: string, kind: 'bookings' | 'feedback', containing = ''): Promise<string> {
  const rows = await e.t.db.withTenant(e.lio.id, (tx) => tx.selectFrom('email_messages').select('body_text').where('to_address', '=', to).orderBy('created_at', 'desc').execute());
  // The test clock stands still, so e-mails are told apart by what they say, not by when.
  for (const r of rows.filter((m) => m.body_text.includes(containing))) {
    const found = new RegExp(`/training/${kind}/[A-Za-z0-9_-]+`).exec(r.body_text);
    if (found) return found[0];
  }
  throw new Error(`No ${kind} link e-mailed to ${to}`);
}
const subjectsTo = async (to: string) => (await e.t.db.withTenant(e.lio.id, (tx) => tx.selectFrom('email_messages').select('subject').where('to_address', '=', to).orderBy('created_at').execute())).map((r) => r.subject);

async function book(page: Page, name: string, email: string, button: string) {
  await page.getByLabel('Full name of the person attending').fill(name);
  await page.getByLabel('Their email address').fill(email);
  await e.follow(page, () => page.getByRole('button', { name: button }).click());
}

describe('training and events in the browser', () => {
  it('a resident books the last place, another joins the waiting list and is promoted when the first cancels; the trainer takes the register; certificate and calendar download', async () => {
    const f = trainingFactories(e.t.db);
    const course = await f.course(e.lio, { title: 'Trustee basics', certificate: true, themes: ['community'] });
    const startsAt = new Date(e.t.clock.now().getTime() + 3 * DAY);
    const session = await f.session(e.lio, { courseId: course.id, startsAt, capacity: 1 });

    const ana = await e.newPage({ javaScriptEnabled: false });
    await e.visit(ana, '/');
    await e.follow(ana, () => ana.getByRole('link', { name: 'See training and events' }).click());
    await e.follow(ana, () => ana.getByRole('link', { name: 'Trustee basics' }).click());
    expect(await ana.getByTestId('places').textContent()).toBe('1 place left');
    await e.follow(ana, () => ana.getByRole('link', { name: /^Book a place/ }).click());
    await book(ana, '', 'not-an-address', 'Book the place');
    expect((await errorSummary(ana)).errors.map((x) => x.href)).toEqual(['#fullName', '#email']);
    await book(ana, 'Ana Costa', 'ana@example.net', 'Book the place');
    expect(await ana.locator('h1').textContent()).toContain('Your place is booked');

    const ben = await e.newPage();
    await e.visit(ben, `/training/courses/${course.id}`);
    expect(await ben.getByTestId('places').textContent()).toBe('Full: join the waiting list');
    await e.follow(ben, () => ben.getByRole('link', { name: /^Join the waiting list/ }).click());
    await book(ben, 'Ben Hale', 'ben@example.net', 'Join the waiting list');
    expect(await ben.locator('h1').textContent()).toContain('You are on the waiting list');
    // Booking twice is refused clearly.
    await e.visit(ben, `/training/sessions/${session.id}/book`);
    await book(ben, 'Ben Hale', 'ben@example.net', 'Join the waiting list');
    expect(await ben.locator('h1').textContent()).toBe('You are already on the waiting list for this session');
    const benWaiting = await linkTo('ben@example.net', 'bookings');
    await e.visit(ben, benWaiting);
    expect(await ben.getByTestId('status').textContent()).toContain('number 1 in the queue');

    await e.visit(ana, await linkTo('ana@example.net', 'bookings'));
    await e.follow(ana, () => ana.getByRole('button', { name: 'Cancel my booking' }).click());
    expect(await flash(ana)).toBe('Your booking is cancelled');
    expect(await ana.getByTestId('status').textContent()).toContain('This booking is cancelled');
    expect((await subjectsTo('ben@example.net')).sort()).toEqual(['You are on the waiting list: Trustee basics', 'Your place is booked: Trustee basics']);
    const benPlace = await linkTo('ben@example.net', 'bookings', 'a place has come free');
    await e.visit(ben, benPlace);
    expect(await ben.getByTestId('status').textContent()).toContain('You have a place');
    expect((await e.visit(ben, benWaiting))?.status()).toBe(404);

    // The session happens; cancelling afterwards is refused.
    await e.visit(ben, benPlace);
    e.t.clock.advance(3 * DAY + 3 * HOUR);
    await e.follow(ben, () => ben.getByRole('button', { name: 'Cancel my booking' }).click());
    expect(await ben.getByTestId('problem').textContent()).toBe('This session has already started, so your booking can no longer be cancelled.');

    const trainerUser = await e.t.make.user(e.lio, { role: 'staff', permissionSets: ['trainer'], name: 'Tess Trainer' });
    const trainer = await e.newPage();
    await e.signIn(trainer, trainerUser);
    await e.follow(trainer, () => trainer.getByRole('link', { name: 'Registers not yet taken' }).click());
    await e.follow(trainer, () => trainer.getByRole('link', { name: 'Trustee basics' }).click());
    await trainer.getByRole('group', { name: 'Ben Hale' }).getByLabel('Attended').check();
    await e.follow(trainer, () => trainer.getByRole('button', { name: 'Save the register' }).click());
    expect(await flash(trainer)).toBe('Register saved');
    expect(await trainer.getByTestId('booked').textContent()).toContain('Attended');
    await e.openFromMenu(trainer, 'Support for groups', 'People trained');
    await e.follow(trainer, () => trainer.getByRole('button', { name: 'Show figures' }).click());
    expect(await trainer.getByTestId('by-course').textContent()).toContain('Trustee basics');

    await e.visit(ben, benPlace);
    const pdf = await ben.request.get(await ben.getByRole('link', { name: /certificate of attendance/ }).getAttribute('href') ?? '');
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    expect((await pdf.body()).subarray(0, 4).toString()).toBe('%PDF');
    const ics = await ben.request.get(await ben.getByRole('link', { name: /Add your training to your calendar/ }).getAttribute('href') ?? '');
    expect(await ics.text()).toContain('SUMMARY:Trustee basics');

    await e.t.app.jobs.ensureRecurring();
    await e.t.app.jobs.drain();
    await e.visit(ben, await linkTo('ben@example.net', 'feedback'));
    await e.follow(ben, () => ben.getByRole('button', { name: 'Send feedback' }).click());
    expect((await errorSummary(ben)).errors).toEqual([{ text: 'Choose how good the course was, from 1 (poor) to 5 (excellent)', href: '#rating' }]);
    await ben.getByLabel('5 (excellent)').check();
    await ben.getByLabel('What was most useful? (optional)').fill('Knowing what the board must decide');
    await e.follow(ben, () => ben.getByRole('button', { name: 'Send feedback' }).click());
    expect(await ben.locator('h1').textContent()).toBe('Thank you for your feedback');
    e.t.clock.advance(-(3 * DAY + 3 * HOUR));
  }, E2E_TIMEOUTS.testTimeout);

  it('a trainer adds a course and a session, with bad dates, places and links refused; a full session and a bad link get clear answers; a group member sees their bookings', async () => {
    const trainerUser = await e.t.make.user(e.lio, { role: 'staff', permissionSets: ['trainer'] });
    const trainer = await e.newPage({ javaScriptEnabled: false });
    await e.signIn(trainer, trainerUser);
    await e.openFromMenu(trainer, 'Support for groups', 'Courses');
    await e.follow(trainer, () => trainer.getByRole('button', { name: 'Add a course' }).click());
    await e.follow(trainer, () => trainer.getByRole('button', { name: 'Save course' }).click());
    expect((await errorSummary(trainer)).errors.map((x) => x.href)).toEqual(['#title', '#summary', '#description']);
    await trainer.getByLabel('Course title').fill('Getting your group online');
    await trainer.getByLabel('Summary').fill('Simple tools for small groups.');
    await trainer.getByLabel('What the course covers').fill('Websites, social media and video meetings.');
    await trainer.getByLabel('Digital inclusion').check();
    await e.follow(trainer, () => trainer.getByRole('button', { name: 'Save course' }).click());
    expect(await flash(trainer)).toBe('Course added: now add its sessions');
    await e.follow(trainer, () => trainer.getByRole('link', { name: 'Change the course' }).click());
    await e.follow(trainer, () => trainer.getByRole('button', { name: 'Save course' }).click());
    expect(await flash(trainer)).toBe('Course saved');

    await e.follow(trainer, () => trainer.getByRole('button', { name: 'Add a session' }).click());
    await trainer.getByLabel('Day').fill('30');
    await trainer.getByLabel('Month').fill('2');
    await trainer.getByLabel('Year').fill('2031');
    await trainer.getByLabel('Start time').fill('14:00');
    await trainer.getByLabel('End time').fill('13:00');
    await trainer.getByLabel('Online link (optional)').fill('ftp://files.example.org');
    await trainer.getByLabel('Number of places').fill('0');
    await e.follow(trainer, () => trainer.getByRole('button', { name: 'Save session' }).click());
    expect((await errorSummary(trainer)).errors.map((x) => x.href)).toEqual(['#date-day', '#endTime', '#onlineUrl', '#capacity']);
    await trainer.getByLabel('Day').fill('27');
    await trainer.getByLabel('End time').fill('16:00');
    await trainer.getByLabel('Online link (optional)').fill('https://meet.example.org/online');
    await trainer.getByLabel('Number of places').fill('1');
    await e.follow(trainer, () => trainer.getByRole('button', { name: 'Save session' }).click());
    expect(await flash(trainer)).toBe('Session added');
    const sessionPath = new URL(trainer.url()).pathname;
    await e.follow(trainer, () => trainer.getByRole('button', { name: 'Change the session' }).click());
    await e.follow(trainer, () => trainer.getByRole('button', { name: 'Save session' }).click());
    expect(await flash(trainer)).toBe('Session saved');
    await e.openFromMenu(trainer, 'Support for groups', 'Sessions');
    expect(await trainer.getByTestId('sessions').textContent()).toContain('Getting your group online');

    const org = await e.t.make.organisation(e.lio, { name: 'Lockside Residents' });
    const memberUser = await e.t.make.user(e.lio, { role: 'group_member', organisationId: org.id, name: 'Mo Reyes' });
    const member = await e.newPage();
    await e.signIn(member, memberUser);
    await e.visit(member, '/training?online=yes');
    await e.follow(member, () => member.getByRole('link', { name: 'Getting your group online' }).click());
    await e.follow(member, () => member.getByRole('link', { name: /^Book a place/ }).click());
    expect(await member.getByText('Booked for Lockside Residents').count()).toBe(1);
    await e.follow(member, () => member.getByRole('button', { name: 'Book the place' }).click());
    await e.openFromMenu(member, 'Support for groups', 'Course bookings');
    expect(await member.getByTestId('upcoming').textContent()).toContain('Mo Reyes');

    const late = await e.newPage();
    await e.visit(late, `${sessionPath.replace('/support/training/sessions/', '/training/sessions/')}/book`);
    expect(await late.locator('h1').textContent()).toBe('Join the waiting list');
    expect((await e.visit(late, '/training/bookings/not-a-real-link'))?.status()).toBe(404);
    expect(await late.locator('h1').textContent()).toBe('This link does not work');
  }, E2E_TIMEOUTS.testTimeout);
});
