import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { directoryFactories } from '../helpers/directory-factories.js';
import { directoryHomeRepository } from '../../src/directory/home/repository.js';
import { buildReport } from '../../src/directory/delivery-history/report.js';
import { deliveryHistoryRepository } from '../../src/directory/delivery-history/repository.js';
import type { DeliveryMode, ServiceStatus } from '../../src/platform/db/directory-schema.js';

const DAY = 86_400_000;
const MODES: DeliveryMode[] = ['in_person', 'phone', 'online', 'home_visit'];
const STATUSES: ServiceStatus[] = ['active', 'active', 'inactive', 'temporarily closed'];
const day = (at: Date) => at.toISOString().slice(0, 10);

let t: TestContext;
beforeAll(async () => { t = await createTestApp(); });
afterAll(async () => { await t.close(); });

/** A small fixed pseudo-random sequence, so a failure can be run again as it was. */
function sequence(seed: number) {
  let x = seed;
  return () => { x = (x * 1_103_515_245 + 12_345) % 2_147_483_648; return x / 2_147_483_648; };
}

it('counts Remaking, Rearranging and Reaffirming in SQL exactly as the changes report classifies every service', async () => {
  const lio = await t.make.lio();
  const d = directoryFactories(t.db);
  const random = sequence(20_261_206);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const modes = () => [...new Set(Array.from({ length: 1 + Math.floor(random() * 2) }, () => pick(MODES)))];
  const org = await d.organisation(lio);
  // Noon UTC keeps each day the same day in Europe/London.
  const today = new Date(`${day(t.clock.now())}T12:00:00Z`);
  for (let i = 0; i < 80; i++) {
    const created = new Date(today.getTime() - Math.floor(random() * 150) * DAY);
    const service = await d.service(lio, { organisationId: org.id, updatedAt: created, deliveryModes: modes(), status: pick(STATUSES) });
    await t.db.withTenant(lio.id, async (tx) => {
      // Some services have no history at all (classified by how they are now); most have a few changes, some on one day.
      if (i % 7 === 0) await tx.deleteFrom('service_delivery_changes').where('service_id', '=', service.id).execute();
      const changes = i % 7 === 0 ? 0 : Math.floor(random() * 4);
      for (let c = 0; c < changes; c++) {
        const on = new Date(created.getTime() + Math.floor(random() * ((today.getTime() - created.getTime()) / DAY + 1)) * DAY);
        const repeat = random() < 0.3 ? 2 : 1;
        for (let r = 0; r < repeat; r++) {
          await tx.insertInto('service_delivery_changes').values({ lio_id: lio.id, service_id: service.id, changed_on: day(on), delivery_modes: modes(), status: pick(STATUSES) }).execute();
        }
      }
    });
  }
  const periods = [
    { from: day(new Date(today.getTime() - 30 * DAY)), to: day(today) },
    { from: day(new Date(today.getTime() - 90 * DAY)), to: day(new Date(today.getTime() - 60 * DAY)) },
    { from: day(new Date(today.getTime() - 10 * DAY)), to: day(new Date(today.getTime() - 10 * DAY)) },
    { from: day(new Date(today.getTime() - 200 * DAY)), to: day(new Date(today.getTime() - 160 * DAY)) },
    { from: `${day(today).slice(0, 8)}01`, to: day(today) },
  ];
  let seen = { remaking: 0, rearranging: 0, reaffirming: 0 };
  await t.db.withTenant(lio.id, async (tx) => {
    for (const period of periods) {
      const report = buildReport(await deliveryHistoryRepository.servicesWithHistory(tx, period.to), period).counts;
      const expected = { remaking: report.remaking, rearranging: report.rearranging, reaffirming: report.reaffirming };
      expect(await directoryHomeRepository.serviceChangeCounts(tx, period), JSON.stringify(period)).toEqual(expected);
      seen = { remaking: seen.remaking + expected.remaking, rearranging: seen.rearranging + expected.rearranging, reaffirming: seen.reaffirming + expected.reaffirming };
    }
  });
  // The data gives every kind something to count, so agreement is not agreement on zeros.
  expect(seen.remaking).toBeGreaterThan(0);
  expect(seen.rearranging).toBeGreaterThan(0);
  expect(seen.reaffirming).toBeGreaterThan(0);
});
