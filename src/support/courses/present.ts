import { THEMES } from '../../platform/vocabulary/themes.js';
import { webAddressOrNull } from '../../platform/validation/web-addresses.js';
import { dateTimeText } from '../../platform/personal-data.js';
import { clockText, dayText, priceText, whenText, whereText } from '../bookings/present.js';
import { COURSE_STATUSES, type CourseFormValues, type SessionFormValues } from './form.js';

const LONDON = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', year: 'numeric', month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** The checkbox, radio and select items of the course form. */
export function courseFormItems(v: CourseFormValues) {
  return {
    themeItems: Object.entries(THEMES).map(([value, text]) => ({ value, text, checked: v.themes.includes(value) })),
    certificateItems: [{ value: 'yes', text: 'Yes', checked: v.certificate === 'yes' }, { value: 'no', text: 'No', checked: v.certificate === 'no' }],
    statusItems: Object.entries(COURSE_STATUSES).map(([value, text]) => ({ value, text, checked: v.status === value })),
  };
}

export function courseFormOf(c: { title: string; summary: string; description: string; audience: string | null; themes: string[]; certificate: boolean; status: string }): CourseFormValues {
  return { title: c.title, summary: c.summary, description: c.description, audience: c.audience ?? '', themes: c.themes, certificate: c.certificate ? 'yes' : 'no', status: c.status };
}

/** A stored session back in the form's boxes, in London time. */
export function sessionFormOf(s: { starts_at: Date; ends_at: Date; venue: string | null; online_url: string | null; capacity: number; price_pence: number }): SessionFormValues {
  const parts = (at: Date) => Object.fromEntries(LONDON.formatToParts(at).map((p) => [p.type, p.value]));
  const start = parts(s.starts_at);
  const end = parts(s.ends_at);
  return {
    day: start.day!, month: start.month!, year: start.year!, startTime: `${start.hour}:${start.minute}`, endTime: `${end.hour}:${end.minute}`,
    venue: s.venue ?? '', onlineUrl: s.online_url ?? '', capacity: String(s.capacity), price: s.price_pence ? priceText(s.price_pence).slice(1) : '',
  };
}

export function courseRows(c: { summary: string; audience: string | null; themes: string[]; certificate: boolean; status: string }) {
  return [
    { key: { text: 'Summary' }, value: { text: c.summary } },
    { key: { text: 'Who it is for' }, value: { text: c.audience ?? 'Anyone' } },
    { key: { text: 'Themes' }, value: { text: c.themes.map((t) => THEMES[t] ?? t).join(', ') || 'None' } },
    { key: { text: 'Certificate of attendance' }, value: { text: c.certificate ? 'Yes' : 'No' } },
    { key: { text: 'Status' }, value: { text: COURSE_STATUSES[c.status as keyof typeof COURSE_STATUSES] ?? c.status } },
  ];
}

export interface StaffSessionLike {
  id: string; starts_at: Date; ends_at: Date; venue: string | null; online_url: string | null; capacity: number; price_pence: number; status: string;
  booked: number; waiting: number;
}

export function staffSessionView(s: StaffSessionLike, now: Date) {
  return {
    id: s.id, when: whenText(s.starts_at, s.ends_at), day: dayText(s.starts_at), time: `${clockText(s.starts_at)} to ${clockText(s.ends_at)}`, where: whereText(s),
    venue: s.venue, onlineUrl: webAddressOrNull(s.online_url), price: priceText(s.price_pence), capacity: s.capacity, booked: Number(s.booked), waiting: Number(s.waiting),
    cancelled: s.status === 'cancelled', held: s.starts_at <= now, ended: s.ends_at <= now,
  };
}

export interface StaffBookingLike {
  id: string; status: string; attended: boolean | null; full_name: string | null; emails: string[]; organisation_name: string | null; access_needs: string | null;
  waiting_since: Date | null; cancelled_at: Date | null; certificate_number: string | null; rating: number | null; most_useful: string | null; improve: string | null;
}

export function staffBookingView(b: StaffBookingLike) {
  return {
    id: b.id, status: b.status, name: b.full_name ?? 'Erased person', email: b.emails[0] ?? '', organisation: b.organisation_name ?? '', accessNeeds: b.access_needs ?? '',
    attended: b.attended, attendance: b.attended === true ? 'Attended' : b.attended === false ? 'Did not attend' : 'Not marked',
    waitingSince: dateTimeText(b.waiting_since), cancelledAt: dateTimeText(b.cancelled_at), certificateNumber: b.certificate_number,
    feedback: b.rating ? { rating: b.rating, mostUseful: b.most_useful ?? '', improve: b.improve ?? '' } : null,
  };
}
