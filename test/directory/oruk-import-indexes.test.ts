import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { ImportSet } from '../../src/directory/oruk/import/model.js';
import { JsonReader } from '../../src/directory/oruk/import/json.js';
import { writeImportSet, writeOptionsFor } from '../../src/directory/oruk/import/writer.js';
import { OrukImportService } from '../../src/directory/oruk/import/importer.js';
import { DeferredIndexes } from '../../src/platform/db/deferred-indexes.js';
import type { Queryable } from '../../src/platform/db/index.js';
import { engine } from '../helpers/store.js';
import { DEFAULT_IMPORT_LIMITS } from '../../src/platform/config.js';

/**
 * On the embedded engine a large import drops the secondary indexes of the tables it fills and builds them again
 * before it commits (platform/db/deferred-indexes.ts). What staff and residents would notice if that went wrong:
 * a directory left without the indexes its searches need, a re-import that loses parts, or an index gone after a
 * rejected import. This file has a database of its own, so the tables hold only what its tests put there.
 */

let t: TestContext;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t?.close(); });

const uuid = (kind: number, i: number) => `0000000${kind}-0000-4000-8000-${String(i).padStart(12, '0')}`;
const service = (i: number, variant = 'a') => ({
  id: uuid(1, i), name: `${variant === 'a' ? 'Food bank' : 'Debt advice'} ${i}`, status: 'active', description: `Help with ${variant === 'a' ? 'food' : 'debt'} in Leeds`,
  organization: { id: uuid(2, Math.floor(i / 10)), name: `Trust ${Math.floor(i / 10)}` },
  service_at_locations: [{ id: uuid(3, i), location: { id: uuid(4, i), name: `Hall ${i}`, location_type: 'physical', latitude: 53.8, longitude: -1.55,
    addresses: [{ address_1: `${i} High St`, city: 'Leeds', postal_code: 'LS1 1UR', country: 'GB', address_type: 'physical' }] } }],
  schedules: [{ id: uuid(5, i), freq: 'WEEKLY', byday: variant === 'a' ? 'MO' : 'TU', opens_at: '09:00', closes_at: '12:00' }],
  contacts: [{ id: uuid(6, i), name: `Sam ${variant}`, phones: [{ id: uuid(7, i), number: '0113 496 0000' }] }],
  languages: [{ id: uuid(8, i), name: 'English', code: 'en' }],
});
function setOf(from: number, to: number, variant = 'a'): ImportSet {
  const set = new ImportSet();
  const reader = new JsonReader(set);
  for (let i = from; i <= to; i++) reader.add(service(i, variant), { kind: 'service', source: 'test' });
  return set;
}

/** The indexes of the directory's tables, each with its definition and whether it is ready for use. */
const indexes = async (db: Queryable) => (await sql<{ name: string; definition: string; valid: boolean }>`select i.relname as name,
    pg_get_indexdef(x.indexrelid) as definition, x.indisvalid and x.indisready as valid
  from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class c on c.oid = x.indrelid
  where c.relnamespace = current_schema()::regnamespace
    and c.relname in ('locations', 'services', 'service_at_locations', 'schedules', 'contacts', 'phones', 'languages', 'attributes')
  order by i.relname`.execute(db)).rows;

describe('indexes of a large import on the embedded engine', () => {
  it('sets them aside only on the embedded engine, for an import large enough to check its references set-based', () => {
    // each service here has a venue of its own: 500 services and 500 venues are 1,000 records
    expect(writeOptionsFor(setOf(1, 500), 'pglite')).toEqual({ referenceChecks: 'set', rebuildIndexes: true });
    expect(writeOptionsFor(setOf(1, 499), 'pglite')).toEqual({ referenceChecks: 'row', rebuildIndexes: false });
    expect(writeOptionsFor(setOf(1, 500), 'postgres')).toEqual({ referenceChecks: 'set-locking', rebuildIndexes: false });
  });

  it('drops the secondary indexes while it writes and builds each again as it was; a rejected write keeps them all', async () => {
    const before = await indexes(t.db.system);
    expect(before.map((i) => i.name)).toEqual(expect.arrayContaining(['services_search', 'services_name_trgm', 'locations_lat_lng', 'schedules_service']));
    const lio = await t.make.lio();
    const during = await t.db.withTenant(lio.id, async (tx) => {
      const deferred = await DeferredIndexes.start(tx, { table: 'services', adding: 10 });
      expect(deferred).not.toBeNull();
      await deferred!.setAside(['services', 'schedules']);
      const without = (await indexes(tx)).map((i) => i.name);
      await deferred!.rebuild();
      return { without, after: await indexes(tx) };
    });
    // unique keys stay, as the write relies on them as it goes
    expect(during.without).toEqual(expect.arrayContaining(['services_pkey', 'services_external_id', 'schedules_pkey']));
    expect(during.without).not.toContain('services_search');
    expect(during.without).not.toContain('schedules_service');
    expect(during.after).toEqual(before);
    expect(await indexes(t.db.system)).toEqual(before);

    const rejected = await t.db.withTenant(lio.id, async (tx) => {
      await (await DeferredIndexes.start(tx, { table: 'services', adding: 10 }))!.setAside(['services', 'locations']);
      throw new Error('the import was rejected');
    }).then(() => null, (err: Error) => err);
    expect(rejected?.message).toBe('the import was rejected');
    expect(await indexes(t.db.system)).toEqual(before);
  });

  it('an import with its indexes rebuilt writes, finds and replaces the same as one without, and leaves every index ready', async () => {
    const before = await indexes(t.db.system);
    const lio = await t.make.lio();
    const stages: string[] = [];
    const write = (set: ImportSet) => t.db.withTenant(lio.id, (tx) => writeImportSet(tx, lio.id, set, t.clock.now(), (stage) => stages.push(stage),
      { referenceChecks: 'set', rebuildIndexes: true }));
    expect((await write(setOf(1, 20))).services.created).toBe(20);
    expect(stages).toContain('indexes');
    // a re-import of the same services (as many as are held) rebuilds them again and replaces every part
    stages.length = 0;
    const second = await write(setOf(1, 20, 'b'));
    expect(second.services).toEqual({ created: 0, updated: 20 });
    expect(stages).toContain('indexes');
    const read = async <R>(query: ReturnType<typeof sql<R>>) => (await t.db.withTenant(lio.id, (tx) => query.execute(tx))).rows;
    expect(await read(sql<{ byday: string; n: number }>`select byday, count(*)::int as n from schedules group by byday`)).toEqual([{ byday: 'TU', n: 20 }]);
    expect(await read(sql<{ name: string; n: number }>`select name, count(*)::int as n from contacts group by name`)).toEqual([{ name: 'Sam b', n: 20 }]);
    expect(await read(sql<{ n: number }>`select count(*)::int as n from phones`)).toEqual([{ n: 20 }]);
    expect(await read(sql<{ n: number }>`select count(*)::int as n from service_at_locations`)).toEqual([{ n: 20 }]);
    // the rebuilt full-text index answers for the new words (the planner made to use it)
    const found = await t.db.withTenant(lio.id, async (tx) => {
      await sql`select set_config('enable_seqscan', 'off', true)`.execute(tx);
      return (await sql<{ n: number }>`select count(*)::int as n from services where search_text @@ plainto_tsquery('english', 'debt')`.execute(tx)).rows;
    });
    expect(found).toEqual([{ n: 20 }]);
    expect(await indexes(t.db.system)).toEqual(before);
    expect((await indexes(t.db.system)).every((i) => i.valid)).toBe(true);
  });

  it('keeps the indexes where the import adds fewer services than are held', async () => {
    const lio = await t.make.lio();
    const held = Number((await sql<{ n: number }>`select count(*)::int as n from services`.execute(t.db.system)).rows[0]!.n);
    expect(held).toBeGreaterThan(5);
    const stages: string[] = [];
    await t.db.withTenant(lio.id, (tx) => writeImportSet(tx, lio.id, setOf(501, 505), t.clock.now(), (stage) => stages.push(stage),
      { referenceChecks: 'set', rebuildIndexes: true }));
    expect(stages).not.toContain('indexes');
    expect(await t.db.withTenant(lio.id, (tx) => DeferredIndexes.start(tx, { table: 'services', adding: held - 1 }))).toBeNull();
  });

  it('a feed of a thousand services imported through the importer leaves the directory searchable', async () => {
    const lio = await t.make.lio();
    const feed = Array.from({ length: 1000 }, (_, k) => service(2000 + k, k % 2 ? 'a' : 'b'));
    const importer = new OrukImportService({ db: t.db, clock: t.clock, limits: DEFAULT_IMPORT_LIMITS });
    const stages = new Set<string>();
    const report = await importer.importOruk('operator', lio.id, { kind: 'files', files: [{ name: 'feed.json', text: JSON.stringify(feed) }] },
      { onProgress: (p) => stages.add(p.message) });
    expect(report.status).toBe('completed');
    // the embedded engine rebuilds the indexes; PostgreSQL keeps them
    expect(stages.has('Writing indexes')).toBe(engine === 'pglite');
    expect(report.counts.services.created).toBe(1000);
    const found = await t.db.withTenant(lio.id, async (tx) => (await sql<{ n: number }>`select count(*)::int as n from services
      where search_text @@ plainto_tsquery('english', 'debt')`.execute(tx)).rows[0]!.n);
    expect(found).toBe(500);
    expect((await indexes(t.db.system)).every((i) => i.valid)).toBe(true);
  });
});
