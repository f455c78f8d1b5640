import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signedInUser, type TestContext } from '../helpers/app.js';
import { peopleFactories } from '../helpers/people-factories.js';
import { readConsentForm, readPersonForm } from '../../src/people/records/form.js';

/** 00:30 on 16 June 2027 in London: still 15 June in UTC. */
const JUST_AFTER_MIDNIGHT = new Date('2027-06-15T23:30:00Z');

describe('10. the day is England’s, not UTC’s', () => {
  it('a date of birth or consent of today (in London) is not in the future', () => {
    const person = readPersonForm({
      fullName: 'Newborn Baby', preferredName: '', email: '', otherEmail: '', phone: '', otherPhone: '', postcode: '',
      dobDay: '16', dobMonth: '6', dobYear: '2027', contactMethods: [],
    }, JUST_AFTER_MIDNIGHT);
    expect(person.errors.list).toEqual([]);
    expect(person.person.date_of_birth).toBe('2027-06-16');

    const consent = readConsentForm({ purpose: 'newsletter', method: 'verbal', wordingVersion: 'v1', givenDay: '16', givenMonth: '6', givenYear: '2027' }, JUST_AFTER_MIDNIGHT);
    expect(consent.errors.list).toEqual([]);
    // Given today: recorded at this moment, not at noon of a day that has not come yet in UTC.
    expect(consent.consent.givenAt).toEqual(JUST_AFTER_MIDNIGHT);
  });

  describe('the consent form', () => {
    let t: TestContext;
    beforeAll(async () => {
      t = await createTestApp();
      t.clock.advance(JUST_AFTER_MIDNIGHT.getTime() - t.clock.now().getTime());
    });
    afterAll(async () => { await t.close(); });

    it('is filled in with today’s date in London', async () => {
      const lio = await t.make.lio();
      const { client } = await signedInUser(t, lio);
      const p = await peopleFactories(t.db).person(lio);
      const form = await client.get(`/people/${p.id}/consents/new`);
      expect(form.status).toBe(200);
      expect([form.$('input[name="givenOn-day"]').val(), form.$('input[name="givenOn-month"]').val(), form.$('input[name="givenOn-year"]').val()]).toEqual(['16', '6', '2027']);
    });
  });
});
