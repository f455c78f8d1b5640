import { THEMES } from '../../platform/vocabulary/themes.js';
import { DBS_LEVELS, SCHEDULES, SKILLS, slotLabel } from '../vocabulary.js';
import type { MatchRow, RoleMatchRow, VolunteerMatchRow } from './repository.js';

const labels = (codes: string[], vocabulary: Record<string, string>) => codes.map((c) => vocabulary[c] ?? c).join(', ');

/** Why a match was made, in a coordinator's (or volunteer's) words: one line for each thing judged. */
export function reasonsOf(m: MatchRow): { label: string; text: string }[] {
  const dbs = m.dbs_needed === 'none' ? 'No DBS check needed'
    : `${DBS_LEVELS[m.dbs_held].replace(' check', '')} check held (the role needs ${DBS_LEVELS[m.dbs_needed].replace(' DBS check', '').toLowerCase()})`;
  return [
    { label: 'Skills in common', text: m.skills_common.length ? labels(m.skills_common, SKILLS) : 'None' },
    { label: 'Causes in common', text: m.causes_common.length ? labels(m.causes_common, THEMES) : 'None' },
    { label: 'Distance', text: m.distance_km === null ? 'Remote' : `${m.distance_km.toFixed(1)} km` },
    {
      label: 'Availability',
      text: m.any_time ? 'The role can be done at any time'
        : m.slots_common.length ? `${m.slots_common.length} ${m.slots_common.length === 1 ? 'slot' : 'slots'} in common: ${m.slots_common.map(slotLabel).join(', ')}` : 'No slots in common',
    },
    { label: 'Vetting', text: dbs },
    ...(m.recent_offers ? [{ label: 'Offered lately', text: `${m.recent_offers} ${m.recent_offers === 1 ? 'role' : 'roles'} in the last 30 days` }] : []),
  ];
}

export const volunteerMatchesView = (rows: VolunteerMatchRow[]) => rows.map((m) => ({
  id: m.volunteer_id, name: m.full_name ?? 'Name removed', score: m.score.toFixed(1), reasons: reasonsOf(m),
}));

export const roleMatchesView = (rows: RoleMatchRow[]) => rows.map((m) => ({
  id: m.opportunity_id, title: m.title, organisation: m.organisation_name ?? 'The LIO', schedule: SCHEDULES[m.schedule as keyof typeof SCHEDULES] ?? m.schedule,
  closingOn: m.closing_on, score: m.score.toFixed(1), reasons: reasonsOf(m),
}));

export function shareText(s: { active: number; offered: number }): string {
  const percent = s.active ? Math.round((100 * s.offered) / s.active) : 0;
  return `${percent}% (${s.offered} of ${s.active} active volunteers were offered something in the last 30 days)`;
}
