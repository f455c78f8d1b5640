import { toCsv } from '../csv/csv.js';
import { modeLabel } from '../services/delivery-modes.js';
import { CLASSIFICATION_LABELS, type ChangeReport } from './report.js';

export { modeLabel };

export function reportCsv(report: ChangeReport): string {
  const header = ['classification', 'service_id', 'service', 'organisation', 'created_on', 'delivery_modes_at_start', 'delivery_modes_at_end', 'status_at_end', 'delivery_mode_changed_on'];
  return toCsv(header, report.rows.map((r) => [
    CLASSIFICATION_LABELS[r.classification].replace(/ \(.*\)$/, ''), r.id, r.name, r.organisationName, r.createdOn,
    r.modesAtStart.map(modeLabel).join('; '), r.modesAtEnd.map(modeLabel).join('; '), r.statusAtEnd, r.modeChanges.join('; '),
  ]));
}
