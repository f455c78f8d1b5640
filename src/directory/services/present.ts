import type { TermNode, TermRow } from '../taxonomy/repository.js';
import { buildTree, flattenTree } from '../taxonomy/repository.js';
import { modesText } from './delivery-modes.js';
import { DAY_NAMES, STATUSES, hhmm } from './form.js';
import { isFormSchedule, type HsdsSchedule } from './repository.js';

/** How services read on the staff pages: their schedules, status and delivery, and the categories to choose from. */

export { modesText };
export const PAGE_SIZE = 25;


/** What the service form cannot change and a save keeps, described for the form. */
export function keptSchedules(schedules: HsdsSchedule[]): string[] {
  return schedules.filter((x) => !isFormSchedule(x)).map(describeSchedule);
}

export function describeSchedule(s: HsdsSchedule): string {
  const times = s.opens_at && s.closes_at ? `${hhmm(s.opens_at)} to ${hhmm(s.closes_at)}` : s.opens_at ? `from ${hhmm(s.opens_at)}` : '';
  if (s.freq === 'WEEKLY' && s.byday) {
    const days = s.byday.split(',').map((d) => DAY_NAMES.get(d.trim().slice(-2)) ?? d).map((d) => `${d}s`).join(', ');
    return [`${(s.interval ?? 1) > 1 ? `Every ${s.interval} weeks on ` : ''}${days}`, times].filter(Boolean).join(', ');
  }
  if (s.freq === 'MONTHLY') return [`Monthly${s.bymonthday ? ` on day ${s.bymonthday}` : ''}${s.byday ? ` (${s.byday})` : ''}`, times].filter(Boolean).join(', ');
  if (s.dtstart) {
    const [y, m, d] = s.dtstart.split('-').map(Number);
    const date = new Date(Date.UTC(y!, m! - 1, d!));
    const when = `${date.toLocaleDateString('en-GB', { weekday: 'long', timeZone: 'UTC' })} ${date.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' })}`;
    return [when, times, s.description].filter(Boolean).join(', ');
  }
  return [s.description, times].filter(Boolean).join(', ');
}

export const statusText = (status: string) => STATUSES.find((s) => s.value === status)?.text ?? status;

/** Terms grouped under their top-level term, for checkboxes and the filter. */
export function termGroups(terms: (TermRow & { taxonomy_name: string })[]) {
  const byTaxonomy = new Map<string, { name: string; terms: typeof terms }>();
  for (const t of terms) {
    const group = byTaxonomy.get(t.taxonomy_id) ?? { name: t.taxonomy_name, terms: [] };
    group.terms.push(t);
    byTaxonomy.set(t.taxonomy_id, group);
  }
  const groups: { legend: string; items: TermNode[] }[] = [];
  for (const { name, terms: list } of byTaxonomy.values()) {
    for (const root of buildTree(list)) groups.push({ legend: byTaxonomy.size > 1 ? `${root.name} (${name})` : root.name, items: flattenTree([root]) });
  }
  return groups;
}

