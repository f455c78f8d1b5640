import type { DeliveryMode, ServiceStatus } from '../../platform/db/directory-schema.js';
import { sortModes } from '../services/delivery-modes.js';
import type { ServicesWithHistory } from './repository.js';

/**
 * How services changed over a period, in the sector's terms (NAVCA, after Covid-19):
 *  - Remaking: doing different things — the service was created within the period;
 *  - Rearranging: doing things differently — it existed before and its delivery modes changed within the period;
 *  - Reaffirming: continuing what worked — it existed before, its modes did not change, and it was active at the end.
 * A service that existed before, kept its modes and was not active at the end of the period stopped or paused
 * ('paused_or_closed'); one not active all through the period, or created after it, is not counted ('not_counted').
 *
 * Days are 'YYYY-MM-DD' strings (Europe/London); a period includes both its first and last day.
 */

export type Classification = 'remaking' | 'rearranging' | 'reaffirming' | 'paused_or_closed' | 'not_counted';
export const COUNTED: Exclude<Classification, 'not_counted'>[] = ['remaking', 'rearranging', 'reaffirming', 'paused_or_closed'];
export const CLASSIFICATION_LABELS: Record<Classification, string> = {
  remaking: 'Remaking (new services)',
  rearranging: 'Rearranging (new ways of delivering)',
  reaffirming: 'Reaffirming (continued unchanged)',
  paused_or_closed: 'Paused or closed',
  not_counted: 'Not counted',
};

export interface HistoryEntry { changedOn: string; deliveryModes: readonly string[]; status: string }
export interface ServiceHistory {
  createdOn: string;
  /** the service as it is now: used when it has no history rows */
  status: string;
  deliveryModes: readonly string[];
  history: readonly HistoryEntry[];
}
export interface Period { from: string; to: string }

export interface ClassifiedService {
  classification: Classification;
  modesAtStart: string[];
  modesAtEnd: string[];
  statusAtEnd: string;
  /** days within the period on which the delivery modes changed */
  modeChanges: string[];
}

const sameModes = (a: readonly string[], b: readonly string[]) => {
  const x = new Set(a);
  const y = new Set(b);
  return x.size === y.size && [...x].every((m) => y.has(m));
};


export function classify(service: ServiceHistory, period: Period): ClassifiedService {
  // Oldest first; rows of one day keep their given order (the last is the day's final state).
  const rows = service.history.map((h, i) => ({ ...h, i })).sort((a, b) => a.changedOn.localeCompare(b.changedOn) || a.i - b.i);
  const before = rows.filter((r) => r.changedOn < period.from);
  const within = rows.filter((r) => r.changedOn >= period.from && r.changedOn <= period.to);
  const current = { deliveryModes: service.deliveryModes, status: service.status };
  // The state as the period began: the last row before it; else (no earlier rows) the first row within it; else now.
  const start = before.at(-1) ?? within[0] ?? (rows.length ? rows[0]! : current);
  const end = within.at(-1) ?? before.at(-1) ?? (rows.length ? rows[0]! : current);

  const modeChanges: string[] = [];
  let previous = start.deliveryModes;
  for (const row of within) {
    if (!sameModes(previous, row.deliveryModes)) modeChanges.push(row.changedOn);
    previous = row.deliveryModes;
  }
  const result = (classification: Classification): ClassifiedService => ({
    classification, modesAtStart: sortModes(start.deliveryModes), modesAtEnd: sortModes(end.deliveryModes), statusAtEnd: end.status, modeChanges: [...new Set(modeChanges)],
  });

  if (service.createdOn > period.to) return result('not_counted');
  if (service.createdOn >= period.from) return result('remaking');
  if (modeChanges.length) return result('rearranging');
  if (end.status === 'active') return result('reaffirming');
  if (start.status === 'active' || within.some((r) => r.status === 'active')) return result('paused_or_closed');
  return result('not_counted');
}

export interface ChangeReportRow extends ClassifiedService {
  id: string; name: string; organisationName: string; createdOn: string; status: ServiceStatus; deliveryModes: DeliveryMode[];
}
export interface ChangeReport { period: Period; counts: Record<Exclude<Classification, 'not_counted'>, number>; rows: ChangeReportRow[] }

export function buildReport(data: ServicesWithHistory, period: Period): ChangeReport {
  const byService = new Map<string, HistoryEntry[]>();
  for (const h of data.history) {
    const list = byService.get(h.service_id) ?? [];
    list.push({ changedOn: h.changed_on, deliveryModes: h.delivery_modes, status: h.status });
    byService.set(h.service_id, list);
  }
  const counts = { remaking: 0, rearranging: 0, reaffirming: 0, paused_or_closed: 0 };
  const rows: ChangeReportRow[] = [];
  for (const s of data.services) {
    const classified = classify({ createdOn: s.created_on, status: s.status, deliveryModes: s.delivery_modes, history: byService.get(s.id) ?? [] }, period);
    if (classified.classification === 'not_counted') continue;
    counts[classified.classification] += 1;
    rows.push({ ...classified, id: s.id, name: s.name, organisationName: s.organisation_name, createdOn: s.created_on, status: s.status, deliveryModes: s.delivery_modes });
  }
  return { period, counts, rows };
}
