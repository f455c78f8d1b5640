import { duration, type HoursValues } from './form.js';
import type { HoursEntry, HoursTotal, Placement } from './repository.js';

const day = (d: string | Date) => new Date(d).toISOString().slice(0, 10);

export function placementItems(placements: Placement[], values: HoursValues, withName: boolean) {
  return [{ value: '', text: 'Choose' }, ...placements.map((p) => ({
    value: p.id, selected: p.id === values.referralId,
    text: `${withName ? `${p.full_name ?? 'Volunteer'}: ` : ''}${p.title}${p.organisation_name ? `, ${p.organisation_name}` : ''}`,
  }))];
}

/** An entry as a table row; "waiting" names who is to confirm it, as the volunteer reads it. */
export function entryRows(entries: HoursEntry[]) {
  return entries.map((e) => ({
    id: e.id, name: e.full_name ?? 'Volunteer', workedOn: day(e.worked_on), time: duration(e.minutes), description: e.description ?? '',
    organisation: e.organisation_name ?? '', confirmed: Boolean(e.confirmed_at),
    status: e.confirmed_at ? 'Confirmed' : `Waiting for ${e.organisation_name ?? 'the organisation'} to confirm`,
  }));
}

export function totalRows(rows: HoursTotal[], unnamed: string) {
  return rows.map((r) => ({ name: r.name ?? unnamed, confirmed: duration(Number(r.confirmed)), waiting: Number(r.waiting) ? duration(Number(r.waiting)) : '' }));
}
