import type { Queryable } from '../../platform/db/index.js';
import type { DemoSeedContext } from '../../platform/capability.js';
import { londonDay } from '../../platform/validation/dates.js';
import { hoursRepository } from './repository.js';

const DAY_MS = 86_400_000;
const WHAT = ['Sorted donations and packed parcels', 'Helped at the weekly session', 'Covered for a volunteer who was off sick', 'Set up and cleared away'];

/**
 * Hours for the demo's placements: a weekly session back from yesterday to when each began (six at most), all
 * confirmed but a group's latest, which waits to be confirmed, so the totals and the organisation's list both show
 * something. The coordinators have confirmed the LIO's own roles' latest, so the month's figures count hours from the start.
 */
export async function seedHours(tx: Queryable, { lio, now }: DemoSeedContext): Promise<void> {
  for (const p of await hoursRepository.placements(tx, {})) {
    const began = londonDay(new Date(p.began_at));
    for (let w = 0; w < 6; w++) {
      const workedOn = londonDay(new Date(now.getTime() - (1 + 7 * w) * DAY_MS));
      if (workedOn < began) break;
      await hoursRepository.insert(tx, lio.id, {
        volunteerId: p.volunteer_id, referralId: p.id, organisationId: p.organisation_id, workedOn, minutes: 90 + (w % 3) * 30,
        description: WHAT[w % WHAT.length]!, loggedBy: 'volunteer', userId: null, confirmedAt: w === 0 && p.organisation_id ? null : new Date(Date.parse(`${workedOn}T18:00:00Z`)),
      }, now);
    }
  }
}
