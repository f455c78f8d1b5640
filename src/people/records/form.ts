import { FormErrors, checkText, isEmail, list, str } from '../../platform/http/forms.js';
import { londonDay, readDate } from '../../platform/validation/dates.js';
import { normalisePostcode } from '../../platform/validation/postcodes.js';
import { normaliseUkPhone } from '../../platform/validation/phones.js';
import type { ConsentMethod, ConsentPurpose, ContactMethod } from '../../platform/db/people-schema.js';
import type { PersonValues } from './repository.js';

export const CONTACT_METHODS: Record<ContactMethod, string> = { email: 'Email', phone: 'Phone call', text: 'Text message', post: 'Post' };
export const CONSENT_PURPOSES: Record<ConsentPurpose, string> = {
  newsletter: 'Receive the newsletter and bulletins',
  contact_about_services: 'Be contacted about services and opportunities',
  share_with_partners: 'Have their details shared with partner organisations',
  photographs: 'Appear in photographs and publicity',
  case_records: 'Have notes kept about the help they receive',
  contact_about_volunteering: 'Be contacted about volunteering',
  volunteer_record: 'Have a volunteer record kept and shared with the groups they are referred to',
};
export const CONSENT_METHODS: Record<ConsentMethod, string> = { online_form: 'Online form', paper_form: 'Paper form', verbal: 'Said so (in person or by phone)', email: 'By email' };

/** The person form as typed, to show again when it is sent back with errors. */
export interface PersonFormValues {
  fullName: string; preferredName: string; email: string; otherEmail: string; phone: string; otherPhone: string; postcode: string;
  dobDay: string; dobMonth: string; dobYear: string; contactMethods: string[];
}

export function personFormValues(body: unknown): PersonFormValues {
  return {
    fullName: str(body, 'fullName'), preferredName: str(body, 'preferredName'), email: str(body, 'email'), otherEmail: str(body, 'otherEmail'),
    phone: str(body, 'phone'), otherPhone: str(body, 'otherPhone'), postcode: str(body, 'postcode'),
    dobDay: str(body, 'dateOfBirth-day'), dobMonth: str(body, 'dateOfBirth-month'), dobYear: str(body, 'dateOfBirth-year'),
    contactMethods: list(body, 'contactMethods'),
  };
}

/** How many e-mails and phones the form has boxes for; a record can hold more (a merge keeps both records' lists). */
export const SHOWN_ON_FORM = 2;

/**
 * The values to store when the form changes a record already held: the addresses and numbers beyond the form's boxes
 * (which the form neither showed as editable nor sent back) are kept, after the ones typed.
 */
export function keepingUnshown(typed: PersonValues, held: Pick<PersonValues, 'emails' | 'phones'>): PersonValues {
  return {
    ...typed,
    emails: [...new Set([...typed.emails, ...held.emails.slice(SHOWN_ON_FORM)])],
    phones: [...new Set([...typed.phones, ...held.phones.slice(SHOWN_ON_FORM)])],
  };
}

/** The form's values for a record already held. */
export function personFormValuesOf(p: PersonValues): PersonFormValues {
  const [year = '', month = '', day = ''] = p.date_of_birth?.split('-') ?? [];
  return {
    fullName: p.full_name, preferredName: p.preferred_name ?? '', email: p.emails[0] ?? '', otherEmail: p.emails[1] ?? '',
    phone: p.phones[0] ?? '', otherPhone: p.phones[1] ?? '', postcode: p.postcode ?? '',
    dobDay: day ? String(Number(day)) : '', dobMonth: month ? String(Number(month)) : '', dobYear: year, contactMethods: p.contact_methods,
  };
}

function readEmail(errors: FormErrors, field: string, value: string): string | null {
  if (!value) return null;
  if (!isEmail(value)) errors.add(field, 'Enter an email address in the correct format, like name@example.org');
  return value.toLowerCase();
}

function readPhone(errors: FormErrors, field: string, value: string): string | null {
  if (!value) return null;
  const digits = normaliseUkPhone(value);
  if (!digits) errors.add(field, 'Enter a UK phone number, like 01632 960 001 or 07700 900 982');
  return digits;
}

/** Checks the person form; the values to store when it has no errors. */
export function readPersonForm(values: PersonFormValues, today: Date): { errors: FormErrors; person: PersonValues } {
  const errors = new FormErrors();
  checkText(errors, 'fullName', values.fullName, 'their full name', 200);
  checkText(errors, 'preferredName', values.preferredName, 'the name they like to be called', 100, false);
  const emails = [readEmail(errors, 'email', values.email), readEmail(errors, 'otherEmail', values.otherEmail)].filter((e): e is string => e !== null);
  const phones = [readPhone(errors, 'phone', values.phone), readPhone(errors, 'otherPhone', values.otherPhone)].filter((p): p is string => p !== null);
  const postcode = values.postcode ? normalisePostcode(values.postcode.slice(0, 20)) : null;
  if (values.postcode && !postcode) errors.add('postcode', 'Enter a real UK postcode, like SW1A 1AA');
  const dateOfBirth = readDate(errors, 'dateOfBirth', { day: values.dobDay, month: values.dobMonth, year: values.dobYear }, 'their date of birth',
    { required: false, notAfter: today, notBefore: new Date(Date.UTC(1900, 0, 1)) });
  const methods = values.contactMethods.filter((m): m is ContactMethod => Object.hasOwn(CONTACT_METHODS, m));
  if (methods.length !== values.contactMethods.length) errors.add('contactMethods', 'Choose how they are happy to be contacted from the list');
  if (methods.includes('email') && emails.length === 0) errors.add('email', 'Enter an email address, or untick email as a way to contact them');
  if ((methods.includes('phone') || methods.includes('text')) && phones.length === 0) errors.add('phone', 'Enter a phone number, or untick phone calls and text messages');
  if (methods.includes('post') && !postcode) errors.add('postcode', 'Enter a postcode, or untick post as a way to contact them');
  return {
    errors,
    person: {
      full_name: values.fullName, preferred_name: values.preferredName || null, emails: [...new Set(emails)], phones: [...new Set(phones)],
      postcode, date_of_birth: dateOfBirth, contact_methods: [...new Set(methods)],
    },
  };
}

export interface ConsentFormValues { purpose: string; method: string; wordingVersion: string; givenDay: string; givenMonth: string; givenYear: string }

export function consentFormValues(body: unknown): ConsentFormValues {
  return {
    purpose: str(body, 'purpose'), method: str(body, 'method'), wordingVersion: str(body, 'wordingVersion'),
    givenDay: str(body, 'givenOn-day'), givenMonth: str(body, 'givenOn-month'), givenYear: str(body, 'givenOn-year'),
  };
}

/** Checks the consent form; the consent to record when it has no errors. */
export function readConsentForm(values: ConsentFormValues, now: Date) {
  const errors = new FormErrors();
  if (!Object.hasOwn(CONSENT_PURPOSES, values.purpose)) errors.add('purpose', 'Choose what they agreed to');
  if (!Object.hasOwn(CONSENT_METHODS, values.method)) errors.add('method', 'Choose how they gave their consent');
  checkText(errors, 'wordingVersion', values.wordingVersion, 'the version of the wording they agreed to', 50);
  const givenOn = readDate(errors, 'givenOn', { day: values.givenDay, month: values.givenMonth, year: values.givenYear }, 'the date they gave consent',
    { required: true, notAfter: now, notBefore: new Date(Date.UTC(2000, 0, 1)) });
  // A consent given today (in England) is recorded at this moment; one given earlier at noon of that day (its hour is not known).
  const givenAt = givenOn === null ? now : givenOn === londonDay(now) ? now : new Date(`${givenOn}T12:00:00Z`);
  return { errors, consent: { purpose: values.purpose as ConsentPurpose, method: values.method as ConsentMethod, wordingVersion: values.wordingVersion, givenAt } };
}
