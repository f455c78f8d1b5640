import { FormErrors, checkText, str } from '../../platform/http/forms.js';
import { isUuid } from '../../platform/validation/ids.js';
import { londonDay, readDate } from '../../platform/validation/dates.js';
import type { Placement } from './repository.js';

const FIELDS = ['referralId', 'worked-day', 'worked-month', 'worked-year', 'hours', 'minutes', 'description'] as const;
export type HoursValues = Record<(typeof FIELDS)[number], string>;
export const hoursValues = (body: unknown): HoursValues => Object.fromEntries(FIELDS.map((f) => [f, str(body, f)])) as HoursValues;

export interface HoursAnswer { placement: Placement; workedOn: string; minutes: number; description: string | null }

/**
 * Hours given on one day for one placement: the day is not in the future nor before the placement began, and the
 * time is more than nothing and at most a whole day.
 */
export function readHours(v: HoursValues, placements: Placement[], now: Date): { errors: FormErrors; answer?: HoursAnswer } {
  const errors = new FormErrors();
  const placement = isUuid(v.referralId) ? placements.find((p) => p.id === v.referralId) : undefined;
  if (!placement) errors.add('referralId', 'Choose the volunteering the hours were for');
  const workedOn = readDate(errors, 'worked', { day: v['worked-day'], month: v['worked-month'], year: v['worked-year'] }, 'the date', { required: true, notAfter: now });
  if (placement && workedOn && !errors.any) {
    const began = londonDay(new Date(placement.began_at));
    if (workedOn < began) errors.add('worked-day', `The date must be on or after the day the volunteering began, ${began.split('-').reverse().join('/')}`);
  }
  const hours = v.hours === '' ? 0 : Number(v.hours);
  const minutes = v.minutes === '' ? 0 : Number(v.minutes);
  if (!/^\d{0,2}$/.test(v.hours) || hours > 24) errors.add('hours', 'Hours must be a whole number from 0 to 24');
  else if (!/^\d{0,2}$/.test(v.minutes) || minutes > 59) errors.add('minutes', 'Minutes must be a whole number from 0 to 59');
  else if (hours * 60 + minutes === 0) errors.add('hours', 'Enter how long you volunteered for');
  else if (hours * 60 + minutes > 24 * 60) errors.add('hours', 'The time must be 24 hours or less');
  checkText(errors, 'description', v.description, 'what was done', 1000, false);
  if (errors.any || !placement || !workedOn) return { errors };
  return { errors, answer: { placement, workedOn, minutes: hours * 60 + minutes, description: v.description || null } };
}

/** Minutes as people say them: "2 hours 30 minutes". */
export function duration(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  const parts = [h ? `${h} ${h === 1 ? 'hour' : 'hours'}` : '', m ? `${m} ${m === 1 ? 'minute' : 'minutes'}` : ''].filter(Boolean);
  return parts.length ? parts.join(' ') : '0 hours';
}
