import { sql } from 'kysely';
import { loadConfig } from '../src/platform/config.js';
import { openDatabase } from '../src/platform/db/index.js';
import { searchPublished, allTerms } from '../src/directory/public/repository.js';
import { descendantsOf } from '../src/directory/public/search.js';
const config = loadConfig({ LOG_LEVEL: 'silent', ...(process.env.PGL ? { DATA_DIR: '/tmp/commonground-bench-directory-pglite' } : { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test', DATABASE_SCHEMA: 'bench_directory' }) });
const db = await openDatabase(config);
const lio = await db.system.selectFrom('lios').select('id').where('slug', '=', 'bench-directory').executeTakeFirstOrThrow();
const terms = await db.withTenant(lio.id, (tx) => allTerms(tx));
const food = terms.find((t) => t.name === 'Food and essentials')!;
const near = { latitude: 53.7997, longitude: -1.5492, radiusM: 5000 };
const c = { text: process.env.Q ?? 'food', termIds: process.env.NOCAT ? null : descendantsOf(terms, food.id), near: process.env.NONEAR ? null : near, locality: null, deliveryModes: [], openAt: null, freeOnly: false, age: null, limit: 20, offset: 0 };
const times: number[] = [];
for (let i = 0; i < 40; i++) { const t1 = performance.now(); await db.withTenant(lio.id, (tx) => searchPublished(tx, c)); times.push(performance.now() - t1); }
times.sort((a, b) => a - b);
console.log('median', times[20]!.toFixed(2), 'min', times[0]!.toFixed(2));
const t2: number[] = [];
for (let i = 0; i < 40; i++) { const t1 = performance.now(); await db.withTenant(lio.id, async () => 1); t2.push(performance.now() - t1); }
t2.sort((a, b) => a - b);
console.log('empty tx median', t2[20]!.toFixed(2));
if (process.env.EXPLAIN) {
  await db.withTenant(lio.id, async (tx) => {
    const q = (await import('../src/directory/public/repository.js'));
    void q;
    await sql`set local jit = off`.execute(tx);
  });
}
await db.close();
