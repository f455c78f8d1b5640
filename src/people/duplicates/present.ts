import { formatUkPhone } from '../../platform/validation/phones.js';
import { CONTACT_METHODS } from '../records/form.js';
import { calendarDate } from '../records/present.js';
import type { PersonRow } from '../records/repository.js';
import { reasonsOf } from '../data-rights/present.js';
import type { Pair } from './repository.js';
import { CHOSEN_FIELDS, mergedValues, type ChosenField, type Choices } from './form.js';

const shown = (field: ChosenField, value: string | null) => (field === 'date_of_birth' ? calendarDate(value) : value ?? '') || 'Not given';

export const pairsView = (pairs: Pair[]) => pairs.map((p) => ({ ...p, reasons: reasonsOf(p) }));

/** One radio group per value the two records disagree on; the kept record's value is chosen to begin with. */
export function choiceGroups(kept: PersonRow, merged: PersonRow, choices?: Choices) {
  return (Object.keys(CHOSEN_FIELDS) as ChosenField[]).filter((f) => (kept[f] ?? '') !== (merged[f] ?? '')).map((f) => ({
    field: f, label: CHOSEN_FIELDS[f],
    items: [
      { value: 'kept', text: shown(f, kept[f]), hint: { text: 'From this record' }, checked: (choices?.[f] ?? 'kept') === 'kept' },
      { value: 'merged', text: shown(f, merged[f]), hint: { text: 'From the record merged into it' }, checked: choices?.[f] === 'merged' },
    ],
  }));
}

/** The record as it will be after the merge, for the confirmation step. */
export function resultRows(kept: PersonRow, merged: PersonRow, choices: Choices) {
  const v = mergedValues(kept, merged, choices);
  return [
    { key: { text: 'Full name' }, value: { text: v.full_name ?? '' } },
    { key: { text: 'Preferred name' }, value: { text: v.preferred_name ?? 'Not given' } },
    { key: { text: 'Email addresses' }, value: { text: v.emails.join(', ') || 'None' } },
    { key: { text: 'Phone numbers' }, value: { text: v.phones.map(formatUkPhone).join(', ') || 'None' } },
    { key: { text: 'Postcode' }, value: { text: v.postcode ?? 'Not given' } },
    { key: { text: 'Date of birth' }, value: { text: calendarDate(v.date_of_birth) || 'Not given' } },
    { key: { text: 'Happy to be contacted by' }, value: { text: v.contact_methods.map((m) => CONTACT_METHODS[m]).join(', ') || 'Not to be contacted' } },
  ];
}
