import { chromium } from 'playwright-core';
import { createTestApp } from '../test/helpers/app.js';
import { directoryFactories } from '../test/helpers/directory-factories.js';
const t = await createTestApp();
const d = directoryFactories(t.db);
await t.app.listen({ port: 0, host: '127.0.0.1' });
const port = (t.app.server.address() as { port: number }).port;
const lio = await t.make.lio({ name: 'Riverside Community Action' });
await t.db.system.updateTable('lios').set({ hostnames: [lio.host, '127.0.0.1'] }).where('id', '=', lio.id).execute();
t.app.lios.forget();
await d.postcode({ postcode: 'LS1 1UR', latitude: 53.7997, longitude: -1.5492 });
const tax = await d.taxonomy(lio, 'Needs');
const food = await d.term(lio, tax.id, { name: 'Food and essentials' });
const fb = await d.term(lio, tax.id, { name: 'Food banks', parentId: food.id });
const org = await d.organisation(lio, { name: 'Holbeck Community Trust' });
const s = await d.service(lio, { organisationId: org.id, name: 'Holbeck Food Bank', description: 'Emergency food parcels and toiletries, with a warm welcome. We can also help you with energy vouchers and advice about money.', termIds: [fb.id], deliveryModes: ['in_person', 'phone'],
  locations: [{ name: 'St Matthew’s Hall', latitude: 53.7905, longitude: -1.5601, postcode: 'LS11 9AA', address: '3 Bridge Road', city: 'Leeds' }], opening: [{ day: 'MO,WE,FR', opens: '10:00', closes: '14:00' }] });
await t.db.withTenant(lio.id, (tx) => tx.insertInto('phones').values({ lio_id: lio.id, service_id: s.id, number: '0113 496 0000' }).execute());
for (let i = 0; i < 6; i++) await d.service(lio, { organisationId: org.id, name: `Community Cafe ${i + 1}`, description: 'A hot meal, pay what you can.', termIds: [food.id], isFree: i % 2 === 0, status: i === 2 ? 'temporarily closed' : 'active', locations: [{ name: 'Hall', latitude: 53.7997 + (i - 3) * 0.006, longitude: -1.5492 + (i % 3 - 1) * 0.01 }], opening: [{ day: 'TU', opens: '12:00', closes: '14:00' }] });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
for (const [w, h, tag] of [[390, 844, 'phone'], [1100, 900, 'desktop']] as const) {
  const page = await browser.newPage({ viewport: { width: w, height: h } });
  const base = `http://127.0.0.1:${port}`;
  await page.goto(`${base}/find`); await page.screenshot({ path: `/tmp/shots/${tag}-find.png`, fullPage: true });
  await page.goto(`${base}/find?category=${food.id}&postcode=LS1+1UR&distance=3&unit=miles`); await page.waitForTimeout(300); await page.screenshot({ path: `/tmp/shots/${tag}-results.png`, fullPage: true });
  await page.goto(`${base}/find/services/${s.id}`); await page.screenshot({ path: `/tmp/shots/${tag}-service.png`, fullPage: true });
  await page.getByRole('button', { name: /Add .* to my list/ }).click(); await page.waitForLoadState('load');
  await page.goto(`${base}/find/list`); await page.screenshot({ path: `/tmp/shots/${tag}-list.png`, fullPage: true });
  await page.emulateMedia({ media: 'print' }); await page.screenshot({ path: `/tmp/shots/${tag}-list-print.png`, fullPage: true }); await page.emulateMedia({ media: 'screen' });
  await page.goto(`${base}/find?postcode=nope`); await page.screenshot({ path: `/tmp/shots/${tag}-error.png`, fullPage: true });
  const html = await (await fetch(`${base}/find?category=${food.id}&postcode=LS1+1UR&distance=3&unit=miles`)).text();
  console.log(tag, 'results html bytes', html.length);
}
await browser.close(); await t.close();
