import { loadConfig } from '../src/platform/config.js';
import { openDatabase } from '../src/platform/db/index.js';
import { buildApp } from '../src/app.js';
import { systemClock } from '../src/platform/clock.js';
import { PublicDirectory } from '../src/directory/public/search.js';
const config = loadConfig({ LOG_LEVEL: 'silent', DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test', DATABASE_SCHEMA: process.env.S ?? 'bench_small' }, { worker: { pollMs: 1000, enabled: false } });
const db = await openDatabase(config);
const lio = await db.system.selectFrom('lios').select('id').where('slug', '=', 'bench-directory').executeTakeFirstOrThrow();
const cat = await db.withTenant(lio.id, (tx) => tx.selectFrom('taxonomy_terms').select('id').where('code', '=', 'food').executeTakeFirstOrThrow());
const url = `/find?q=food&category=${cat.id}&postcode=LS1%201UR&distance=5&unit=km`;
const app = await buildApp({ config, db, clock: systemClock });
await app.ready();
const dir = new PublicDirectory({ db, clock: systemClock, config });
const q = Object.fromEntries(new URLSearchParams(url.split('?')[1]));
const med = (a: number[]) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)]!.toFixed(2);
for (const [name, fn] of [
  ['search()', () => dir.search(lio.id, q)],
  ['inject /find', () => app.inject({ url, headers: { host: '127.0.0.1' } })],
  ['inject /healthz', () => app.inject({ url: '/healthz', headers: { host: '127.0.0.1' } })],
  ['inject /find (no params)', () => app.inject({ url: '/find', headers: { host: '127.0.0.1' } })],
  ['inject /accessibility', () => app.inject({ url: '/accessibility', headers: { host: '127.0.0.1' } })],
] as [string, () => Promise<unknown>][]) {
  for (let i = 0; i < 10; i++) await fn();
  const t: number[] = [];
  for (let i = 0; i < 60; i++) { const t0 = performance.now(); await fn(); t.push(performance.now() - t0); }
  console.log(name, med(t));
}
await app.close(); await db.close();
