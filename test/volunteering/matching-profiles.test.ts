import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { volunteeringFactories, type VolunteeringFactories } from '../helpers/volunteering-factories.js';
import { matchingRepository as repo } from '../../src/volunteering/matching/repository.js';
import { AVAILABILITY_SLOTS, SKILLS } from '../../src/volunteering/vocabulary.js';
import { THEMES } from '../../src/platform/vocabulary/themes.js';

let t: TestContext;
let vol: VolunteeringFactories;
beforeAll(async () => { t = await createTestApp(); vol = volunteeringFactories(t.db); });
afterAll(async () => { await t.close(); });

const DAY = 86_400_000;
const HERE = { latitude: 53.8, longitude: -1.55 };
const dayOf = (d: Date) => d.toISOString().slice(0, 10);

describe('matching profiles (migration 034)', () => {
  it('count the same vocabularies as the forms offer', async () => {
    const { rows } = await sql<{ skills: string[]; causes: string[]; slots: string[] }>`
      select volunteering_skill_codes() as skills, volunteering_cause_codes() as causes, volunteering_slot_codes() as slots`.execute(t.db.system);
    expect([...rows[0]!.skills].sort()).toEqual(Object.keys(SKILLS).sort());
    expect([...rows[0]!.causes].sort()).toEqual(Object.keys(THEMES).sort());
    expect(rows[0]!.slots).toEqual([...AVAILABILITY_SLOTS]);
  });

  it('keep each volunteer\'s recent offers as offers are made, age out and are removed, for the ranking and the share offered', async () => {
    const lio = await t.make.lio();
    const role = await vol.opportunity(lio, { ...HERE, skills: ['driving'] });
    const other = await vol.opportunity(lio, { ...HERE, skills: ['admin'] });
    const busy = await vol.volunteer(lio, { ...HERE, skills: ['driving'] });
    const idle = await vol.volunteer(lio, { ...HERE, skills: ['driving'] });
    const now = new Date();
    const offersOf = async (at: Date) => t.db.withTenant(lio.id, async (tx) => {
      const rows = await repo.volunteersForRole(tx, role.id, dayOf(at), new Date(at.getTime() - 30 * DAY));
      return { ranked: rows.map((r) => [r.volunteer_id, r.recent_offers]), share: await repo.offeredShare(tx, new Date(at.getTime() - 30 * DAY)) };
    });

    // Equal but for offers: the one offered nothing comes first.
    await vol.referral(lio, { volunteerId: busy.id, opportunityId: other.id, at: new Date(now.getTime() - 20 * DAY) });
    const old = await vol.referral(lio, { volunteerId: busy.id, opportunityId: role.id, status: 'ended', at: new Date(now.getTime() - 5 * DAY) });
    expect(await offersOf(now)).toEqual({ ranked: [[idle.id, 0], [busy.id, 2]], share: { active: 2, offered: 1 } });
    // Eleven days on, the older offer is more than 30 days old and no longer counts; 26 days on, neither does.
    expect((await offersOf(new Date(now.getTime() + 11 * DAY))).ranked).toEqual([[idle.id, 0], [busy.id, 1]]);
    expect(await offersOf(new Date(now.getTime() + 26 * DAY))).toEqual({ ranked: [[busy.id, 0], [idle.id, 0]].sort((a, b) => String(a[0]).localeCompare(String(b[0]))), share: { active: 2, offered: 0 } });
    // A referral removed (with its volunteer's erasure, say) counts no more.
    await t.db.withTenant(lio.id, (tx) => tx.deleteFrom('referrals').where('id', '=', old.id).execute());
    expect(await offersOf(now)).toEqual({ ranked: [[idle.id, 0], [busy.id, 1]], share: { active: 2, offered: 1 } });
    // An offer made long before the newest is dropped from the profile, and the count stays right.
    await vol.referral(lio, { volunteerId: idle.id, opportunityId: other.id, at: new Date(now.getTime() - 90 * DAY) });
    await vol.referral(lio, { volunteerId: idle.id, opportunityId: role.id, at: now });
    const { rows } = await sql<{ offered: number }>`select cardinality(offered_at) as offered from volunteer_match_profiles where volunteer_id = ${idle.id}`.execute(t.db.system);
    expect(rows[0]!.offered).toBe(1);
    expect((await offersOf(now)).share).toEqual({ active: 2, offered: 2 });
  });

  it('follow DBS checks as they are recorded, lapse and are changed', async () => {
    const lio = await t.make.lio();
    const role = await vol.opportunity(lio, { ...HERE, dbsLevel: 'standard' });
    const v = await vol.volunteer(lio, { ...HERE });
    const today = new Date();
    const found = (at: Date) => t.db.withTenant(lio.id, async (tx) => (await repo.volunteersForRole(tx, role.id, dayOf(at), new Date(at.getTime() - 30 * DAY)))
      .map((r) => [r.volunteer_id, r.dbs_held]));
    expect(await found(today)).toEqual([]);
    const basic = await vol.vettingCheck(lio, { volunteerId: v.id, dbsLevel: 'basic' });
    expect(await found(today)).toEqual([]);
    const enhanced = await vol.vettingCheck(lio, { volunteerId: v.id, dbsLevel: 'enhanced', expiresOn: dayOf(new Date(today.getTime() + 10 * DAY)) });
    expect(await found(today)).toEqual([[v.id, 'enhanced']]);
    // Past its expiry the enhanced check covers nothing, and the basic one does not cover the role.
    expect(await found(new Date(today.getTime() + 11 * DAY))).toEqual([]);
    await t.db.withTenant(lio.id, (tx) => tx.updateTable('vetting_checks').set({ dbs_level: 'standard' }).where('id', '=', basic.id).execute());
    expect(await found(new Date(today.getTime() + 11 * DAY))).toEqual([[v.id, 'standard']]);
    await t.db.withTenant(lio.id, (tx) => tx.updateTable('vetting_checks').set({ outcome: 'failed' }).where('id', 'in', [basic.id, enhanced.id]).execute());
    expect(await found(today)).toEqual([]);
  });

  it('hold one row for each volunteer not inactive, and the LIO\'s count of them, through changes and erasure', async () => {
    const lio = await t.make.lio();
    const role = await vol.opportunity(lio, { ...HERE, skills: ['driving'] });
    const a = await vol.volunteer(lio, { ...HERE, skills: ['admin'] });
    const b = await vol.volunteer(lio, { ...HERE, skills: ['admin'] });
    await vol.volunteer(lio, { ...HERE, status: 'inactive' });
    const state = () => t.db.withTenant(lio.id, async (tx) => ({
      active: (await repo.offeredShare(tx, new Date(0))).active,
      matched: (await repo.volunteersForRole(tx, role.id, dayOf(new Date()), new Date(Date.now() - 30 * DAY))).map((r) => [r.volunteer_id, r.skills_common]),
    }));
    expect(await state()).toEqual({ active: 2, matched: [[a.id, []], [b.id, []]].sort((x, y) => String(x[0]).localeCompare(String(y[0]))) });
    // A change to what is matched on is seen at once.
    await t.db.withTenant(lio.id, (tx) => tx.updateTable('volunteers').set({ skills: ['driving'] }).where('id', '=', b.id).execute());
    expect(await state()).toEqual({ active: 2, matched: [[b.id, ['driving']], [a.id, []]] });
    // Made inactive: gone from matching and the count; active again: back.
    await t.db.withTenant(lio.id, (tx) => tx.updateTable('volunteers').set({ status: 'inactive' }).where('id', '=', a.id).execute());
    expect(await state()).toEqual({ active: 1, matched: [[b.id, ['driving']]] });
    await t.db.withTenant(lio.id, (tx) => tx.updateTable('volunteers').set({ status: 'active' }).where('id', '=', a.id).execute());
    expect((await state()).active).toBe(2);
    // The person deleted: their volunteer record and its profile go.
    await t.db.withTenant(lio.id, (tx) => tx.deleteFrom('people').where('id', '=', b.personId).execute());
    expect(await state()).toEqual({ active: 1, matched: [[a.id, []]] });
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from volunteer_match_profiles where lio_id = ${lio.id}`.execute(t.db.system);
    expect(rows[0]!.n).toBe(1);
  });
});
