import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type CompiledQuery } from 'kysely';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { volunteeringFactories, type VolunteeringFactories } from '../helpers/volunteering-factories.js';
import { matchingRepository as repo } from '../../src/volunteering/matching/repository.js';
import { bestMatches, estimatedThreshold, featureSets, guessedShares, highestWholePart, looseSets } from '../../src/volunteering/matching/tiers.js';
import { rolesForVolunteerEveryone, volunteersForRoleEveryone } from '../helpers/matching-reference.js';

let t: TestContext;
let vol: VolunteeringFactories;
beforeAll(async () => { t = await createTestApp(); vol = volunteeringFactories(t.db); });
afterAll(async () => { await t.close(); });

const SKILLS = ['driving', 'befriending', 'admin', 'gardening', 'computers', 'catering'];
const CAUSES = ['food', 'older', 'health', 'environment', 'digital'];
const SLOTS = ['mon-morning', 'tue-afternoon', 'wed-evening', 'sat-morning', 'sun-afternoon'];

/** A small seeded generator, so a failure can be made again. */
function generator(seed: number) {
  let s = seed;
  const next = () => { s = (s * 1_103_515_245 + 12_345) % 2_147_483_648; return s / 2_147_483_648; };
  const some = (values: string[], chance: number) => values.filter((_v, i) => next() < chance / (i + 1));
  return { next, some };
}

describe('matching round by round', () => {
  it('asks for every set of features that could reach a whole part, and no fewer', () => {
    const role = { skills: ['driving', 'admin'], causes: ['food'], slots: ['mon-morning'], anyTime: false };
    expect(highestWholePart(role)).toBe(9);
    expect(featureSets(role, 9)).toEqual([{ skills: ['driving', 'admin'], causes: ['food'], slots: ['mon-morning'], slotCount: 0 }]);
    expect(featureSets(role, 8)).toEqual([{ skills: ['driving', 'admin'], causes: ['food'], slots: [], slotCount: 0 }]);
    // 7: both skills and the slot, or both skills and the cause.
    expect(featureSets(role, 7)).toEqual([
      { skills: ['driving', 'admin'], causes: [], slots: ['mon-morning'], slotCount: 0 },
      { skills: ['driving', 'admin'], causes: ['food'], slots: [], slotCount: 0 },
    ]);
    // A role for any time asks for a number of the volunteer's own slots instead.
    expect(featureSets({ skills: [], causes: ['food'], slots: [], anyTime: true }, 4)).toEqual([{ skills: [], causes: ['food'], slots: [], slotCount: 2 }]);
    // Too many sets to name: the looser question, which everyone of the whole part still answers.
    const many = { skills: SKILLS, causes: CAUSES, slots: SLOTS, anyTime: false };
    expect(featureSets(many, 12)).toBeNull();
    expect(looseSets(many, 12).length).toBeGreaterThan(0);
  });

  it('after a round that found fewer than twenty, aims for as many more as the estimate erred by, not eight times as many', async () => {
    const role = { skills: ['driving'], causes: [], slots: [], anyTime: true };
    // (a pool of 100,000 with a DBS check wanted: eight times as many would come only from the whole part below)
    const shares = guessedShares(100_000, role, true);
    expect(estimatedThreshold(role, shares, 8 * 60, false, true)).toBeLessThan(estimatedThreshold(role, shares, 60, false, true) - 0.9);
    const targets: number[] = [];
    const rows = (n: number, score: number) => Array.from({ length: n }, (_v, i) => ({ score, volunteer_id: `${targets.length}-${i}` }));
    const best = await bestMatches(role, 20, false, shares, { remote: false, inPerson: true }, async (narrowing) => {
      targets.push(narrowing.target);
      // the first round finds 17 in all; the second finds twenty at its target
      return { rows: targets.length === 1 ? rows(17, narrowing.target) : rows(20, narrowing.target), remoteRead: 0, remoteLastId: null };
    });
    expect(best).toHaveLength(20);
    expect(targets).toHaveLength(2);
    // between the first target and the one aiming for eight times as many (which reads a lower whole part)
    expect(targets[1]).toBeLessThan(targets[0]!);
    expect(targets[1]).toBeGreaterThan(estimatedThreshold(role, shares, 8 * 60, false, true));
  });

  it('finds the same best volunteers and roles, in the same order with the same scores, as scoring everyone does', { timeout: 240_000 }, async () => {
    const lio = await t.make.lio();
    const g = generator(20_261_207);
    // Made in one transaction: this test is about the answers, not the making.
    const volunteers = await t.db.withTenant(lio.id, async (tx) => {
      const people = await tx.insertInto('people').values(Array.from({ length: 160 }, (_v, i) => ({
        lio_id: lio.id, full_name: `Volunteer ${i}`, emails: [`rounds-${i}@example.net`], date_of_birth: g.next() < 0.1 ? '2012-01-01' : '1990-05-01', contact_methods: ['email'],
      }))).returning('id').execute();
      return tx.insertInto('volunteers').values(people.map((p) => ({
        lio_id: lio.id, person_id: p.id, registered_via: 'online' as const, status: g.next() < 0.1 ? 'inactive' as const : 'active' as const,
        skills: g.some(SKILLS, 0.9), causes: g.some(CAUSES, 0.7), interests: g.next() < 0.2 ? ['food'] : [], availability: g.some(SLOTS, 0.8),
        latitude: 53.8 + (g.next() - 0.5) * 0.2, longitude: -1.55 + (g.next() - 0.5) * 0.3, travel_km: [2, 5, 10, 25, 100][Math.floor(g.next() * 5)]!,
        remote: g.next() < 0.2,
      }))).returning('id').execute();
    });
    for (const v of volunteers.slice(0, 30)) {
      if (g.next() < 0.5) await vol.vettingCheck(lio, { volunteerId: v.id, dbsLevel: g.next() < 0.5 ? 'basic' : 'enhanced' });
    }
    const roles: { id: string; title: string }[] = [];
    for (let i = 0; i < 24; i++) {
      roles.push(await vol.opportunity(lio, {
        title: `Role ${i}`, skills: g.some(SKILLS, 0.8), causes: g.some(CAUSES, 0.6), availability: g.some(SLOTS, 0.5),
        latitude: 53.8 + (g.next() - 0.5) * 0.2, longitude: -1.55 + (g.next() - 0.5) * 0.3, remote: g.next() < 0.2,
        dbsLevel: g.next() < 0.15 ? 'basic' : 'none',
      }));
    }
    for (let i = 0; i < 40; i++) {
      await vol.referral(lio, { status: 'ended', volunteerId: volunteers[Math.floor(g.next() * 20)]!.id, opportunityId: roles[i % roles.length]!.id, at: new Date(Date.now() - g.next() * 20 * 86_400_000) });
    }
    const today = new Date().toISOString().slice(0, 10);
    const since = new Date(Date.now() - 30 * 86_400_000);
    const same = (rows: { score: number }[]) => rows.map((r) => ({ ...r, score: Math.round(r.score * 1e9) / 1e9 }));
    // The rounds estimate their threshold from the statistics of the profiles, as autovacuum gathers them; before
    // any (PGlite has no autovacuum), from guessed shares: either way the answers are the same.
    for (const analysed of [false, true]) {
      if (analysed) await sql`analyze volunteer_match_profiles`.execute(t.db.system);
      await t.db.withTenant(lio.id, async (tx) => {
        let narrowed = 0;
        for (const role of roles) {
          for (const limit of [3, 20]) {
            const targets: number[] = [];
            // Round by round, however few the volunteers (a small LIO is otherwise matched in one round).
            const fast = await repo.volunteersForRole(tx, role.id, today, since, limit, undefined, 0, targets);
            const full = (await volunteersForRoleEveryone(role.id, today, since, limit).execute(tx)).rows;
            expect(same(fast), `${role.title}, best ${limit}, ${analysed ? 'with' : 'without'} statistics`).toEqual(same(full));
            // A round scoring everyone who could match asks for the lowest score there can be (-3).
            if (targets.length === 1 && targets[0]! > -3 && fast.length === limit) narrowed++;
          }
        }
        // Many answers came from the first round: the rounds are narrowing, not falling back to everyone.
        expect(narrowed).toBeGreaterThan(0);
      });
    }
    await t.db.withTenant(lio.id, async (tx) => {
      for (const v of volunteers.slice(0, 30)) {
        for (const limit of [3, 20]) {
          const fast = await repo.rolesForVolunteer(tx, v.id, today, since, limit);
          const full = (await rolesForVolunteerEveryone(v.id, today, since, limit).execute(tx)).rows;
          expect(same(fast), `roles for volunteer ${v.id}, best ${limit}`).toEqual(same(full));
        }
      }
    });
  });

  it('a search by features returns only those near enough to reach the round\'s target, to the rounding of distances shown', async () => {
    const lio = await t.make.lio();
    const here = { latitude: 53.8, longitude: -1.55 };
    const east = (km: number) => ({ latitude: 53.8, longitude: -1.55 + km * 0.01515 });
    const role = await vol.opportunity(lio, { title: 'Driver', skills: ['driving'], causes: ['food'], availability: ['mon-morning'], ...here });
    const wanted = { skills: ['driving'], causes: ['food'], availability: ['mon-morning'], travelKm: 10 };
    // Whole part 6 each: at about 5.04 km (shown as 5.0), 5.2 km, beyond their reach, and remote only.
    const edge = await vol.volunteer(lio, { ...wanted, ...east(5.07) });
    const further = await vol.volunteer(lio, { ...wanted, ...east(5.2) });
    await vol.volunteer(lio, { ...wanted, ...east(30) });
    await vol.volunteer(lio, { ...wanted, ...east(1), inPerson: false, remote: true });
    const { rows: [at] } = await sql<{ km: number }>`select volunteering_distance_km(v.latitude, v.longitude, o.latitude, o.longitude) as km
      from volunteers v, opportunities o where v.id = ${edge.id} and o.id = ${role.id}`.execute(t.db.system);
    // Shown as 5.0 km, so its score is 6 + 1 - 5.0 / 10, though the distance to the metre is a little more.
    expect(Math.round(at!.km * 10) / 10).toBe(5);
    expect(at!.km).toBeGreaterThan(5.02);
    const today = new Date().toISOString().slice(0, 10);
    const since = new Date(Date.now() - 30 * 86_400_000);
    await t.db.withTenant(lio.id, async (tx) => {
      const reaching = async (target: number, place: boolean) => (await sql<{ id: string }>`
        select cg_volunteers_with_keys_reaching(volunteering_feature_keys(array['driving'], array['food'], array['mon-morning'], 0), null, null, null, null,
          ${place ? sql`o.latitude, o.longitude` : sql`null::float8, null::float8`}, 0.1, o.match_skills, o.match_causes, o.match_slots, false, ${target}::float8) as id
        from opportunities o where o.id = ${role.id}`.execute(tx)).rows.map((r) => r.id).sort();
      expect(await reaching(6.5, true)).toEqual([edge.id]);
      expect(await reaching(6.47, true)).toEqual([edge.id, further.id].sort());
      // Without a place (remote work), nearness counts 1 for everyone holding the features.
      expect(await reaching(7, false)).toHaveLength(4);
      expect(await reaching(7.01, false)).toEqual([]);
      const full = (await volunteersForRoleEveryone(role.id, today, since, 20).execute(tx)).rows;
      expect(full[0]).toMatchObject({ volunteer_id: edge.id, score: 6.5 });
      for (const limit of [1, 2, 3]) {
        expect(await repo.volunteersForRole(tx, role.id, today, since, limit, undefined, 0)).toEqual(full.slice(0, limit));
      }
    });
  });

  it('a search by place for a role needing a DBS check reads the vetted at the level or above, as for anyone else', async () => {
    const lio = await t.make.lio();
    const here = { latitude: 53.8, longitude: -1.55 };
    const role = await vol.opportunity(lio, { title: 'Befriender', skills: ['befriending'], dbsLevel: 'standard', ...here });
    const at = (km: number) => ({ latitude: 53.8 + km / 111.2, longitude: -1.55 });
    const none = await vol.volunteer(lio, { skills: ['befriending'], ...at(1) });
    const basic = await vol.volunteer(lio, { skills: ['befriending'], ...at(2) });
    const standard = await vol.volunteer(lio, { skills: ['befriending'], ...at(3) });
    const enhanced = await vol.volunteer(lio, { skills: ['befriending'], ...at(4), travelKm: 100 });
    const remoteOnly = await vol.volunteer(lio, { skills: ['befriending'], ...at(1), inPerson: false, remote: true });
    const lapsed = await vol.volunteer(lio, { skills: ['befriending'], ...at(1) });
    await vol.vettingCheck(lio, { volunteerId: basic.id, dbsLevel: 'basic' });
    const standardCheck = await vol.vettingCheck(lio, { volunteerId: standard.id, dbsLevel: 'standard' });
    await vol.vettingCheck(lio, { volunteerId: enhanced.id, dbsLevel: 'enhanced' });
    await vol.vettingCheck(lio, { volunteerId: remoteOnly.id, dbsLevel: 'enhanced' });
    await vol.vettingCheck(lio, { volunteerId: lapsed.id, dbsLevel: 'enhanced', expiresOn: '2020-01-01' });
    const today = new Date().toISOString().slice(0, 10);
    const since = new Date(Date.now() - 30 * 86_400_000);
    await t.db.withTenant(lio.id, async (tx) => {
      const near = async (level: number, share = 1) => (await sql<{ id: string }>`
        select cg_volunteers_near(o.latitude, o.longitude, ${share}::float8, 0.1, o.match_skills, o.match_causes, o.match_slots, false, -3, ${level}) as id
        from opportunities o where o.id = ${role.id}`.execute(tx)).rows.map((r) => r.id).sort();
      const ids = (...vs: { id: string }[]) => vs.map((v) => v.id).sort();
      expect(await near(0)).toEqual(ids(none, basic, standard, enhanced, lapsed));
      expect(await near(1)).toEqual(ids(basic, standard, enhanced, lapsed));
      // A check that has lapsed is read here and left out when scored.
      expect(await near(2)).toEqual(ids(standard, enhanced, lapsed));
      expect(await near(3)).toEqual(ids(enhanced, lapsed));
      // Within a tenth of their travel distance: 1 km of 10, or 10 of 100.
      expect(await near(2, 0.1)).toEqual(ids(enhanced, lapsed));
      const full = (await volunteersForRoleEveryone(role.id, today, since, 20).execute(tx)).rows;
      expect(full.map((r) => r.volunteer_id).sort()).toEqual(ids(standard, enhanced));
      expect(await repo.volunteersForRole(tx, role.id, today, since, 20, undefined, 0)).toEqual(full);
    });
    // The vetted are read by their profiles, kept in step: a check failed, then lowered, then removed is seen at once.
    const levelOf = () => t.db.withTenant(lio.id, async (tx) => (await sql<{ id: string }>`
      select cg_volunteers_near(o.latitude, o.longitude, 1, 0.1, o.match_skills, o.match_causes, o.match_slots, false, -3, 1) as id
      from opportunities o where o.id = ${role.id}`.execute(tx)).rows.some((r) => r.id === standard.id));
    await t.db.withTenant(lio.id, (tx) => tx.updateTable('vetting_checks').set({ outcome: 'failed' }).where('id', '=', standardCheck.id).execute());
    expect(await levelOf()).toBe(false);
    await t.db.withTenant(lio.id, (tx) => tx.updateTable('vetting_checks').set({ outcome: 'passed', dbs_level: 'basic' }).where('id', '=', standardCheck.id).execute());
    expect(await levelOf()).toBe(true);
    await t.db.withTenant(lio.id, async (tx) => {
      const found = (await repo.volunteersForRole(tx, role.id, today, since, 20, undefined, 0)).map((r) => r.volunteer_id);
      expect(found).toEqual([enhanced.id]);
    });
    await t.db.withTenant(lio.id, (tx) => tx.deleteFrom('vetting_checks').where('id', '=', standardCheck.id).execute());
    expect(await levelOf()).toBe(false);
  });

  it('answers remote work that many hold every feature of from the first remote volunteers by id, as scoring everyone does', { timeout: 120_000 }, async () => {
    const lio = await t.make.lio();
    const volunteers = await t.db.withTenant(lio.id, async (tx) => {
      const people = await tx.insertInto('people').values(Array.from({ length: 400 }, (_v, i) => ({
        lio_id: lio.id, full_name: `Remote ${i}`, emails: [`remote-${i}@example.net`], date_of_birth: i % 17 === 0 ? '2012-01-01' : '1990-05-01', contact_methods: ['email'],
      }))).returning('id').execute();
      // Most hold every feature the role wants; some also work in person near it, some hold one slot too few.
      return tx.insertInto('volunteers').values(people.map((p, i) => ({
        lio_id: lio.id, person_id: p.id, registered_via: 'online' as const, status: 'active' as const, remote: true, in_person: i % 5 === 0,
        skills: ['driving'], causes: i % 7 === 0 ? [] : ['food'], interests: i % 7 === 0 ? ['food'] : [],
        availability: i % 11 === 0 ? ['mon-morning', 'tue-afternoon'] : ['mon-morning', 'tue-afternoon', 'sat-morning'],
        latitude: 53.8, longitude: -1.55, travel_km: 10,
      }))).returning('id').execute();
    });
    const role = await vol.opportunity(lio, { title: 'Driving for the food bank, from home', skills: ['driving'], causes: ['food'], availability: [], inPerson: false, remote: true });
    const inPersonToo = await vol.opportunity(lio, { title: 'Driving, at the depot or from home', skills: ['driving'], causes: ['food'], availability: [],
      remote: true, latitude: 53.8, longitude: -1.55 });
    // Offers lately to a few of the first by id: they fall behind those offered nothing.
    const byId = [...volunteers].sort((a, b) => (a.id < b.id ? -1 : 1));
    for (const v of byId.slice(0, 4)) await vol.referral(lio, { status: 'ended', volunteerId: v.id, opportunityId: inPersonToo.id, at: new Date(Date.now() - 86_400_000) });
    await sql`analyze volunteer_match_profiles`.execute(t.db.system);
    const today = new Date().toISOString().slice(0, 10);
    const since = new Date(Date.now() - 30 * 86_400_000);
    const same = (rows: { score: number }[]) => rows.map((r) => ({ ...r, score: Math.round(r.score * 1e9) / 1e9 }));
    await t.db.withTenant(lio.id, async (tx) => {
      let readById = 0;
      for (const r of [role, inPersonToo]) {
        for (const limit of [3, 20, 60]) {
          const ran: CompiledQuery[] = [];
          const fast = await repo.volunteersForRole(tx, r.id, today, since, limit, ran, 0);
          const full = (await volunteersForRoleEveryone(r.id, today, since, limit).execute(tx)).rows;
          expect(same(fast), `${r.title}, best ${limit}`).toEqual(same(full));
          if (ran[0]!.sql.includes('cg_remote_volunteers_first')) readById++;
        }
      }
      expect(readById).toBeGreaterThan(0);
    });
  });
});
