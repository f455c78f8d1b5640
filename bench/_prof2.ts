import { sql } from 'kysely';
import { loadConfig } from '../src/platform/config.js';
import { openDatabase } from '../src/platform/db/index.js';
import { geocodePostcode } from '../src/directory/geocode.js';
import { allTerms, localities, searchPublished, placesFor, schedulesFor } from '../src/directory/public/repository.js';
const config = loadConfig({ LOG_LEVEL: 'silent', DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test', DATABASE_SCHEMA: process.env.S ?? 'bench_small' });
const db = await openDatabase(config);
const lio = await db.system.selectFrom('lios').select('id').where('slug', '=', 'bench-directory').executeTakeFirstOrThrow();
const med = (a: number[]) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)]!.toFixed(2);
const g = await geocodePostcode(db, 'LS1 1UR') as { latitude: number; longitude: number };
const terms = await db.withTenant(lio.id, (tx) => allTerms(tx));
const food = terms.find((t) => t.name === 'Food and essentials')!;
const ids = [food.id, ...terms.filter((t) => t.parent_id === food.id).map((t) => t.id)];
const c = { text: 'food', termIds: ids, near: { latitude: g.latitude, longitude: g.longitude, radiusM: 5000 }, locality: null, deliveryModes: [], openAt: null, freeOnly: false, age: null, limit: 20, offset: 0 };
let page: string[] = [];
for (const [name, fn] of [
  ['empty tx', () => db.withTenant(lio.id, async () => 1)],
  ['select 1 system', () => sql`select 1`.execute(db.system)],
  ['geocode', () => geocodePostcode(db, 'LS1 1UR')],
  ['allTerms', () => db.withTenant(lio.id, (tx) => allTerms(tx))],
  ['localities', () => db.withTenant(lio.id, (tx) => localities(tx))],
  ['search', async () => { const r = await db.withTenant(lio.id, (tx) => searchPublished(tx, c)); page = r.rows.map((x) => x.id); }],
  ['places', () => db.withTenant(lio.id, (tx) => placesFor(tx, page, c.near))],
  ['schedules', () => db.withTenant(lio.id, (tx) => schedulesFor(tx, page))],
] as [string, () => Promise<unknown>][]) {
  for (let i = 0; i < 5; i++) await fn();
  const t: number[] = [];
  for (let i = 0; i < 30; i++) { const t0 = performance.now(); await fn(); t.push(performance.now() - t0); }
  console.log(name, med(t));
}
await db.close();
