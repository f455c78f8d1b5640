import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { Client, resultNames } from '../helpers/client.js';
import { directoryFactories, type DirectoryFactories } from '../helpers/directory-factories.js';
import { backup, restore } from '../../src/platform/backup.js';
import { ImportSet } from '../../src/directory/oruk/import/model.js';
import { JsonReader } from '../../src/directory/oruk/import/json.js';
import { writeImportSet } from '../../src/directory/oruk/import/writer.js';

/**
 * A restore turns the triggers off while it loads rows. The directory's triggers were made to fire whatever the
 * session's replication role (migrations 011 and 019), because a bulk import writes as a replica; a restore that
 * turned them back on as plain triggers would leave every later import out of the read model and the kept pages.
 */
let t: TestContext;
let d: DirectoryFactories;
let dir: string;
beforeAll(async () => {
  t = await createTestApp();
  d = directoryFactories(t.db);
  dir = await mkdtemp(path.join(tmpdir(), 'cg-backup-triggers-'));
  await d.postcode({ postcode: 'RT1 1AA', latitude: 52.1, longitude: -1.2 });
});
afterAll(async () => {
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

const HERE = { latitude: 52.1, longitude: -1.2 };
const FAR = { latitude: 52.5, longitude: -1.2 };

/** Every trigger of the schema that a migration made, with how it fires (O: origin, A: always, R: replica, D: off). */
async function triggerStates() {
  return (await sql<{ name: string; enabled: string }>`
    select c.relname || '.' || g.tgname as name, g.tgenabled as enabled from pg_trigger g
    join pg_class c on c.oid = g.tgrelid where c.relnamespace = current_schema()::regnamespace and not g.tgisinternal
    order by 1`.execute(t.db.system)).rows;
}

async function nearPostcode(host: string): Promise<string[]> {
  return resultNames(await new Client(t.app, host).get('/find?postcode=RT1+1AA&distance=1&unit=miles')).sort();
}

describe('restoring a backup', () => {
  it('leaves every trigger as the migrations made it, so an import after the restore still reaches the search near a postcode', async () => {
    const lio = await t.make.lio();
    const before = await triggerStates();
    expect(before.filter((s) => s.enabled === 'A').map((s) => s.name)).toEqual(expect.arrayContaining([
      'services.note_directory_change', 'services.services_delivery_history', 'services.service_places_update', 'locations.service_places_update',
    ]));

    const id = '00000001-0000-4000-8000-0000000b0001';
    const record = (place: { latitude: number; longitude: number }, name: string) => ({
      id, name, status: 'active', organization: { id: '00000002-0000-4000-8000-0000000b0001', name: 'Restore Trust' },
      service_at_locations: [{ location: { id: '00000003-0000-4000-8000-0000000b0001', name: 'Restore hall', location_type: 'physical', ...place } }],
    });
    // As the import does it: written as a replica, references checked set-based.
    const importing = (r: object) => {
      const set = new ImportSet();
      new JsonReader(set).add(r, { kind: 'service', source: 'test' });
      return t.db.withTenant(lio.id, (tx) => writeImportSet(tx, lio.id, set, t.clock.now(), undefined, { referenceChecks: 'set' }));
    };
    await importing(record(FAR, 'Far Pantry'));
    const edited = await d.service(lio, { name: 'Edited Club', locations: [{ ...FAR }] });
    expect(await nearPostcode(lio.host)).toEqual([]);

    const file = path.join(dir, 'before.jsonl.gz');
    await backup(t.db, file);
    await restore(t.db, file);
    expect(await triggerStates()).toEqual(before);

    // After the restore: the import moves its service here, and a member of staff's edit moves the other.
    await importing(record(HERE, 'Near Pantry'));
    expect(await nearPostcode(lio.host)).toEqual(['Near Pantry']);
    await t.db.withTenant(lio.id, (tx) => tx.updateTable('locations').set(HERE).where('id', '=', edited.locationIds[0]!).execute());
    expect(await nearPostcode(lio.host)).toEqual(['Edited Club', 'Near Pantry']);
  });

  it('keeps a trigger an operator had turned off turned off', async () => {
    await sql`alter table services disable trigger services_delivery_history`.execute(t.db.system);
    try {
      const before = await triggerStates();
      expect(before.find((s) => s.name === 'services.services_delivery_history')?.enabled).toBe('D');
      const file = path.join(dir, 'off.jsonl.gz');
      await backup(t.db, file);
      await restore(t.db, file);
      expect(await triggerStates()).toEqual(before);
    } finally {
      await sql`alter table services enable always trigger services_delivery_history`.execute(t.db.system);
    }
  });
});
