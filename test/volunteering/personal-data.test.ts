import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signedInUser, type TestContext } from '../helpers/app.js';
import { Client } from '../helpers/client.js';
import { directoryFactories } from '../helpers/directory-factories.js';
import { peopleFactories } from '../helpers/people-factories.js';
import { volunteeringFactories, type VolunteeringFactories } from '../helpers/volunteering-factories.js';
import { hashSecret, newSecret } from '../../src/platform/auth/secrets.js';
import { signupsRepository } from '../../src/volunteering/register/repository.js';
import { volunteeringPersonalData } from '../../src/volunteering/personal-data/provider.js';

let t: TestContext;
let vol: VolunteeringFactories;
beforeAll(async () => { t = await createTestApp(); vol = volunteeringFactories(t.db); });
afterAll(async () => { await t.close(); });

const linkIn = (body: string) => new URL(/http\S+\/volunteer\/referral\/\S+/.exec(body)![0]).pathname;

async function erase(lio: { id: string; host: string }, personId: string) {
  const { client } = await signedInUser(t, lio, { role: 'admin' });
  const done = await client.submit(`/people/${personId}/erase`, `/people/${personId}/erase`, { confirm: 'yes' });
  expect(done.status).toBe(303);
  return client;
}

describe('a volunteer’s personal data', () => {
  it('erasure ends the e-mailed confirmation link and forgets that the address was confirmed', async () => {
    const lio = await t.make.lio();
    const volunteer = await vol.volunteer(lio, { fullName: 'Lena Link', email: 'lena@example.net' });
    // Registered online and followed the link, but has not set a password yet: the link still offers one.
    const token = newSecret();
    await t.db.withTenant(lio.id, (tx) => tx.updateTable('volunteers').set({ confirm_token_hash: hashSecret(token), email_confirmed_at: new Date() })
      .where('id', '=', volunteer.id).execute());
    const visitor = new Client(t.app, lio.host);
    expect((await visitor.get(`/volunteer/register/confirm/${token}`)).status).toBe(200);

    await erase(lio, volunteer.personId);
    const row = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('volunteers').select(['confirm_token_hash', 'email_confirmed_at']).where('id', '=', volunteer.id).executeTakeFirstOrThrow());
    expect(row).toEqual({ confirm_token_hash: null, email_confirmed_at: null });
    expect((await visitor.get(`/volunteer/register/confirm/${token}`)).status).toBe(404);
  });
});

describe('a sign-up waiting for its e-mailed link', () => {
  it('is on the person’s page and in their export under the address it was sent with, goes on erasure, and is deleted when its link lapses', async () => {
    const lio = await t.make.lio();
    const person = await peopleFactories(t.db).person(lio, { fullName: 'Pat Pending', emails: ['pat@example.net'] });
    const hold = (key: string, email: string, now: Date) => t.db.withTenant(lio.id, (tx) => signupsRepository.hold(tx, {
      lioId: lio.id, via: 'surge', signupKey: key, email, tokenHash: hashSecret(newSecret()), answers: { fullName: 'Pat Pending', email }, now,
    }));
    await hold('key-pat-0000000001', 'pat@example.net', new Date());
    const { client: admin } = await signedInUser(t, lio, { role: 'admin' });
    const page = await admin.get(`/people/${person.id}`);
    expect(page.$('[data-testid="held-volunteering"]').text()).toContain('Emergency sign-up sent');
    const file = await admin.submit(`/people/${person.id}/export`, `/people/${person.id}/export`, { format: 'json' });
    expect(JSON.parse(file.body).providers.volunteering.tables.volunteer_signups).toMatchObject([{ via: 'surge', email: 'pat@example.net' }]);
    expect(file.body).not.toContain('token_hash');
    await erase(lio, person.id);
    expect(await t.db.withTenant(lio.id, (tx) => tx.selectFrom('volunteer_signups').select('id').execute())).toEqual([]);

    // Another's link never followed: gone once it lapses, a week on.
    await hold('key-old-0000000001', 'old@example.net', new Date(Date.now() - 8 * 86_400_000));
    await hold('key-new-0000000001', 'new@example.net', new Date());
    const removed = await t.db.withTenant(lio.id, (tx) => volunteeringPersonalData.retention.apply({ tx, now: new Date() }));
    expect(removed.volunteer_signups).toBe(1);
    expect(await t.db.withTenant(lio.id, (tx) => tx.selectFrom('volunteer_signups').select('email').execute())).toEqual([{ email: 'new@example.net' }]);
  });
});

describe('an organisation’s contact who answers referrals from the e-mailed link', () => {
  it('finds the links sent to them in their export; erased, the links no longer name them or work, and the history and audit log say "Erased person"', async () => {
    const lio = await t.make.lio();
    const org = await directoryFactories(t.db).organisation(lio, { name: 'Brook Street Pantry', email: 'Hello@Pantry.example' });
    const contact = await t.make.user(lio, { role: 'group_member', organisationId: org.id, name: 'Hana Hello', email: 'hello@pantry.example' });
    const person = await peopleFactories(t.db).personOfUser(lio, contact.id);
    const { client: coordinator } = await signedInUser(t, lio, { role: 'staff', permissionSets: ['volunteer_coordinator'] });
    const role = await vol.opportunity(lio, { organisationId: org.id, title: 'Pantry packer' });
    const volunteer = await vol.volunteer(lio, { fullName: 'Nia Roberts' });
    expect((await coordinator.submit('/volunteering/referrals/new', '/volunteering/referrals', { volunteer: volunteer.id, role: role.id })).status).toBe(303);
    const mail = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('email_messages').select('body_text').where('subject', 'like', 'A volunteer for%').executeTakeFirstOrThrow());
    const link = linkIn(mail.body_text);
    const orgMail = new Client(t.app, lio.host);
    expect((await orgMail.get(link)).status).toBe(200);
    expect((await orgMail.submit(link, link, { step: 'contacted' })).status).toBe(303);

    const { client: admin } = await signedInUser(t, lio, { role: 'admin' });
    const file = await admin.submit(`/people/${person.id}/export`, `/people/${person.id}/export`, { format: 'json' });
    const data = JSON.parse(file.body);
    expect(data.providers.volunteering.tables.referral_links_sent_to_them).toMatchObject([{ sent_to: 'Hello@Pantry.example' }]);
    expect(data.providers.volunteering.tables.referral_steps_by_them).toMatchObject([{ step: 'contacted' }]);
    expect(file.body).not.toContain('token_hash');

    await erase(lio, person.id);
    const after = await t.db.withTenant(lio.id, async (tx) => ({
      links: await tx.selectFrom('referral_links').select('sent_to').execute(),
      steps: await tx.selectFrom('referral_steps').select(['step', 'actor_label']).where('step', '=', 'contacted').execute(),
      audit: await tx.selectFrom('audit_events').select('actor_label').where('actor_label', 'ilike', '%pantry.example%').execute(),
    }));
    expect(after.links).toEqual([{ sent_to: 'Erased person' }]);
    expect(after.steps).toEqual([{ step: 'contacted', actor_label: 'Erased person' }]);
    expect(after.audit).toEqual([]);
    expect((await orgMail.get(link)).status).not.toBe(200);
  });
});
