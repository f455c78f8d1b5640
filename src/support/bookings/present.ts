import { THEMES } from '../../platform/vocabulary/themes.js';
import { webAddressOrNull } from '../../platform/validation/web-addresses.js';
import { penceText } from '../../platform/money.js';

const DAY = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
const CLOCK = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: 'numeric', minute: '2-digit', hourCycle: 'h23' });
const MONTH = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', month: 'long', year: 'numeric' });

/** GOV.UK style times: 10am, 12:30pm, midday. */
export function clockText(at: Date): string {
  const [h, m] = CLOCK.format(at).split(':').map(Number) as [number, number];
  if (h === 12 && m === 0) return 'midday';
  if (h === 0 && m === 0) return 'midnight';
  const hour = h % 12 === 0 ? 12 : h % 12;
  return `${hour}${m ? `:${String(m).padStart(2, '0')}` : ''}${h < 12 ? 'am' : 'pm'}`;
}

export const dayText = (at: Date) => DAY.format(at);
export const monthText = (at: Date) => MONTH.format(at);

/** 'Tuesday 8 December 2026, 10am to 12:30pm' (UK time). */
export function whenText(starts: Date, ends: Date): string {
  return `${dayText(starts)}, ${clockText(starts)} to ${clockText(ends)}`;
}

/** '2 hours 30 minutes' */
export function lengthText(starts: Date, ends: Date): string {
  const minutes = Math.round((ends.getTime() - starts.getTime()) / 60_000);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return [h ? `${h} hour${h === 1 ? '' : 's'}` : '', m ? `${m} minute${m === 1 ? '' : 's'}` : ''].filter(Boolean).join(' ') || '0 minutes';
}

/** '£12.50' or 'Free'. */
export function priceText(pence: number): string {
  return pence === 0 ? 'Free' : penceText(pence);
}

export function whereText(s: { venue: string | null; online_url: string | null }): string {
  return [s.venue, s.online_url ? 'Online' : null].filter(Boolean).join(' and ');
}

export function placesText(capacity: number, booked: number): string {
  const left = Math.max(0, capacity - booked);
  return left === 0 ? 'Full: join the waiting list' : `${left} ${left === 1 ? 'place' : 'places'} left`;
}

export interface SessionLike {
  id: string; course_id: string; title: string; starts_at: Date; ends_at: Date; venue: string | null; online_url: string | null; capacity: number; booked: number;
  price_pence: number; status: string;
}

/** A session as the public pages show it. */
export function sessionView(s: SessionLike) {
  const left = Math.max(0, s.capacity - Number(s.booked));
  return {
    id: s.id, courseId: s.course_id, title: s.title, when: whenText(s.starts_at, s.ends_at), where: whereText(s), venue: s.venue,
    onlineUrl: webAddressOrNull(s.online_url), price: priceText(s.price_pence), left, full: left === 0, places: placesText(s.capacity, Number(s.booked)),
    cancelled: s.status === 'cancelled',
  };
}

export const themesText = (codes: string[]) => codes.map((c) => THEMES[c] ?? c).join(', ');
