import type { Queryable } from '../../platform/db/index.js';
import { seededVolunteer, type SeededVolunteers } from '../volunteers/seed.js';

const DAY_MS = 86_400_000;
const day = (now: Date, days: number) => new Date(now.getTime() + days * DAY_MS).toISOString().slice(0, 10);

/**
 * Surge and vetting in the demo LIO: surge mode off, and the vetting of four of the volunteers seed's emergency reserve
 * (DBS checks done for groups, some lapsing within 60 days, references, an induction and training), so the
 * coordinator's vetting list and home-page flag have something in them on first start.
 */
export async function seedSurgeAndVetting(tx: Queryable, lioId: string, now: Date, volunteers: SeededVolunteers): Promise<void> {
  const group = await tx.selectFrom('organisations').select('id').where('lio_id', '=', lioId).orderBy('name').limit(1).executeTakeFirst();
  const reserve = [
    { name: 'Tomasz Kowalski', dbs: { level: 'enhanced' as const, lapsesIn: 21 } },
    { name: 'Jamal Ibrahim', dbs: { level: 'standard' as const, lapsesIn: 48 } },
    { name: 'Niamh O’Connor', dbs: { level: 'basic' as const, lapsesIn: 400 } },
    { name: 'Peter Lindqvist', dbs: null },
  ];
  for (const [i, r] of reserve.entries()) {
    const volunteer = seededVolunteer(volunteers, r.name);
    if (r.dbs) {
      await tx.insertInto('vetting_checks').values({
        lio_id: lioId, volunteer_id: volunteer.id, kind: 'dbs', dbs_level: r.dbs.level, certificate_number: `00123456${String(7890 + i)}`,
        issued_on: day(now, r.dbs.lapsesIn - 3 * 365), expires_on: day(now, r.dbs.lapsesIn), update_service: i % 2 === 0, outcome: 'passed',
        for_organisation_id: group?.id ?? null, created_at: now, updated_at: now,
      }).execute();
    }
    await tx.insertInto('vetting_checks').values({
      lio_id: lioId, volunteer_id: volunteer.id, kind: 'reference', detail: i % 2 ? 'Mrs Joan Pryce, former employer' : 'Rev. Alan Moss, St Mark’s Church',
      outcome: i === 3 ? 'pending' : 'passed', issued_on: day(now, -200), created_at: now, updated_at: now,
    }).execute();
    if (i < 2) {
      await tx.insertInto('vetting_checks').values({
        lio_id: lioId, volunteer_id: volunteer.id, kind: i === 0 ? 'induction' : 'training', detail: i === 0 ? 'Volunteer induction' : 'Safeguarding adults, level 1',
        outcome: 'passed', issued_on: day(now, -150), expires_on: i === 0 ? null : day(now, 35), created_at: now, updated_at: now,
      }).execute();
    }
  }
}
