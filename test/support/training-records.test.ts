import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { Client, errorSummary, mainText, signedInClient } from '../helpers/client.js';
import { trainingFactories, type TrainingFactories } from '../helpers/training-factories.js';
import { supportPersonalData } from '../../src/support/personal-data/provider.js';
import type { PersonIdentity } from '../../src/platform/personal-data.js';

type Lio = Awaited<ReturnType<TestContext['make']['lio']>>;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let t: TestContext;
let f: TrainingFactories;
beforeAll(async () => { t = await createTestApp(); f = trainingFactories(t.db); });
afterAll(async () => { await t?.close(); });

const ago = (ms: number) => new Date(t.clock.now().getTime() - ms);
const ahead = (ms: number) => new Date(t.clock.now().getTime() + ms);
const mailTo = (lio: Lio, to: string) => t.db.withTenant(lio.id, (tx) => tx.selectFrom('email_messages').select(['subject', 'body_text']).where('to_address', '=', to).orderBy('created_at').execute());
const trainer = async (lio: Lio) => signedInClient(t.app, lio.host, await t.make.user(lio, { role: 'staff', permissionSets: ['trainer'] }));
async function runJobs() {
  await t.app.jobs.ensureRecurring();
  await t.app.jobs.drain();
}
const identity = (lio: Lio, personId: string, emails: string[] = []): PersonIdentity => ({ lioId: lio.id, personId, emails, phones: [], recordIds: [personId], userIds: [], actorLabels: [] });

describe('the register, certificates and calendars', () => {
  it('the trainer takes the register; an attendee downloads their certificate and calendar; the figures and panel count who was trained', async () => {
    const lio = await t.make.lio();
    const org = await t.make.organisation(lio, { name: 'Canal Side Youth Club' });
    const course = await f.course(lio, { title: 'Safeguarding essentials', certificate: true });
    const session = await f.session(lio, { courseId: course.id, startsAt: ago(3 * HOUR), hours: 2 });
    const came = await f.booking(lio, { sessionId: session.id, fullName: 'Jo Marsh', organisationId: org.id });
    const stayedAway = await f.booking(lio, { sessionId: session.id, fullName: 'Al Green' });
    const staff = await trainer(lio);
    expect(mainText(await staff.get('/')).replace(/\s+/g, ' ')).toMatch(/1 Registers not yet taken/);
    const register = await staff.get(`/support/training/sessions/${session.id}/register`);
    expect(register.$('[data-testid="register"] legend').map((_i, el) => register.$(el).text().trim()).get()).toEqual(['Jo Marsh, Canal Side Youth Club', 'Al Green']);
    const saved = await staff.submit(`/support/training/sessions/${session.id}/register`, `/support/training/sessions/${session.id}/register`, {
      [`attended-${came.id}`]: 'yes', [`attended-${stayedAway.id}`]: 'no',
    });
    expect(saved.status).toBe(303);
    const rows = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('course_bookings').select(['id', 'attended']).orderBy('created_at').execute());
    expect(rows.map((r) => r.attended)).toEqual([true, false]);

    const visitor = new Client(t.app, lio.host);
    const manage = await visitor.get(`/training/bookings/${came.token}`);
    expect(manage.$('a[href$="certificate.pdf"]').length).toBe(1);
    const pdf = await visitor.get(`/training/bookings/${came.token}/certificate.pdf`);
    expect(pdf.status).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.body.startsWith('%PDF')).toBe(true);
    const number = (await t.db.withTenant(lio.id, (tx) => tx.selectFrom('course_bookings').select('certificate_number').where('id', '=', came.id).executeTakeFirstOrThrow())).certificate_number;
    expect(number).toMatch(/^CG-\d{4}-[0-9A-F]{10}$/);
    expect(String(pdf.headers['content-disposition'])).toContain(number!);
    expect((await visitor.get(`/training/bookings/${stayedAway.token}/certificate.pdf`)).status).toBe(404);

    const ics = await visitor.get(`/training/bookings/${came.token}/calendar.ics`);
    expect(ics.headers['content-type']).toContain('text/calendar');
    expect(ics.body).toContain('SUMMARY:Safeguarding essentials');
    expect(ics.body).toContain(`UID:session-${session.id}@${lio.host}`);
    const sessionIcs = await visitor.get(`/training/sessions/${session.id}/calendar.ics`);
    expect(sessionIcs.body).toContain('BEGIN:VEVENT');
    expect((await visitor.get('/training/sessions/not-a-session/calendar.ics')).status).toBe(404);

    const figures = await staff.get(`/support/training/figures?from=${ago(30 * DAY).toISOString().slice(0, 10)}&to=${ahead(DAY).toISOString().slice(0, 10)}`);
    expect(figures.$('[data-testid="totals"]').text().replace(/\s+/g, ' ')).toContain('People trained 1 Organisations trained 1 Attendances 1 Sessions held 1');
    expect(figures.$('[data-testid="by-course"]').text()).toContain('Safeguarding essentials');
    const badPeriod = await staff.get('/support/training/figures?from=31/31/2026&to=');
    expect(badPeriod.status).toBe(400);
    expect(errorSummary(badPeriod)[0]!.href).toBe('#from');
    expect(mainText(await staff.get('/')).replace(/\s+/g, ' ')).toMatch(/0 Registers not yet taken/);
    const audit = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('audit_events').select('action').where('action', 'like', 'course%').execute());
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['course_session.viewed', 'course_register.taken', 'course_certificate.downloaded', 'course_booking.viewed']));
  });

  it('the register cannot be taken before the session starts; a trainer cancels a booking, and a session, telling everyone', async () => {
    const lio = await t.make.lio();
    const staff = await trainer(lio);
    const session = await f.session(lio, { courseId: (await f.course(lio, { title: 'Minute taking' })).id, startsAt: ahead(3 * DAY), capacity: 1 });
    const booked = await f.booking(lio, { sessionId: session.id, email: 'booked@example.net' });
    await f.booking(lio, { sessionId: session.id, email: 'waiting@example.net', status: 'waiting' });
    const early = await staff.postRaw(`/support/training/sessions/${session.id}/register`, {
      [`attended-${booked.id}`]: 'yes', _csrf: (await staff.get(`/support/training/sessions/${session.id}`)).$('input[name="_csrf"]').first().val() as string,
    });
    expect(early.status).toBe(409);
    expect(early.$('[data-testid="problem"]').text()).toBe('The register can be taken once the session has started.');
    const cancel = await staff.submit(`/support/training/sessions/${session.id}`, `/support/training/bookings/${booked.id}/cancel`, {});
    expect(cancel.status).toBe(303);
    expect((await mailTo(lio, 'waiting@example.net'))[0]!.subject).toBe('Your place is booked: Minute taking');
    const cancelSession = await staff.submit(`/support/training/sessions/${session.id}`, `/support/training/sessions/${session.id}/cancel`, {});
    expect(cancelSession.status).toBe(303);
    expect((await mailTo(lio, 'waiting@example.net')).map((m) => m.subject)).toEqual(expect.arrayContaining([expect.stringMatching(/^Cancelled: Minute taking/)]));
    const visitor = new Client(t.app, lio.host);
    expect((await visitor.get(`/training/sessions/${session.id}/book`)).status).toBe(409);
  });
});

describe('reminders and feedback', () => {
  it('the recurring job reminds booked attendees once, two days ahead, and asks attendees for feedback once, whose link takes one answer', async () => {
    const lio = await t.make.lio();
    const course = await f.course(lio, { title: 'Social media basics' });
    const soon = await f.session(lio, { courseId: course.id, startsAt: ahead(30 * HOUR) });
    const later = await f.session(lio, { courseId: course.id, startsAt: ahead(10 * DAY) });
    await f.booking(lio, { sessionId: soon.id, email: 'soon@example.net' });
    await f.booking(lio, { sessionId: soon.id, email: 'soon-waiting@example.net', status: 'waiting' });
    await f.booking(lio, { sessionId: later.id, email: 'later@example.net' });
    const held = await f.session(lio, { courseId: course.id, startsAt: ago(5 * HOUR) });
    await f.booking(lio, { sessionId: held.id, email: 'came@example.net', attended: true });
    await f.booking(lio, { sessionId: held.id, email: 'absent@example.net', attended: false });
    await runJobs();
    expect((await mailTo(lio, 'soon@example.net')).map((m) => m.subject)).toEqual([expect.stringMatching(/^Reminder: Social media basics/)]);
    expect(await mailTo(lio, 'soon-waiting@example.net')).toEqual([]);
    expect(await mailTo(lio, 'later@example.net')).toEqual([]);
    expect(await mailTo(lio, 'absent@example.net')).toEqual([]);
    const [ask] = await mailTo(lio, 'came@example.net');
    expect(ask!.subject).toBe('How was Social media basics?');
    t.clock.advance(2 * HOUR);
    await runJobs();
    t.clock.advance(-2 * HOUR);
    expect(await mailTo(lio, 'soon@example.net')).toHaveLength(1);
    expect(await mailTo(lio, 'came@example.net')).toHaveLength(1);

    const link = /\/training\/feedback\/[A-Za-z0-9_-]+/.exec(ask!.body_text)![0];
    const visitor = new Client(t.app, lio.host);
    const wrong = await visitor.submit(link, link, { rating: '7', mostUseful: 'x'.repeat(2001), improve: '' });
    expect(wrong.status).toBe(400);
    expect(errorSummary(wrong)).toEqual([
      { text: 'Choose how good the course was, from 1 (poor) to 5 (excellent)', href: '#rating' },
      { text: 'What was most useful must be 2000 characters or fewer', href: '#mostUseful' },
    ]);
    const form = await visitor.get(link);
    expect((await visitor.postRaw(link, { rating: '5', mostUseful: 'The examples', improve: 'Longer breaks', _csrf: form.$('input[name="_csrf"]').val() as string })).status).toBe(303);
    const again = await visitor.postRaw(link, { rating: '1', mostUseful: '', improve: '', _csrf: form.$('input[name="_csrf"]').val() as string });
    expect(again.status).toBe(409);
    const feedback = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('course_feedback').selectAll().execute());
    expect(feedback.map((r) => [r.rating, r.most_useful, r.improve])).toEqual([[5, 'The examples', 'Longer breaks']]);
    expect((await visitor.get('/training/feedback/made-up')).status).toBe(404);
  });
});

describe('personal data of training', () => {
  it('describes and exports bookings, erases without losing the counts, and merges two records without two live bookings', async () => {
    const lio = await t.make.lio();
    const course = await f.course(lio, { title: 'Treasurer skills' });
    const past = await f.session(lio, { courseId: course.id, startsAt: ago(10 * DAY) });
    const future = await f.session(lio, { courseId: course.id, startsAt: ahead(10 * DAY) });
    const person = await f.person(lio, { fullName: 'Pat Reid', email: 'pat@example.net' });
    const attended = await f.booking(lio, { sessionId: past.id, personId: person.id, attended: true, accessNeeds: 'Hearing loop' });
    await t.db.withTenant(lio.id, (tx) => tx.insertInto('course_feedback').values({ lio_id: lio.id, booking_id: attended.id, rating: 4, most_useful: 'All of it', improve: 'Nothing' }).execute());
    await f.booking(lio, { sessionId: future.id, personId: person.id });
    const account = await t.make.user(lio, { role: 'staff', permissionSets: ['trainer'] });
    const theirs = await f.course(lio, { title: 'Set up by Pat' });
    await t.db.withTenant(lio.id, (tx) => tx.updateTable('courses').set({ created_by_user_id: account.id }).where('id', '=', theirs.id).execute());
    const who = { ...identity(lio, person.id, ['pat@example.net']), userIds: [account.id] };
    await t.db.withTenant(lio.id, async (tx) => {
      const sections = await supportPersonalData.describe({ tx, now: t.clock.now() }, who);
      const bookings = sections.find((s) => s.heading === 'Course bookings')!;
      expect(bookings.records).toHaveLength(2);
      expect(bookings.records[0]!.fields).toEqual(expect.arrayContaining([{ label: 'Access needs', value: 'Hearing loop' }, { label: 'Attendance', value: 'Attended' }]));
      const exported = await supportPersonalData.export({ tx, now: t.clock.now() }, who);
      expect(exported.course_bookings).toHaveLength(2);
      expect(exported.course_feedback).toHaveLength(1);
      expect(JSON.stringify(exported)).not.toContain('token_hash');
      expect(exported.courses_set_up_by_them!.map((c) => c.title)).toEqual(['Set up by Pat']);
      await supportPersonalData.erase({ tx, now: t.clock.now() }, who);
    });
    const after = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('course_bookings').select(['session_id', 'status', 'attended', 'access_needs', 'manage_token_hash']).execute());
    expect(after.find((b) => b.session_id === past.id)).toEqual({ session_id: past.id, status: 'booked', attended: true, access_needs: null, manage_token_hash: null });
    expect(after.find((b) => b.session_id === future.id)!.status).toBe('cancelled');
    const setUp = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('courses').select('created_by_user_id').where('id', '=', theirs.id).executeTakeFirstOrThrow());
    expect(setUp.created_by_user_id).toBeNull();
    const fb = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('course_feedback').select(['rating', 'most_useful', 'improve']).executeTakeFirstOrThrow());
    expect(fb).toEqual({ rating: 4, most_useful: null, improve: null });
  });

  it('a merge keeps the better of two live bookings of one session, moves the rest, and the retention rule empties old access needs and links', async () => {
    const lio = await t.make.lio();
    const course = await f.course(lio);
    const one = await f.session(lio, { courseId: course.id, capacity: 1 });
    const two = await f.session(lio, { courseId: course.id });
    const kept = await f.person(lio);
    const merged = await f.person(lio);
    await f.booking(lio, { sessionId: one.id, personId: kept.id, status: 'waiting' });
    const mergedPlace = await f.booking(lio, { sessionId: one.id, personId: merged.id });
    await f.booking(lio, { sessionId: two.id, personId: merged.id });
    const moved = await t.db.withTenant(lio.id, (tx) => supportPersonalData.merge({ tx, now: t.clock.now() }, { kept: identity(lio, kept.id), merged: identity(lio, merged.id) }));
    expect(moved.course_bookings).toBe(2);
    const rows = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('course_bookings').select(['id', 'session_id', 'person_id', 'status']).execute());
    expect(rows.every((r) => r.person_id === kept.id)).toBe(true);
    expect(rows.filter((r) => r.session_id === one.id && r.status !== 'cancelled').map((r) => r.id)).toEqual([mergedPlace.id]);

    const old = await f.session(lio, { courseId: course.id, startsAt: ago(400 * DAY) });
    await f.booking(lio, { sessionId: old.id, personId: kept.id, attended: true, accessNeeds: 'Large print' });
    const done = await t.db.withTenant(lio.id, (tx) => supportPersonalData.retention.apply({ tx, now: t.clock.now() }));
    expect(done.course_bookings).toBeGreaterThanOrEqual(1);
    const oldRow = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('course_bookings').select(['access_needs', 'manage_token_hash', 'attended']).where('session_id', '=', old.id).executeTakeFirstOrThrow());
    expect(oldRow).toEqual({ access_needs: null, manage_token_hash: null, attended: true });
  });
});
