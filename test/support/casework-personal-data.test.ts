import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { directoryFactories } from '../helpers/directory-factories.js';
import { caseworkFactories } from '../helpers/casework-factories.js';
import { caseworkPersonalData } from '../../src/support/personal-data/casework.js';
import type { PersonIdentity } from '../../src/platform/personal-data.js';

let t: TestContext;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t?.close(); });

it('names the cases a person asked for and their messages, and erasure unlinks the cases (kept for the group) and removes the messages', async () => {
  const lio = await t.make.lio();
  const org = await directoryFactories(t.db).organisation(lio, { name: 'Brook Street Pantry' });
  const groupUser = await t.make.user(lio, { role: 'group_member', organisationId: org.id });
  const f = caseworkFactories(t.db);
  const person = await f.person(lio, { fullName: 'Ann Asker', email: 'ann@example.org' });
  const c = await f.supportCase(lio, { organisationId: org.id, askedByPersonId: person.id, askedByUserId: groupUser.id, title: 'Lottery bid' });
  await f.note(lio, { caseId: c.id, body: 'Thanks, attached', fromGroup: true, authorUserId: groupUser.id });
  await f.note(lio, { caseId: c.id, body: 'Adviser work', minutes: 60 });
  const identity: PersonIdentity = { lioId: lio.id, personId: person.id, emails: ['ann@example.org'], phones: [], recordIds: [person.id], userIds: [groupUser.id], actorLabels: [] };

  const shown = await t.db.withTenant(lio.id, (tx) => caseworkPersonalData.describe({ tx, now: new Date() }, identity));
  expect(shown.map((s) => [s.heading, s.records.map((r) => r.title)])).toEqual([
    ['Support asked for a group', [`${c.reference}: Lottery bid (Brook Street Pantry)`]], ['Messages to an adviser', [expect.any(String)]],
  ]);
  const exported = await t.db.withTenant(lio.id, (tx) => caseworkPersonalData.export({ tx, now: new Date() }, identity));
  expect(exported.support_cases_asked).toHaveLength(1);
  expect(exported.support_case_messages_sent).toHaveLength(1);

  const outcome = await t.db.withTenant(lio.id, (tx) => caseworkPersonalData.erase({ tx, now: new Date() }, identity));
  expect(outcome.removed.support_case_notes).toBe(1);
  expect(outcome.anonymised.support_cases).toBe(1);
  const after = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('support_cases').select(['asked_by_person_id', 'asked_by_user_id', 'title']).executeTakeFirstOrThrow());
  expect(after).toEqual({ asked_by_person_id: null, asked_by_user_id: null, title: 'Lottery bid' });
  const notes = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('support_case_notes').select('body').execute());
  expect(notes).toEqual([{ body: 'Adviser work' }]);
});
