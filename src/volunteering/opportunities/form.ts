import { FormErrors, checkText, list, str } from '../../platform/http/forms.js';
import { londonDay, readDate } from '../../platform/validation/dates.js';
import { normalisePostcode } from '../../platform/validation/postcodes.js';
import { THEMES } from '../../platform/vocabulary/themes.js';
import type { DbsLevel, OpportunitySchedule } from '../../platform/db/volunteering-schema.js';
import { AVAILABILITY_SLOTS, DBS_LEVELS, SCHEDULES, SKILLS } from '../vocabulary.js';

/** The role form as typed, to show again when it comes back with errors. */
export interface RoleFormValues {
  organisationId: string; title: string; description: string; skills: string[]; causes: string[]; schedule: string; scheduleDetail: string;
  availability: string[]; where: string[]; postcode: string; dbsLevel: string; minimumAge: string; places: string;
  closingDay: string; closingMonth: string; closingYear: string; induction: string;
}

export function roleFormValues(body: unknown): RoleFormValues {
  return {
    organisationId: str(body, 'organisationId'), title: str(body, 'title'), description: str(body, 'description'),
    skills: list(body, 'skills'), causes: list(body, 'causes'), schedule: str(body, 'schedule'), scheduleDetail: str(body, 'scheduleDetail'),
    availability: list(body, 'availability'), where: list(body, 'where'), postcode: str(body, 'postcode'), dbsLevel: str(body, 'dbsLevel'),
    minimumAge: str(body, 'minimumAge'), places: str(body, 'places'),
    closingDay: str(body, 'closingOn-day'), closingMonth: str(body, 'closingOn-month'), closingYear: str(body, 'closingOn-year'), induction: str(body, 'induction'),
  };
}

export const EMPTY_ROLE: RoleFormValues = {
  organisationId: '', title: '', description: '', skills: [], causes: [], schedule: '', scheduleDetail: '', availability: [], where: ['in_person'],
  postcode: '', dbsLevel: 'none', minimumAge: '16', places: '1', closingDay: '', closingMonth: '', closingYear: '', induction: 'no',
};

/** A role as checked, ready to store once its postcode is placed on the map. */
export interface RoleValues {
  title: string; description: string; skills: string[]; causes: string[]; schedule: OpportunitySchedule; scheduleDetail: string | null;
  availability: string[]; inPerson: boolean; remote: boolean; postcode: string | null; dbsLevel: DbsLevel; minimumAge: number; places: number;
  closingOn: string | null; inductionRequired: boolean;
}

function wholeNumber(errors: FormErrors, field: string, value: string, label: string, min: number, max: number): number {
  const n = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) errors.add(field, `Enter ${label} as a whole number from ${min} to ${max}`);
  return n;
}

/** Checks the role form; the role to store when it has no errors. */
export function readRoleForm(values: RoleFormValues, now: Date): { errors: FormErrors; role: RoleValues } {
  const errors = new FormErrors();
  checkText(errors, 'title', values.title, 'a title for the role', 200);
  checkText(errors, 'description', values.description, 'what the volunteer will do', 10_000);
  const skills = values.skills.filter((s) => Object.hasOwn(SKILLS, s));
  if (skills.length !== values.skills.length) errors.add('skills', 'Choose the skills from the list');
  const causes = values.causes.filter((c) => Object.hasOwn(THEMES, c));
  if (causes.length !== values.causes.length) errors.add('causes', 'Choose the causes from the list');
  if (!Object.hasOwn(SCHEDULES, values.schedule)) errors.add('schedule', 'Choose whether the role is one-off, regular or flexible');
  checkText(errors, 'scheduleDetail', values.scheduleDetail, 'when the role happens', 500, false);
  const availability = values.availability.filter((s) => AVAILABILITY_SLOTS.includes(s));
  if (availability.length !== values.availability.length) errors.add('availability', 'Choose the times from the list');
  const inPerson = values.where.includes('in_person');
  const remote = values.where.includes('remote');
  if (!inPerson && !remote) errors.add('where', 'Choose whether the role is done in person, remotely, or both');
  const postcode = values.postcode ? normalisePostcode(values.postcode.slice(0, 20)) : null;
  if (values.postcode && !postcode) errors.add('postcode', 'Enter a real postcode, like LS1 1UR');
  else if (inPerson && !postcode) errors.add('postcode', 'Enter the postcode of where the volunteer will go');
  if (!Object.hasOwn(DBS_LEVELS, values.dbsLevel)) errors.add('dbsLevel', 'Choose the DBS check the role needs');
  const minimumAge = wholeNumber(errors, 'minimumAge', values.minimumAge, 'the minimum age', 0, 100);
  const places = wholeNumber(errors, 'places', values.places, 'the number of volunteers needed', 1, 10_000);
  const closingOn = readDate(errors, 'closingOn', { day: values.closingDay, month: values.closingMonth, year: values.closingYear }, 'the closing date', { required: false });
  if (closingOn && closingOn < londonDay(now)) errors.add('closingOn-day', 'The closing date must be today or in the future');
  if (!['yes', 'no'].includes(values.induction)) errors.add('induction', 'Choose whether the volunteer needs an induction');
  return {
    errors,
    role: {
      title: values.title, description: values.description, skills: [...new Set(skills)], causes: [...new Set(causes)],
      schedule: values.schedule as OpportunitySchedule, scheduleDetail: values.scheduleDetail || null, availability: AVAILABILITY_SLOTS.filter((s) => availability.includes(s)),
      inPerson, remote, postcode, dbsLevel: values.dbsLevel as DbsLevel, minimumAge, places, closingOn, inductionRequired: values.induction === 'yes',
    },
  };
}

export function readRejection(body: unknown): { errors: FormErrors; reason: string } {
  const errors = new FormErrors();
  const reason = str(body, 'reason');
  checkText(errors, 'reason', reason, 'why the role is not approved, for the group to read', 2000);
  return { errors, reason };
}

export const SEARCH_DISTANCES = [2, 5, 10, 25, 50] as const;
export const DEFAULT_SEARCH_KM = 10;

/** The public listing's search as asked; choices outside the lists are ignored, as a stale bookmark may hold them. */
export interface RoleSearchValues { q: string; cause: string; skill: string; schedule: string; remote: boolean; postcode: string; distance: number; page: number }

export function readRoleSearch(query: unknown, page: number): RoleSearchValues {
  const pick = (field: string, vocabulary: Record<string, string>) => { const v = str(query, field); return Object.hasOwn(vocabulary, v) ? v : ''; };
  const distance = Number(str(query, 'distance'));
  return {
    q: str(query, 'q').slice(0, 200), cause: pick('cause', THEMES), skill: pick('skill', SKILLS), schedule: pick('schedule', SCHEDULES),
    remote: str(query, 'remote') === 'yes', postcode: str(query, 'postcode').slice(0, 20),
    distance: (SEARCH_DISTANCES as readonly number[]).includes(distance) ? distance : DEFAULT_SEARCH_KM, page,
  };
}
