import { FormErrors, checkText, list, str } from '../../platform/http/forms.js';
import { londonDay } from '../../platform/validation/dates.js';
import { isWebAddress } from '../../platform/validation/web-addresses.js';
import { THEMES } from '../../platform/vocabulary/themes.js';
import { penceOf, readMoney } from '../../platform/money.js';

export const COURSE_STATUSES = { draft: 'Draft', published: 'Published', archived: 'Archived' } as const;
export type CourseStatus = keyof typeof COURSE_STATUSES;

/** The course form as typed, to show again when it comes back with errors. */
export interface CourseFormValues { title: string; summary: string; description: string; audience: string; themes: string[]; certificate: string; status: string }

export const EMPTY_COURSE: CourseFormValues = { title: '', summary: '', description: '', audience: '', themes: [], certificate: 'no', status: 'published' };

export function courseFormValues(body: unknown): CourseFormValues {
  return {
    title: str(body, 'title'), summary: str(body, 'summary'), description: str(body, 'description'), audience: str(body, 'audience'),
    themes: list(body, 'themes'), certificate: str(body, 'certificate'), status: str(body, 'status'),
  };
}

export interface CourseValues { title: string; summary: string; description: string; audience: string | null; themes: string[]; certificate: boolean; status: CourseStatus }

export function readCourseForm(v: CourseFormValues): { errors: FormErrors; course: CourseValues } {
  const errors = new FormErrors();
  checkText(errors, 'title', v.title, 'the course title', 200);
  checkText(errors, 'summary', v.summary, 'a one-line summary', 500);
  checkText(errors, 'description', v.description, 'what the course covers', 10_000);
  checkText(errors, 'audience', v.audience, 'who the course is for', 500, false);
  const themes = v.themes.filter((t) => Object.hasOwn(THEMES, t));
  if (themes.length !== v.themes.length) errors.add('themes', 'Choose the themes from the list');
  if (!['yes', 'no'].includes(v.certificate)) errors.add('certificate', 'Choose whether attendees receive a certificate');
  if (!Object.hasOwn(COURSE_STATUSES, v.status)) errors.add('status', 'Choose whether the course is a draft, published or archived');
  return {
    errors,
    course: {
      title: v.title, summary: v.summary, description: v.description, audience: v.audience || null, themes: [...new Set(themes)],
      certificate: v.certificate === 'yes', status: v.status as CourseStatus,
    },
  };
}

/** The session form as typed. */
export interface SessionFormValues {
  day: string; month: string; year: string; startTime: string; endTime: string; venue: string; onlineUrl: string; capacity: string; price: string;
}

export const EMPTY_SESSION: SessionFormValues = { day: '', month: '', year: '', startTime: '', endTime: '', venue: '', onlineUrl: '', capacity: '12', price: '' };

export function sessionFormValues(body: unknown): SessionFormValues {
  return {
    day: str(body, 'date-day'), month: str(body, 'date-month'), year: str(body, 'date-year'), startTime: str(body, 'startTime'), endTime: str(body, 'endTime'),
    venue: str(body, 'venue'), onlineUrl: str(body, 'onlineUrl'), capacity: str(body, 'capacity'), price: str(body, 'price'),
  };
}

export interface SessionValues { startsAt: Date; endsAt: Date; venue: string | null; onlineUrl: string | null; capacity: number; pricePence: number }

const LONDON_PARTS = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
});

/** How far London's clock is ahead of UTC at this instant, in milliseconds (0 in winter, an hour in summer). */
function londonOffsetMs(at: number): number {
  const p: Record<string, string> = {};
  for (const part of LONDON_PARTS.formatToParts(new Date(at))) p[part.type] = part.value;
  return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute)) - Math.floor(at / 60_000) * 60_000;
}

/** The instant a London wall-clock time names: the trainer types the time on the venue's clock, whatever the season. */
export function londonInstant(day: string, minutes: number): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d, 0, minutes);
  const first = wall - londonOffsetMs(wall);
  return new Date(wall - londonOffsetMs(first));
}

/** '09:30', '9.30', '14:00' or '14' as minutes after midnight; null for anything else. */
export function readTime(value: string): number | null {
  const match = /^(\d{1,2})(?:[:.](\d{2}))?$/.exec(value.trim());
  if (!match) return null;
  const hours = Number(match[1]);
  const minutes = Number(match[2] ?? '0');
  return hours <= 23 && minutes <= 59 ? hours * 60 + minutes : null;
}

/** A session's price as whole pence, read by the one money rule; '' and '0' are free; null when it is not an amount. */
export function readPounds(value: string): number | null {
  if (value.trim() === '') return 0;
  const decimal = readMoney(value);
  const pence = decimal === null ? null : penceOf(decimal);
  // (a place costing £100,000 or more is a typing slip)
  return pence !== null && pence < 10_000_000 ? pence : null;
}

function readSessionDay(errors: FormErrors, v: SessionFormValues): string | null {
  if (!v.day && !v.month && !v.year) {
    errors.add('date-day', 'Enter the date of the session');
    return null;
  }
  const real = /^\d{1,2}$/.test(v.day) && /^\d{1,2}$/.test(v.month) && /^\d{4}$/.test(v.year);
  const date = real ? new Date(Date.UTC(Number(v.year), Number(v.month) - 1, Number(v.day))) : null;
  if (!date || date.getUTCDate() !== Number(v.day) || date.getUTCMonth() !== Number(v.month) - 1 || Number(v.year) < 2000 || Number(v.year) > 2100) {
    errors.add('date-day', 'The date of the session must be a real date, like 27 3 2027');
    return null;
  }
  return date.toISOString().slice(0, 10);
}

/**
 * Checks the session form. A new session must start in the future (an edit may keep a past date: the register of a
 * held session is taken afterwards); its capacity may not fall below the places already booked.
 */
export function readSessionForm(v: SessionFormValues, rule: { now: Date; isNew: boolean; booked: number }): { errors: FormErrors; session: SessionValues | null } {
  const errors = new FormErrors();
  const day = readSessionDay(errors, v);
  const start = readTime(v.startTime);
  const end = readTime(v.endTime);
  const startsAt = day && start !== null ? londonInstant(day, start) : null;
  // Checked before the times, so the summary lists problems in the order of the form.
  if (startsAt && rule.isNew && (day! < londonDay(rule.now) || startsAt <= rule.now)) errors.add('date-day', 'The session must start in the future');
  if (!v.startTime) errors.add('startTime', 'Enter the start time, like 10:00');
  else if (start === null) errors.add('startTime', 'Enter the start time as hours and minutes on the 24-hour clock, like 10:00 or 14:30');
  if (!v.endTime) errors.add('endTime', 'Enter the end time, like 12:30');
  else if (end === null) errors.add('endTime', 'Enter the end time as hours and minutes on the 24-hour clock, like 12:30 or 16:00');
  else if (start !== null && end <= start) errors.add('endTime', 'The end time must be after the start time');
  checkText(errors, 'venue', v.venue, 'the venue', 500, false);
  if (v.onlineUrl && (v.onlineUrl.length > 2000 || !isWebAddress(v.onlineUrl))) errors.add('onlineUrl', 'Enter the online link as a full web address starting http:// or https://, like https://meet.example.org/training');
  if (!v.venue && !v.onlineUrl) errors.add('venue', 'Enter the venue, an online link, or both');
  const capacity = /^\d{1,5}$/.test(v.capacity) ? Number(v.capacity) : NaN;
  if (!Number.isInteger(capacity) || capacity < 1 || capacity > 10_000) errors.add('capacity', 'Enter the number of places as a whole number from 1 to 10000');
  else if (capacity < rule.booked) errors.add('capacity', `The number of places cannot be fewer than the ${rule.booked} already booked: cancel bookings first`);
  const pricePence = readPounds(v.price);
  if (pricePence === null) errors.add('price', 'Enter the price in pounds and pence, like 12.50, or leave it empty for a free session');
  if (errors.any || !startsAt || end === null) return { errors, session: null };
  return {
    errors,
    session: { startsAt, endsAt: londonInstant(day!, end), venue: v.venue || null, onlineUrl: v.onlineUrl || null, capacity, pricePence: pricePence! },
  };
}

/** The register as ticked: each booking's answer ('yes', 'no'), or none yet. */
export function readRegister(body: unknown, bookingIds: string[]): Map<string, boolean | null> {
  const marks = new Map<string, boolean | null>();
  for (const id of bookingIds) {
    const answer = str(body, `attended-${id}`);
    marks.set(id, answer === 'yes' ? true : answer === 'no' ? false : null);
  }
  return marks;
}
