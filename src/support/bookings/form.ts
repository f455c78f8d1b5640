import { FormErrors, checkEmail, checkText, str } from '../../platform/http/forms.js';
import { isUuid } from '../../platform/validation/ids.js';
import { THEMES } from '../../platform/vocabulary/themes.js';

/** The booking form as typed. `waitingList` is 'yes' once the person has chosen to join a full session's waiting list. */
export interface BookingFormValues { fullName: string; email: string; organisationId: string; accessNeeds: string; waitingList: string }

export const EMPTY_BOOKING: BookingFormValues = { fullName: '', email: '', organisationId: '', accessNeeds: '', waitingList: '' };

export function bookingFormValues(body: unknown): BookingFormValues {
  return {
    fullName: str(body, 'fullName'), email: str(body, 'email'), organisationId: str(body, 'organisationId'), accessNeeds: str(body, 'accessNeeds'),
    waitingList: str(body, 'waitingList'),
  };
}

export interface BookingValues { fullName: string; email: string; organisationId: string | null; accessNeeds: string | null; waitingList: boolean }

export function readBookingForm(v: BookingFormValues): { errors: FormErrors; booking: BookingValues } {
  const errors = new FormErrors();
  checkText(errors, 'fullName', v.fullName, 'the full name of the person attending', 200);
  checkEmail(errors, 'email', v.email);
  if (v.organisationId && !isUuid(v.organisationId)) errors.add('organisationId', 'Choose the organisation from the list');
  checkText(errors, 'accessNeeds', v.accessNeeds, 'what you need to take part', 1000, false);
  return {
    errors,
    booking: {
      fullName: v.fullName, email: v.email.toLowerCase(), organisationId: v.organisationId || null, accessNeeds: v.accessNeeds || null, waitingList: v.waitingList === 'yes',
    },
  };
}

export interface FeedbackFormValues { rating: string; mostUseful: string; improve: string }

export function feedbackFormValues(body: unknown): FeedbackFormValues {
  return { rating: str(body, 'rating'), mostUseful: str(body, 'mostUseful'), improve: str(body, 'improve') };
}

export function readFeedbackForm(v: FeedbackFormValues): { errors: FormErrors; rating: number; mostUseful: string | null; improve: string | null } {
  const errors = new FormErrors();
  const rating = /^[1-5]$/.test(v.rating) ? Number(v.rating) : 0;
  if (!rating) errors.add('rating', 'Choose how good the course was, from 1 (poor) to 5 (excellent)');
  checkText(errors, 'mostUseful', v.mostUseful, 'what was most useful', 2000, false);
  checkText(errors, 'improve', v.improve, 'what we could do better', 2000, false);
  return { errors, rating, mostUseful: v.mostUseful || null, improve: v.improve || null };
}

/** The public listing's filters as asked; values outside the lists are ignored, as a stale bookmark may hold them. */
export interface TrainingSearch { theme: string; month: string; online: boolean }

export function readTrainingSearch(query: unknown): TrainingSearch {
  const theme = str(query, 'theme');
  const month = str(query, 'month');
  return { theme: Object.hasOwn(THEMES, theme) ? theme : '', month: /^\d{4}-(0[1-9]|1[0-2])$/.test(month) ? month : '', online: str(query, 'online') === 'yes' };
}
