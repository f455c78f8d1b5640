import { formatUkPhone } from '../../platform/validation/phones.js';
import { SKILLS, VOLUNTEER_STATUSES } from '../vocabulary.js';
import type { PoolRow, QueueRow } from './repository.js';

const skillWords = (skills: string[]) => skills.map((s) => SKILLS[s] ?? s).join(', ');

export function queueRows(rows: QueueRow[]) {
  return rows.map((r) => ({
    id: r.id, name: r.full_name ?? 'Erased', email: r.emails[0] ?? '', phone: r.phones[0] ? formatUkPhone(r.phones[0]) : '', postcode: r.postcode ?? '',
    skills: skillWords(r.skills), signedUpAt: r.created_at, needsDbs: Boolean(r.needs_dbs),
  }));
}

export function poolRows(rows: PoolRow[], chosen: string[]) {
  return rows.map((r) => ({
    id: r.id, name: r.full_name ?? 'Erased', postcode: r.postcode ?? '', skills: skillWords(r.skills), status: VOLUNTEER_STATUSES[r.status],
    via: r.registered_via === 'surge' ? 'Surge sign-up' : 'Emergency reserve', assignedTo: r.assigned_to ?? '', checked: chosen.includes(r.id),
  }));
}
