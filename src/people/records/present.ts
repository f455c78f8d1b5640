import { formatUkPhone } from '../../platform/validation/phones.js';
import { dateTimeText as dateTime } from '../../platform/personal-data.js';
import type { ConsentMethod, ConsentPurpose, ContactMethod } from '../../platform/db/people-schema.js';
import { CONSENT_METHODS, CONSENT_PURPOSES, CONTACT_METHODS } from './form.js';
import type { PersonRow } from './repository.js';

/** 'YYYY-MM-DD' as '27 March 1980'. */
export function calendarDate(iso: string | null): string {
  if (!iso) return '';
  return new Date(`${iso}T12:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
}


/** A person's name as staff read it: the full name, and the name they go by when it differs. */
export function nameOf(p: Pick<PersonRow, 'full_name' | 'preferred_name' | 'erased_at'>): string {
  if (p.erased_at) return 'Erased person';
  return p.preferred_name && p.preferred_name !== p.full_name ? `${p.full_name} (${p.preferred_name})` : (p.full_name ?? '');
}

export function listRows(rows: Pick<PersonRow, 'id' | 'full_name' | 'preferred_name' | 'emails' | 'phones' | 'postcode'>[]) {
  return rows.map((p) => ({
    id: p.id, name: nameOf({ ...p, erased_at: null }), emails: p.emails.join(', '), phones: p.phones.map(formatUkPhone).join(', '), postcode: p.postcode ?? '',
  }));
}

/** The person record as labelled fields: the person's page, the readable export and the merge page all show these. */
export function personFields(p: PersonRow): { label: string; value: string }[] {
  if (p.erased_at) return [{ label: 'Erased', value: dateTime(p.erased_at) }];
  return [
    { label: 'Full name', value: p.full_name ?? '' },
    { label: 'Preferred name', value: p.preferred_name ?? '' },
    { label: 'Email addresses', value: p.emails.join(', ') },
    { label: 'Phone numbers', value: p.phones.map(formatUkPhone).join(', ') },
    { label: 'Postcode', value: p.postcode ?? '' },
    { label: 'Date of birth', value: calendarDate(p.date_of_birth) },
    { label: 'Happy to be contacted by', value: p.contact_methods.map((m) => CONTACT_METHODS[m]).join(', ') || 'Not to be contacted' },
    { label: 'Record added', value: dateTime(p.created_at) },
  ];
}

export interface ConsentView {
  id: string; purpose: ConsentPurpose; given_at: Date; method: ConsentMethod; wording_version: string; withdrawn_at: Date | null; recorded_by_name: string | null;
}

export function consentFields(c: ConsentView): { label: string; value: string }[] {
  return [
    { label: 'Agreed to', value: CONSENT_PURPOSES[c.purpose] },
    { label: 'Given', value: dateTime(c.given_at) },
    { label: 'How', value: CONSENT_METHODS[c.method] },
    { label: 'Wording version', value: c.wording_version },
    { label: 'Withdrawn', value: c.withdrawn_at ? dateTime(c.withdrawn_at) : 'No, still in force' },
  ];
}

export const contactMethodItems = (chosen: string[]) =>
  (Object.entries(CONTACT_METHODS) as [ContactMethod, string][]).map(([value, text]) => ({ value, text, checked: chosen.includes(value) }));
export const consentPurposeItems = (chosen: string) =>
  (Object.entries(CONSENT_PURPOSES) as [ConsentPurpose, string][]).map(([value, text]) => ({ value, text, checked: chosen === value }));
export const consentMethodItems = (chosen: string) =>
  (Object.entries(CONSENT_METHODS) as [ConsentMethod, string][]).map(([value, text]) => ({ value, text, checked: chosen === value }));
