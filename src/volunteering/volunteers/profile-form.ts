import { FormErrors, checkEmail, checkText, list, str } from '../../platform/http/forms.js';
import { londonDay, readDate } from '../../platform/validation/dates.js';
import { normalisePostcode } from '../../platform/validation/postcodes.js';
import { normaliseUkPhone } from '../../platform/validation/phones.js';
import { THEMES } from '../../platform/vocabulary/themes.js';
import { AVAILABILITY_SLOTS, SKILLS } from '../vocabulary.js';

/**
 * A volunteer's profile as typed: the registration pages (one part a page), the form staff fill in on the phone and the
 * volunteer's own form all read and check it here, so the three never disagree about what a profile may hold.
 */
export interface ProfileAnswers {
  fullName: string; email: string; phone: string;
  dobDay: string; dobMonth: string; dobYear: string;
  guardianName: string; guardianContact: string; guardianConsent: string;
  postcode: string; travelKm: string; ways: string[];
  skills: string[]; interests: string; causes: string[]; languages: string;
  availability: string[]; accessNeeds: string; emergencyReserve: string;
  consentContact: string; consentRecord: string;
}

export const EMPTY_ANSWERS: ProfileAnswers = {
  fullName: '', email: '', phone: '', dobDay: '', dobMonth: '', dobYear: '', guardianName: '', guardianContact: '', guardianConsent: '',
  postcode: '', travelKm: '', ways: [], skills: [], interests: '', causes: [], languages: '', availability: [], accessNeeds: '',
  emergencyReserve: '', consentContact: '', consentRecord: '',
};

/** The parts of a profile, each checked on its own (a registration page) or all together (the staff and own forms). */
export type ProfilePart = 'contact' | 'dateOfBirth' | 'guardian' | 'postcode' | 'travel' | 'ways' | 'skills' | 'interests' | 'causes' | 'languages'
  | 'availability' | 'accessNeeds' | 'emergencyReserve' | 'consent';

const FIELDS_OF: Record<ProfilePart, (keyof ProfileAnswers)[]> = {
  contact: ['fullName', 'email', 'phone'], dateOfBirth: ['dobDay', 'dobMonth', 'dobYear'], guardian: ['guardianName', 'guardianContact', 'guardianConsent'],
  postcode: ['postcode'], travel: ['travelKm'], ways: ['ways'], skills: ['skills'], interests: ['interests'], causes: ['causes'], languages: ['languages'],
  availability: ['availability'], accessNeeds: ['accessNeeds'], emergencyReserve: ['emergencyReserve'], consent: ['consentContact', 'consentRecord'],
};
const LIST_FIELDS = new Set<keyof ProfileAnswers>(['ways', 'skills', 'causes', 'availability']);
const BODY_NAMES: Partial<Record<keyof ProfileAnswers, string>> = { dobDay: 'dateOfBirth-day', dobMonth: 'dateOfBirth-month', dobYear: 'dateOfBirth-year' };

/** The answers a form sent for these parts, laid over the ones held. */
export function answersFrom(body: unknown, parts: readonly ProfilePart[], held: ProfileAnswers = EMPTY_ANSWERS): ProfileAnswers {
  const next: Record<string, string | string[]> = { ...held };
  for (const field of parts.flatMap((p) => FIELDS_OF[p])) {
    const name = BODY_NAMES[field] ?? field;
    next[field] = LIST_FIELDS.has(field) ? list(body, name) : str(body, name);
  }
  return next as unknown as ProfileAnswers;
}

/** Whole years old on `today` (in England), for a date of birth 'YYYY-MM-DD'. */
export function ageOn(dateOfBirth: string, today: Date): number {
  const [y, m, d] = londonDay(today).split('-').map(Number) as [number, number, number];
  const [by, bm, bd] = dateOfBirth.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

export const ADULT_AGE = 18;

export interface ProfileRules { today: Date; minimumAge: number; who: 'you' | 'they' }

/** Checks these parts; `dateOfBirth` is the day read, when it was one. */
export function checkParts(answers: ProfileAnswers, parts: readonly ProfilePart[], rules: ProfileRules): { errors: FormErrors; dateOfBirth: string | null } {
  const errors = new FormErrors();
  const you = rules.who === 'you';
  let dateOfBirth: string | null = null;
  for (const part of parts) {
    switch (part) {
      case 'contact':
        checkText(errors, 'fullName', answers.fullName, you ? 'your full name' : 'their full name', 200);
        checkEmail(errors, 'email', answers.email);
        if (answers.phone && !normaliseUkPhone(answers.phone)) errors.add('phone', 'Enter a UK phone number, like 01632 960 001 or 07700 900 982');
        break;
      case 'dateOfBirth':
        dateOfBirth = readDate(errors, 'dateOfBirth', { day: answers.dobDay, month: answers.dobMonth, year: answers.dobYear }, you ? 'your date of birth' : 'their date of birth',
          { required: true, notAfter: rules.today, notBefore: new Date(Date.UTC(1900, 0, 1)) });
        if (dateOfBirth && !errors.any && ageOn(dateOfBirth, rules.today) < rules.minimumAge) {
          errors.add('dateOfBirth-day', `${you ? 'You' : 'They'} must be ${rules.minimumAge} or older to volunteer with us`);
        }
        break;
      case 'guardian':
        checkText(errors, 'guardianName', answers.guardianName, 'the name of a parent or guardian', 200);
        checkText(errors, 'guardianContact', answers.guardianContact, 'a phone number or email address for them', 200);
        if (answers.guardianConsent !== 'yes') errors.add('guardianConsent', 'A parent or guardian must agree before someone under 18 can volunteer');
        break;
      case 'postcode':
        if (!answers.postcode) errors.add('postcode', you ? 'Enter your postcode' : 'Enter their postcode');
        else if (!normalisePostcode(answers.postcode.slice(0, 20))) errors.add('postcode', 'Enter a real UK postcode, like LS1 1UR');
        break;
      case 'travel':
        if (answers.travelKm && !(/^\d{1,3}$/.test(answers.travelKm) && Number(answers.travelKm) <= 500)) {
          errors.add('travelKm', 'Enter how far in whole kilometres, from 0 to 500');
        }
        break;
      case 'ways':
        if (answers.ways.length === 0 || answers.ways.some((w) => w !== 'in_person' && w !== 'remote')) {
          errors.add('ways', you ? 'Choose in person, from home, or both' : 'Choose in person, from home, or both');
        }
        break;
      case 'skills':
        if (answers.skills.some((s) => !Object.hasOwn(SKILLS, s))) errors.add('skills', 'Choose skills from the list');
        break;
      case 'interests':
        checkText(errors, 'interests', answers.interests, 'interests', 500, false);
        break;
      case 'causes':
        if (answers.causes.some((c) => !Object.hasOwn(THEMES, c))) errors.add('causes', 'Choose causes from the list');
        break;
      case 'languages':
        checkText(errors, 'languages', answers.languages, 'languages', 300, false);
        break;
      case 'availability':
        if (answers.availability.some((s) => !AVAILABILITY_SLOTS.includes(s))) errors.add('availability', 'Choose times from the list');
        break;
      case 'accessNeeds':
        checkText(errors, 'accessNeeds', answers.accessNeeds, 'access needs', 2000, false);
        break;
      case 'emergencyReserve':
        if (answers.emergencyReserve !== 'yes' && answers.emergencyReserve !== 'no') errors.add('emergencyReserve', 'Choose yes or no');
        break;
      case 'consent':
        if (answers.consentRecord !== 'yes') {
          errors.add('consentRecord', you ? 'To volunteer with us, you need to agree to us keeping your volunteer record'
            : 'They need to agree to us keeping their volunteer record before we can register them');
        }
        break;
    }
  }
  return { errors, dateOfBirth };
}

/** The parts a whole profile needs: the guardian's part only for someone under 18 on `today`. */
export function partsNeeded(answers: ProfileAnswers, rules: ProfileRules, all: readonly ProfilePart[]): ProfilePart[] {
  const { dateOfBirth } = checkParts(answers, ['dateOfBirth'], { ...rules, minimumAge: 0 });
  const minor = dateOfBirth !== null && ageOn(dateOfBirth, rules.today) < ADULT_AGE;
  return all.filter((p) => p !== 'guardian' || minor);
}

const splitList = (text: string) => [...new Set(text.split(/[,;\n]/).map((s) => s.trim()).filter(Boolean))].slice(0, 30);

/** The volunteer columns of checked answers (the place is found from the postcode by the service). */
export function profileColumns(a: ProfileAnswers) {
  return {
    travel_km: a.travelKm ? Number(a.travelKm) : null,
    in_person: a.ways.includes('in_person'), remote: a.ways.includes('remote'),
    skills: [...new Set(a.skills)], interests: splitList(a.interests), causes: [...new Set(a.causes)], languages: splitList(a.languages),
    availability: AVAILABILITY_SLOTS.filter((s) => a.availability.includes(s)),
    access_needs: a.accessNeeds || null, emergency_reserve: a.emergencyReserve === 'yes',
  };
}

/** The answers of a profile held, to fill a form with. */
export function answersOf(v: {
  full_name: string | null; emails: string[]; phones: string[]; date_of_birth: string | null; postcode: string | null; travel_km: number | null;
  in_person: boolean; remote: boolean; skills: string[]; interests: string[]; causes: string[]; languages: string[]; availability: string[];
  access_needs: string | null; emergency_reserve: boolean; guardian_name: string | null; guardian_contact: string | null;
}): ProfileAnswers {
  const [year = '', month = '', day = ''] = v.date_of_birth?.split('-') ?? [];
  return {
    fullName: v.full_name ?? '', email: v.emails[0] ?? '', phone: v.phones[0] ?? '',
    dobDay: day ? String(Number(day)) : '', dobMonth: month ? String(Number(month)) : '', dobYear: year,
    guardianName: v.guardian_name ?? '', guardianContact: v.guardian_contact ?? '', guardianConsent: v.guardian_name ? 'yes' : '',
    postcode: v.postcode ?? '', travelKm: v.travel_km === null ? '' : String(v.travel_km),
    ways: [...(v.in_person ? ['in_person'] : []), ...(v.remote ? ['remote'] : [])],
    skills: v.skills, interests: v.interests.join(', '), causes: v.causes, languages: v.languages.join(', '), availability: v.availability,
    accessNeeds: v.access_needs ?? '', emergencyReserve: v.emergency_reserve ? 'yes' : 'no', consentContact: '', consentRecord: 'yes',
  };
}
