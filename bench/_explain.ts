import { sql } from 'kysely';
import { loadConfig } from '../src/platform/config.js';
import { openDatabase } from '../src/platform/db/index.js';
import { searchPublished } from '../src/directory/public/repository.js';
import { descendantsOf } from '../src/directory/public/search.js';
import { allTerms } from '../src/directory/public/repository.js';
const config = loadConfig({ LOG_LEVEL: 'silent', DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test', DATABASE_SCHEMA: process.env.S ?? 'bench_directory' });
const db = await openDatabase(config);
const lio = await db.system.selectFrom('lios').select('id').where('slug', '=', 'bench-directory').executeTakeFirstOrThrow();
const terms = await db.withTenant(lio.id, (tx) => allTerms(tx));
const food = terms.find((t) => t.name === 'Food and essentials')!;
const near = { latitude: 53.7997, longitude: -1.5492, radiusM: 5000 };
const c = { text: process.env.Q ?? 'food', termIds: process.env.NOCAT ? null : descendantsOf(terms, food.id), near: process.env.NONEAR ? null : near, locality: null, deliveryModes: [], openAt: null, freeOnly: false, age: null, limit: 20, offset: 0 };
// capture the SQL by running with a logging executor
const compiled: { sql: string; parameters: readonly unknown[] }[] = [];
const logged = db.system.withPlugin({ transformQuery: (a) => a.node, transformResult: async (a) => a.result });
void logged;
const origExecute = db.system.getExecutor();
void origExecute;
await db.withTenant(lio.id, async (tx) => {
  const spy = tx.withPlugin({ transformQuery: (a) => a.node, transformResult: async (a) => a.result });
  void spy;
  const t0 = performance.now();
  const r = await searchPublished(tx, c);
  console.log('rows', r.rows.length, 'total', r.total, 'ms', (performance.now() - t0).toFixed(2));
  await sql`set local jit = off`.execute(tx);
  for (let i = 0; i < 5; i++) { const t1 = performance.now(); await searchPublished(tx, c); console.log('again ms', (performance.now() - t1).toFixed(2)); }
});
void compiled;
await db.close();
