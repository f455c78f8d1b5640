import { FormErrors, str } from '../../platform/http/forms.js';
import { isUuid } from '../../platform/validation/ids.js';
import type { PersonRow } from '../records/repository.js';

/** The values a merge chooses between; e-mails, phones and ways to contact are not chosen: both records' are kept. */
export const CHOSEN_FIELDS = { full_name: 'Full name', preferred_name: 'Preferred name', postcode: 'Postcode', date_of_birth: 'Date of birth' } as const;
export type ChosenField = keyof typeof CHOSEN_FIELDS;
export type Choices = Record<ChosenField, 'kept' | 'merged'>;

export interface MergeForm { other: string; choices: Choices }

/** Which record each value comes from; a value missing from the form is the kept record's. */
export function readMergeForm(body: unknown, keptId: string): { errors: FormErrors; form: MergeForm } {
  const errors = new FormErrors();
  const other = str(body, 'other');
  if (!isUuid(other)) errors.add('other', 'Choose the record to merge');
  else if (other.toLowerCase() === keptId.toLowerCase()) errors.add('other', 'Choose a different record: a record cannot be merged with itself');
  const choices = {} as Choices;
  for (const field of Object.keys(CHOSEN_FIELDS) as ChosenField[]) {
    const v = str(body, field) || 'kept';
    if (v !== 'kept' && v !== 'merged') errors.add(field, `Choose which ${CHOSEN_FIELDS[field].toLowerCase()} to keep`);
    choices[field] = v === 'merged' ? 'merged' : 'kept';
  }
  return { errors, form: { other, choices } };
}

/**
 * The kept record's values after the merge: the chosen ones, and the whole union of both records' lists (no cap: a
 * merge loses nothing, and migration 014 puts no limit on how many addresses a person has).
 */
export function mergedValues(kept: PersonRow, merged: PersonRow, choices: Choices) {
  const pick = <F extends ChosenField>(f: F) => (choices[f] === 'merged' && merged[f] !== null ? merged[f] : kept[f] ?? merged[f]);
  const union = <T>(a: T[], b: T[]) => [...new Set([...a, ...b])];
  return {
    full_name: pick('full_name'), preferred_name: pick('preferred_name'), postcode: pick('postcode'), date_of_birth: pick('date_of_birth'),
    emails: union(kept.emails, merged.emails), phones: union(kept.phones, merged.phones), contact_methods: union(kept.contact_methods, merged.contact_methods),
  };
}
