import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { ImportSet } from '../../src/directory/oruk/import/model.js';
import { JsonReader } from '../../src/directory/oruk/import/json.js';
import { writeImportSet } from '../../src/directory/oruk/import/writer.js';

/**
 * The writer queues the writes nothing later depends on (schedules, languages, cost options, …) instead of
 * awaiting each: a failure of one of them must still fail the import with its own reason (not the "transaction
 * is aborted" of the statements after it), and leave nothing written.
 */

let t: TestContext;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t?.close(); });

const service = (i: number) => ({
  id: `00000001-0000-4000-8000-${String(i).padStart(12, '0')}`, name: `Service ${i}`, status: 'active',
  organization: { id: '00000002-0000-4000-8000-000000000001', name: 'Trust' },
  schedules: [{ id: `00000003-0000-4000-8000-${String(i).padStart(12, '0')}`, freq: 'WEEKLY', byday: 'MO', opens_at: '09:00', closes_at: '12:00' }],
  cost_options: [{ id: `00000004-0000-4000-8000-${String(i).padStart(12, '0')}`, option: 'Session', amount: 2 }],
  languages: [{ id: `00000005-0000-4000-8000-${String(i).padStart(12, '0')}`, name: 'English', code: 'en' }],
});

function setOf(count: number): ImportSet {
  const set = new ImportSet();
  const reader = new JsonReader(set);
  for (let i = 1; i <= count; i++) reader.add(service(i), { kind: 'service', source: 'test' });
  return set;
}

async function count(lioId: string, table: 'services' | 'schedules' | 'cost_options' | 'languages') {
  return t.db.withTenant(lioId, async (tx) => Number((await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(tx)).rows[0]!.n));
}

describe('the ORUK writer', () => {
  it('writes every queued part before it answers', async () => {
    const lio = await t.make.lio();
    const written = await t.db.withTenant(lio.id, (tx) => writeImportSet(tx, lio.id, setOf(3), t.clock.now()));
    expect(written.services.created).toBe(3);
    expect(await count(lio.id, 'schedules')).toBe(3);
    expect(await count(lio.id, 'cost_options')).toBe(3);
    expect(await count(lio.id, 'languages')).toBe(3);
  });

  it('a queued write that fails fails the whole write with its own reason, and nothing is kept', async () => {
    const lio = await t.make.lio();
    const set = setOf(3);
    // A value the reader never gives, so that the database refuses the schedules (freq must be WEEKLY or MONTHLY).
    set.services.get(service(2).id)!.schedules[0]!.freq = 'DAILY' as 'WEEKLY';
    const failure = await t.db.withTenant(lio.id, (tx) => writeImportSet(tx, lio.id, set, t.clock.now())).then(() => null, (err: Error) => err);
    expect(failure?.message).toMatch(/freq/);
    expect(failure?.message).not.toMatch(/aborted/);
    expect(await count(lio.id, 'services')).toBe(0);
    expect(await count(lio.id, 'schedules')).toBe(0);
  });

  it('keeps every part of a service, venue and contact owned, so that deleting a LIO takes all its directory with it', async () => {
    // The parts' foreign keys to lios were dropped for import speed (migration 010): ownership must carry the cascade.
    const lio = await t.make.lio();
    const other = await t.make.lio();
    for (const target of [lio, other]) {
      const full = {
        ...service(1),
        service_at_locations: [{ location: { name: 'Hall', location_type: 'physical', addresses: [{ address_1: '1 High St', city: 'Leeds', postal_code: 'LS1 1UR', country: 'GB', address_type: 'physical' }] },
          schedules: [{ freq: 'WEEKLY', byday: 'TU', opens_at: '10:00', closes_at: '11:00' }] }],
        contacts: [{ name: 'Sam', phones: [{ number: '0113 496 0000', languages: [{ name: 'Welsh', code: 'cy' }] }] }],
        service_areas: [{ name: 'Leeds' }],
        attributes: [{ taxonomy_term: { id: 'food', name: 'Food', taxonomy: 'Needs' } }],
      };
      const one = new ImportSet();
      new JsonReader(one).add({ ...full, id: `00000001-0000-4000-8000-00000000000${target === lio ? 1 : 2}` }, { kind: 'service', source: 'test' });
      await t.db.withTenant(target.id, (tx) => writeImportSet(tx, target.id, one, t.clock.now()));
    }
    const tables = ['services', 'locations', 'service_at_locations', 'schedules', 'contacts', 'phones', 'languages', 'cost_options', 'service_areas', 'attributes', 'service_delivery_changes'] as const;
    const held = async (lioId: string) => Object.fromEntries(await Promise.all(tables.map(async (table) =>
      [table, Number((await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)} where lio_id = ${lioId}`.execute(t.db.system)).rows[0]!.n)])));
    const before = await held(lio.id);
    for (const table of tables) expect(before[table], table).toBeGreaterThan(0);
    await t.db.system.deleteFrom('lios').where('id', '=', lio.id).execute();
    expect(Object.values(await held(lio.id)).every((n) => n === 0)).toBe(true);
    expect(await held(other.id)).toEqual(before);
    // A part with no owner would outlive its LIO: the database refuses it.
    const refused = await t.db.withTenant(other.id, (tx) => tx.insertInto('phones').values({ lio_id: other.id, number: '0113 496 0001' }).execute()).then(() => null, (err: Error) => err);
    expect(refused?.message).toMatch(/phones_owner/);
  });
});
