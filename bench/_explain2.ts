import { sql, type KyselyPlugin, type RootOperationNode, type QueryId } from 'kysely';
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
const captured: { node: RootOperationNode; queryId: QueryId }[] = [];
const plugin: KyselyPlugin = { transformQuery: (a) => { captured.push({ node: a.node, queryId: a.queryId }); return a.node; }, transformResult: async (a) => a.result };
await db.withTenant(lio.id, async (tx) => {
  const p = tx.withPlugin(plugin);
  await searchPublished(p, c);
  for (const cap of captured) {
    const compiled = tx.getExecutor().compileQuery(cap.node, cap.queryId);
    for (let i = 0; i < 3; i++) await sql.raw('select 1').execute(tx);
    const r = await tx.executeQuery({ ...compiled, sql: `explain (analyze, buffers, costs off) ${compiled.sql}` } as never);
    console.log((r.rows as { 'QUERY PLAN': string }[]).map((x) => x['QUERY PLAN']).join('\n'));
  }
});
await db.close();
