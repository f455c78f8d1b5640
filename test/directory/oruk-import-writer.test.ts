import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { onPostgres } from '../helpers/store.js';
import { ImportSet } from '../../src/directory/oruk/import/model.js';
import { JsonReader } from '../../src/directory/oruk/import/json.js';
import { referenceChecksFor, writeImportSet } from '../../src/directory/oruk/import/writer.js';
import { BrokenReferenceError, BulkReferences, checkReferences } from '../../src/platform/db/reference-checks.js';

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

const fullService = (id: string, variant: string) => ({
  ...service(1), id, name: `Service ${variant}`, status: variant === 'a' ? 'active' : 'temporarily closed',
  service_at_locations: [{ location: { id: `${id.slice(0, -4)}aaaa`, name: `Hall ${variant}`, location_type: 'physical',
    addresses: [{ address_1: '1 High St', city: 'Leeds', postal_code: 'LS1 1UR', country: 'GB', address_type: 'physical' }] },
  schedules: [{ freq: 'WEEKLY', byday: variant === 'a' ? 'TU' : 'WE', opens_at: '10:00', closes_at: '11:00' }] }],
  contacts: [{ name: `Sam ${variant}`, phones: [{ number: '0113 496 0000', languages: [{ name: variant === 'a' ? 'Welsh' : 'Polish', code: variant === 'a' ? 'cy' : 'pl' }] }] }],
  service_areas: [{ name: 'Leeds' }],
  attributes: [{ taxonomy_term: { id: `food-${variant}`, name: `Food ${variant}`, taxonomy: 'Needs' } }],
});
const setWith = (record: object) => {
  const set = new ImportSet();
  new JsonReader(set).add(record, { kind: 'service', source: 'test' });
  return set;
};

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

  // A large import writes without the row-by-row foreign-key checks and checks its references set-based before
  // it ends (platform/db/reference-checks.ts); a small one keeps the row-by-row checks. Both must write the same.
  for (const referenceChecks of ['row', 'set', 'set-locking'] as const) {
    it(`re-importing a service replaces its parts and keeps nothing of the old ones (references checked ${referenceChecks})`, async () => {
      const lio = await t.make.lio();
      const id = `00000001-0000-4000-8000-00000000${{ row: 'a', set: 'b', 'set-locking': 'c' }[referenceChecks]}001`;
      const write = (variant: string) => t.db.withTenant(lio.id, (tx) => writeImportSet(tx, lio.id, setWith(fullService(id, variant)), t.clock.now(), undefined, { referenceChecks }));
      const version = async () => Number((await sql<{ v: number }>`select coalesce(sum(weight), 0)::int as v from directory_changes where lio_id = ${lio.id}`.execute(t.db.system)).rows[0]!.v);
      // a write that only adds still moves the published directory on (its pages and API answers are not served stale)
      const before = await version();
      await t.db.withTenant(lio.id, (tx) => writeImportSet(tx, lio.id, setWith(service(2)), t.clock.now(), undefined, { referenceChecks }));
      expect(await version()).toBeGreaterThan(before);
      await write('a');
      const second = await write('b');
      expect(second.services).toEqual({ created: 0, updated: 1 });
      const read = async <R>(query: ReturnType<typeof sql<R>>) => (await t.db.withTenant(lio.id, (tx) => query.execute(tx))).rows;
      expect(await read(sql<{ byday: string }>`select byday from schedules where service_id = ${id} or service_at_location_id is not null order by byday`)).toEqual([{ byday: 'MO' }, { byday: 'WE' }]);
      expect(await read(sql<{ name: string }>`select name from contacts`)).toEqual([{ name: 'Sam b' }]);
      expect(await read(sql<{ n: number }>`select count(*)::int as n from phones`)).toEqual([{ n: 1 }]);
      expect(await read(sql<{ code: string }>`select code from languages where service_id = ${id} or phone_id is not null order by code`)).toEqual([{ code: 'en' }, { code: 'pl' }]);
      expect(await read(sql<{ n: number }>`select count(*)::int as n from service_at_locations`)).toEqual([{ n: 1 }]);
      expect(await read(sql<{ name: string }>`select tt.name from attributes a join taxonomy_terms tt on tt.id = a.taxonomy_term_id`)).toEqual([{ name: 'Food b' }]);
      // the service's delivery history records the change of status
      expect((await read(sql<{ status: string }>`select status from service_delivery_changes order by status`)).map((r) => r.status)).toContain('temporarily closed');
      // the row-by-row checks are back once the write is done
      const refused = await t.db.withTenant(lio.id, async (tx) => {
        await writeImportSet(tx, lio.id, setWith(fullService(`${id.slice(0, -1)}2`, 'c')), t.clock.now(), undefined, { referenceChecks });
        return tx.insertInto('phones').values({ lio_id: lio.id, number: '0113 496 0002', service_id: '00000001-0000-4000-8000-00000000ffff' }).execute().then(() => null, (err: Error) => err);
      });
      expect(refused?.message).toMatch(/foreign key/);
    });
  }

  it('a set-based check finds a row naming a record that is not there, and the write is refused', async () => {
    const lio = await t.make.lio();
    const failure = await t.db.withTenant(lio.id, async (tx) => {
      const bulk = await BulkReferences.start(tx, { lockNamed: false });
      expect(bulk).not.toBeNull();
      await tx.insertInto('phones').values({ lio_id: lio.id, number: '0113 496 0003', service_id: '00000001-0000-4000-8000-00000000eeee' }).execute();
      await checkReferences(tx, ['services', 'phones']);
    }).then(() => null, (err: Error) => err);
    expect(failure).toBeInstanceOf(BrokenReferenceError);
    expect(failure?.message).toMatch(/1 in phones \(service_id → services\)/);
    expect(await t.db.withTenant(lio.id, async (tx) => (await sql<{ n: number }>`select count(*)::int as n from phones`.execute(tx)).rows[0]!.n)).toBe(0);
  });

  it('checks references set-based only for a large import, locking the records named on PostgreSQL', () => {
    expect(referenceChecksFor(setOf(1000), 'pglite')).toBe('set');
    expect(referenceChecksFor(setOf(999), 'pglite')).toBe('row');
    expect(referenceChecksFor(setOf(1000), 'postgres')).toBe('set-locking');
    expect(referenceChecksFor(setOf(999), 'postgres')).toBe('row');
  });

  it.runIf(onPostgres)('on PostgreSQL, a set-based import locks the held records it names, so that none is deleted before it commits', async () => {
    const lio = await t.make.lio();
    const held = await t.db.system.insertInto('organisations').values({ lio_id: lio.id, name: 'Held Trust' }).returning('id').executeTakeFirstOrThrow();
    const set = setWith({ ...service(4), id: '00000001-0000-4000-8000-00000000d001', organization: undefined, organization_id: held.id });
    const refused = await t.db.withTenant(lio.id, async (tx) => {
      await writeImportSet(tx, lio.id, set, t.clock.now(), undefined, { referenceChecks: 'set-locking' });
      // staff deleting the organisation on another connection while the import is still open must wait for it
      return t.db.system.transaction().execute(async (other) => {
        await sql`set local lock_timeout = '300ms'`.execute(other);
        await other.deleteFrom('organisations').where('id', '=', held.id).execute();
      }).then(() => null, (err: Error) => err);
    });
    expect(refused?.message).toMatch(/lock timeout/);
    const services = await t.db.withTenant(lio.id, (tx) => tx.selectFrom('services').select('organisation_id').execute());
    expect(services).toEqual([{ organisation_id: held.id }]);
  });
});
