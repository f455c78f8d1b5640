import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { Client, errorSummary, mainText } from '../helpers/client.js';
import { directoryFactories } from '../helpers/directory-factories.js';
import { seedDemo } from '../../src/seed/demo.js';

describe('the public home page: the LIO\'s front door', () => {
  let t: TestContext;
  beforeAll(async () => { t = await createTestApp(); });
  afterAll(async () => { await t.close(); });

  const adminOf = async (lio: Awaited<ReturnType<TestContext['make']['lio']>>) => {
    const admin = await t.make.user(lio, { role: 'admin' });
    const client = new Client(t.app, lio.host);
    await client.signIn(admin.email, admin.password);
    return { admin, client };
  };

  it('offers a visitor the search for help and services, with the parameters /find reads, and a link to sign in', async () => {
    const lio = await t.make.lio({ name: 'Brookside CVS' });
    const service = await directoryFactories(t.db).service(lio, { name: 'Brookside food parcels', description: 'Food parcels for families.' });
    const page = await new Client(t.app, lio.host).get('/');
    expect(page.status).toBe(200);
    expect(page.$('h1').text()).toBe('Brookside CVS');
    const section = page.$('[data-section="find-help"]');
    expect(section.find('h2').text()).toBe('Find help and services');
    const form = section.find('form');
    expect(form.attr('method')).toBe('get');
    expect(form.attr('action')).toBe('/find');
    expect(form.find('input').toArray().map((i) => page.$(i).attr('name'))).toEqual(['q', 'postcode']);
    expect(page.$(`label[for="${form.find('input[name="q"]').attr('id')}"]`).text().trim()).toBe('What are you looking for?');
    // Sign-in is a link (here and in the navigation), not the page's purpose.
    expect(page.$('main a[href="/sign-in"]').length).toBe(1);
    expect(page.$('main .govuk-button--start').length).toBe(0);
    // What the form sends finds the service.
    const results = await new Client(t.app, lio.host).get('/find?q=food+parcels&postcode=');
    expect(results.status).toBe(200);
    expect(results.$(`a[href^="/find/services/${service.id}"]`).length).toBeGreaterThan(0);
  });

  it('lets an admin write the LIO\'s own words, shown on the front door in paragraphs, as plain text, and audited', async () => {
    const lio = await t.make.lio({ name: 'Brookside CVS' });
    const { admin, client } = await adminOf(lio);
    const form = await client.get('/admin/front-door');
    expect(form.status).toBe(200);
    expect(form.$('.govuk-service-navigation__item--active').text().trim()).toBe('Admin');
    expect(form.$('.cg-side-navigation__item--active').text().trim()).toBe('Public home page');
    expect(form.$('#welcome').val()).toBe('');

    const welcome = 'We help the groups of Brookside <b>thrive</b>.\r\n\r\nCome and see us.';
    const about = 'Brookside CVS is a charity.\r\nWe are open on weekdays.';
    const saved = await client.submit('/admin/front-door', '/admin/front-door', { welcome, about });
    expect(saved.status).toBe(303);
    expect(saved.location).toBe('/admin/front-door');
    const again = await client.get('/admin/front-door');
    expect(again.$('.govuk-notification-banner').text()).toContain('Your public home page is saved');
    expect(again.$('#welcome').val()).toBe('We help the groups of Brookside <b>thrive</b>.\n\nCome and see us.');

    const front = await new Client(t.app, lio.host).get('/');
    expect(front.$('[data-testid="welcome"] p').toArray().map((p) => front.$(p).text())).toEqual(['We help the groups of Brookside <b>thrive</b>.', 'Come and see us.']);
    expect(front.$('[data-testid="welcome"] b').length).toBe(0);
    expect(front.$('[data-testid="about"] h2').text()).toBe('About Brookside CVS');
    expect(front.$('[data-testid="about"] p').toArray().map((p) => front.$(p).text())).toEqual(['Brookside CVS is a charity.\nWe are open on weekdays.']);

    const entries = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('audit_events').selectAll().where('action', '=', 'settings.front_door').execute());
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actor_user_id: admin.id, subject_type: 'lio', subject_id: lio.id });
    // Lengths as kept, with line feeds for the CRLF a browser sends.
    expect(entries[0]!.detail).toEqual({ changed: ['welcome', 'about'], welcome_length: welcome.replaceAll('\r\n', '\n').length, about_length: about.replaceAll('\r\n', '\n').length });
  });

  it('keeps the words as they were when the form has a mistake, with the error summary and a 400', async () => {
    const lio = await t.make.lio();
    const { client } = await adminOf(lio);
    await client.submit('/admin/front-door', '/admin/front-door', { welcome: 'Hello, Brookside.', about: '' });

    const empty = await client.submit('/admin/front-door', '/admin/front-door', { welcome: '   ', about: 'Something' });
    expect(empty.status).toBe(400);
    expect(errorSummary(empty)).toEqual([{ href: '#welcome', text: 'Enter a welcome for people who come to your home page' }]);
    expect(empty.$('#welcome-error').length).toBe(1);
    expect(empty.$('#about').val()).toBe('Something');
    expect(empty.$('title').text()).toMatch(/^Error: /);

    const long = await client.submit('/admin/front-door', '/admin/front-door', { welcome: 'w'.repeat(601), about: 'a'.repeat(3001) });
    expect(long.status).toBe(400);
    expect(errorSummary(long)).toEqual([
      { href: '#welcome', text: 'A welcome for people who come to your home page must be 600 characters or fewer' },
      { href: '#about', text: 'The words about your organisation must be 3000 characters or fewer' },
    ]);
    // Exactly at the limits is accepted.
    expect((await client.submit('/admin/front-door', '/admin/front-door', { welcome: 'w'.repeat(600), about: 'a'.repeat(3000) })).status).toBe(303);
    expect(mainText(await new Client(t.app, lio.host).get('/'))).toContain('w'.repeat(600));
  });

  it('refuses the form without its CSRF token, and refuses everyone but an admin', async () => {
    const lio = await t.make.lio();
    const { client } = await adminOf(lio);
    expect((await client.postRaw('/admin/front-door', { welcome: 'Forged' })).status).toBe(403);
    for (const role of ['staff', 'group_member', 'volunteer', 'partner', 'network'] as const) {
      const user = await t.make.user(lio, { role });
      const other = new Client(t.app, lio.host);
      await other.signIn(user.email, user.password);
      expect((await other.get('/admin/front-door')).status, role).toBe(403);
      expect((await other.submit('/', '/admin/front-door', { welcome: 'Taken over' })).status, role).toBe(403);
    }
    const words = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('lios').select('welcome_text').executeTakeFirstOrThrow());
    expect(words.welcome_text).toBe('');
  });
});

describe('the demo LIO', () => {
  let t: TestContext;
  beforeAll(async () => { t = await createTestApp(); });
  afterAll(async () => { await t.close(); });

  it('greets visitors in its own words', async () => {
    expect((await seedDemo(t.db, t.config)).created).toBe(true);
    const page = await new Client(t.app, 'localhost').get('/');
    expect(page.$('h1').text()).toBe('Riverside Community Action');
    expect(page.$('[data-testid="welcome"]').text()).toContain('helps the charities, community groups and volunteers of Riverside');
    expect(page.$('[data-testid="about"] p').length).toBe(2);
  });
});
