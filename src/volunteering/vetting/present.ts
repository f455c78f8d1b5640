import { DBS_LEVELS } from '../vocabulary.js';
import type { CheckRow, LapsingRow } from './repository.js';
import { KINDS, OUTCOMES, type CheckValues } from './form.js';

const level = (l: string | null) => (l ? DBS_LEVELS[l as keyof typeof DBS_LEVELS] : '');

export function checkRows(rows: CheckRow[]) {
  return rows.map((c) => ({
    kind: KINDS[c.kind], what: c.kind === 'dbs' ? level(c.dbs_level) : (c.detail ?? ''), certificate: c.certificate_number ?? '',
    updateService: c.kind === 'dbs' ? (c.update_service ? 'Yes' : 'No') : '', issuedOn: c.issued_on ?? '', expiresOn: c.expires_on ?? '',
    outcome: OUTCOMES[c.outcome], forOrganisation: c.organisation_name ?? 'The LIO',
  }));
}

export function lapsingRows(rows: LapsingRow[]) {
  return rows.map((c) => ({
    volunteerId: c.volunteer_id, name: c.full_name ?? 'Erased', what: c.kind === 'dbs' ? level(c.dbs_level) : `${KINDS[c.kind]}: ${c.detail ?? ''}`,
    expiresOn: c.expires_on!, forOrganisation: c.organisation_name ?? 'The LIO', reminded: c.reminders_sent.length ? `${Math.min(...c.reminders_sent)} days before` : 'Not yet',
  }));
}

export function formItems(values: CheckValues, organisations: { id: string; name: string }[]) {
  return {
    kinds: Object.entries(KINDS).map(([value, text]) => ({ value, text, checked: values.kind === value })),
    levels: (['basic', 'standard', 'enhanced'] as const).map((value) => ({ value, text: DBS_LEVELS[value], checked: values.dbsLevel === value })),
    outcomes: Object.entries(OUTCOMES).map(([value, text]) => ({ value, text, checked: values.outcome === value })),
    organisations: [{ value: '', text: 'The LIO itself' }, ...organisations.map((o) => ({ value: o.id, text: o.name, selected: o.id === values.forOrganisationId }))],
  };
}
