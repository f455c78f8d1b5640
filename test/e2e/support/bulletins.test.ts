import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { E2E_TIMEOUTS, errorSummary, flash, startE2E, type E2E } from '../../helpers/browser.js';
import { startSmtpServer, linksIn } from '../../helpers/smtp.js';
import { bulletinsFactories } from '../../helpers/bulletins-factories.js';

let e: E2E;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
beforeAll(async () => {
  smtp = await startSmtpServer();
  e = await startE2E({ env: { SMTP_URL: smtp.url } });
}, E2E_TIMEOUTS.hookTimeout);
afterEach(async () => { await e.endTest(); });
afterAll(async () => {
  await e?.close();
  await smtp?.close();
});

describe('bulletins in the browser', () => {
  it('an adviser composes a bulletin from funding, a course and a story, previews and sends it to members; a recipient unsubscribes; the archive shows it', async () => {
    const b = bulletinsFactories(e.t.db);
    const type = await b.membershipType(e.lio, { name: 'Full member' });
    const pantry = await b.group(e.lio, { name: 'Weavers Food Share', email: 'office@weavers-food.example' });
    await b.membership(e.lio, { organisationId: pantry.id, typeId: type.id });
    await b.contact(e.lio, { organisationId: pantry.id, email: 'treasurer@weavers-food.example', consent: 'bulletins' });
    await b.funding(e.lio, { programme: 'Warm Spaces Grants', funder: 'Riverside Community Foundation' });
    await b.courseSession(e.lio, { title: 'Safeguarding for small groups' });
    const adviser = await e.t.make.user(e.lio, { role: 'staff', permissionSets: ['adviser'] });

    const page = await e.newPage();
    await e.signIn(page, adviser);
    await e.openFromMenu(page, 'Support for groups', 'Bulletins');
    await e.follow(page, () => page.getByRole('button', { name: 'Write a bulletin' }).click());
    await page.getByLabel('Introduction').fill('Hello everyone.\n\nHere is what is open this month.');
    await page.getByLabel('Warm Spaces Grants (Riverside Community Foundation)').selectOption({ label: 'Place 2' });
    await page.getByLabel('Safeguarding for small groups').selectOption({ label: 'Place 1' });
    await page.getByLabel('Headline').first().fill('Our AGM is on 29 January');
    await page.getByLabel('Text', { exact: true }).first().fill('Members are warmly invited to the AGM at the Community Hub.');
    await e.follow(page, () => page.getByRole('button', { name: 'Save and preview' }).click());
    expect((await errorSummary(page)).errors).toEqual([{ text: 'Enter a subject', href: '#subject' }]);
    await page.getByLabel('Subject').fill('January bulletin');
    await e.follow(page, () => page.getByRole('button', { name: 'Save and preview' }).click());
    expect(await flash(page)).toBe('Bulletin saved: check the preview, then send it');
    const headings = await page.getByTestId('bulletin-content').locator('h2').allTextContents();
    expect(headings).toEqual(['Safeguarding for small groups', 'Warm Spaces Grants (Riverside Community Foundation)', 'Our AGM is on 29 January']);

    // A change before sending: the story's place moves to the top.
    await e.follow(page, () => page.getByRole('link', { name: 'Change the bulletin' }).click());
    await page.getByLabel('Place').first().selectOption({ label: 'Place 1' });
    await page.getByLabel('Safeguarding for small groups').selectOption({ label: 'Place 2' });
    await page.getByLabel('Warm Spaces Grants (Riverside Community Foundation)').selectOption({ label: 'Place 3' });
    await e.follow(page, () => page.getByRole('button', { name: 'Save and preview' }).click());
    expect(await page.getByTestId('bulletin-content').locator('h2').first().textContent()).toBe('Our AGM is on 29 January');

    await e.follow(page, () => page.getByRole('button', { name: 'Send to 2 addresses' }).click());
    expect(await flash(page)).toBe('Bulletin queued to 2 addresses: it is being sent now');
    await e.t.app.jobs.drain();
    const mail = await smtp.waitFor('treasurer@weavers-food.example');
    expect(mail.raw).toContain('January bulletin');
    await e.visit(page, '/support/bulletins');
    expect(await page.getByTestId('bulletins').textContent()).toMatch(/January bulletin[\s\S]*Sent[\s\S]*2 of 2/);

    // The recipient, in a browser without JavaScript, uses their own link from the message.
    const unsubscribe = new URL(linksIn(mail.raw).find((l) => /\/bulletins\/unsubscribe\/[^/]+$/.test(l))!).pathname;
    const reader = await e.newPage({ javaScriptEnabled: false });
    await e.visit(reader, unsubscribe);
    await e.follow(reader, () => reader.getByRole('button', { name: 'Unsubscribe' }).click());
    expect(await reader.getByTestId('outcome').textContent()).toContain('You are unsubscribed');
    await e.visit(reader, unsubscribe);
    expect(await reader.locator('main').textContent()).toContain('You are already unsubscribed');
    const unknown = await e.visit(reader, `${unsubscribe.slice(0, -4)}AAAA`);
    expect(unknown?.status()).toBe(404);
    expect(await reader.locator('h1').textContent()).toBe('We do not recognise this unsubscribe link');

    // Anyone reads it in the archive, from the front door.
    await e.visit(reader, '/');
    await e.follow(reader, () => reader.getByRole('link', { name: 'Read our bulletins' }).click());
    await e.follow(reader, () => reader.getByRole('link', { name: 'January bulletin' }).click());
    expect(await reader.getByTestId('bulletin-content').textContent()).toContain('Members are warmly invited to the AGM');
  }, E2E_TIMEOUTS.testTimeout);
});
