/**
 * Opening times in the LIO's local time (Europe/London): whether a service is open now, when it
 * next opens, and its week in plain words. Schedules are HSDS rows: weekly rules (byday such as
 * "MO,WE") and one-off sessions (a date with no byday); times 'HH:MM[:SS]', dates 'YYYY-MM-DD'.
 */

export const DAY_CODES = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
export type DayCode = typeof DAY_CODES[number];
export const DAY_NAMES: Record<DayCode, string> = { MO: 'Monday', TU: 'Tuesday', WE: 'Wednesday', TH: 'Thursday', FR: 'Friday', SA: 'Saturday', SU: 'Sunday' };
export const TIME_ZONE = 'Europe/London';

export interface LocalNow {
  /** YYYY-MM-DD */
  date: string;
  day: DayCode;
  yesterday: DayCode;
  /** HH:MM:SS */
  time: string;
  minutes: number;
}

export interface ScheduleLike {
  freq: string | null;
  byday: string | null;
  opens_at: string | null;
  closes_at: string | null;
  valid_from: string | null;
  valid_to: string | null;
  dtstart: string | null;
  description: string | null;
}

const formatter = new Intl.DateTimeFormat('en-GB', {
  timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit', weekday: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
});
const WEEKDAY: Record<string, DayCode> = { Mon: 'MO', Tue: 'TU', Wed: 'WE', Thu: 'TH', Fri: 'FR', Sat: 'SA', Sun: 'SU' };

/** The last second asked about: a busy public search asks many times a second, and formatting is not free. */
let lastNow: { second: number; value: LocalNow } | null = null;

export function localNow(now: Date): LocalNow {
  const second = Math.floor(now.getTime() / 1000);
  if (lastNow?.second === second) return lastNow.value;
  const value = localNowUncached(now);
  lastNow = { second, value };
  return value;
}

function localNowUncached(now: Date): LocalNow {
  const parts: Record<string, string> = {};
  for (const p of formatter.formatToParts(now)) parts[p.type] = p.value;
  const day = WEEKDAY[parts.weekday ?? 'Mon'] ?? 'MO';
  const hour = parts.hour === '24' ? '00' : parts.hour ?? '00';
  const index = DAY_CODES.indexOf(day);
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    day,
    yesterday: DAY_CODES[(index + 6) % 7]!,
    time: `${hour}:${parts.minute}:${parts.second}`,
    minutes: Number(hour) * 60 + Number(parts.minute),
  };
}

const toMinutes = (t: string | null): number | null => {
  if (!t) return null;
  const m = /^(\d{1,2}):(\d{2})/.exec(t);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
};

/** GOV.UK style: 9am, 10:30am, midday, midnight, 5:15pm. */
export function formatTime(minutes: number): string {
  const m = ((minutes % 1440) + 1440) % 1440;
  if (m === 0) return 'midnight';
  if (m === 720) return 'midday';
  const h = Math.floor(m / 60);
  const mm = m % 60;
  const h12 = h % 12 === 0 ? 12 : h % 12;
  return `${h12}${mm ? `:${String(mm).padStart(2, '0')}` : ''}${h < 12 ? 'am' : 'pm'}`;
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function daysOf(byday: string | null): DayCode[] {
  if (!byday) return [];
  return byday.toUpperCase().split(',').map((d) => d.trim().replace(/^[+-]?\d+/, '')).filter((d): d is DayCode => (DAY_CODES as readonly string[]).includes(d));
}

interface Interval { opens: number; closes: number }

/** The opening intervals of one calendar day (minutes from midnight; an overnight session runs to 1440). */
function intervalsOn(schedules: ScheduleLike[], date: string, day: DayCode, yesterday: DayCode): Interval[] {
  const out: Interval[] = [];
  for (const s of schedules) {
    const opens = toMinutes(s.opens_at);
    const closes = toMinutes(s.closes_at);
    if (opens === null || closes === null) continue;
    if (s.valid_from && s.valid_from > date) continue;
    if (s.valid_to && s.valid_to < date) continue;
    const days = daysOf(s.byday);
    if (days.length === 0) {
      // a one-off session
      const on = s.dtstart ?? s.valid_from;
      if (on === date) out.push({ opens, closes: closes > opens ? closes : 1440 });
      continue;
    }
    if (s.freq && s.freq !== 'WEEKLY') continue;
    if (days.includes(day)) out.push({ opens, closes: closes > opens ? closes : 1440 });
    if (closes <= opens && days.includes(yesterday)) out.push({ opens: 0, closes });
  }
  return out.sort((a, b) => a.opens - b.opens);
}

export interface OpeningSummary { openNow: boolean; text: string }

/** "Open now until 5pm", "Opens today at 6pm", "Opens tomorrow at 10am", "Opens Tuesday at 9am", or null when no times are known. */
export function openingSummary(schedules: ScheduleLike[], now: LocalNow): OpeningSummary | null {
  const timed = schedules.filter((s) => s.opens_at && s.closes_at);
  if (timed.length === 0) return null;
  for (let d = 0; d < 8; d++) {
    const date = addDays(now.date, d);
    const index = (DAY_CODES.indexOf(now.day) + d) % 7;
    const day = DAY_CODES[index]!;
    const yesterday = DAY_CODES[(index + 6) % 7]!;
    const intervals = intervalsOn(timed, date, day, yesterday);
    for (const i of intervals) {
      if (d === 0 && i.opens <= now.minutes && now.minutes < i.closes) {
        return { openNow: true, text: `Open now until ${i.closes === 1440 ? 'midnight' : formatTime(i.closes)}` };
      }
      if (d === 0 && now.minutes < i.opens) return { openNow: false, text: `Opens today at ${formatTime(i.opens)}` };
      if (d === 1) return { openNow: false, text: `Opens tomorrow at ${formatTime(i.opens)}` };
      if (d > 1) return { openNow: false, text: `Opens ${DAY_NAMES[day]} at ${formatTime(i.opens)}` };
    }
  }
  return { openNow: false, text: 'Not open in the next week' };
}

export interface WeekRow { day: string; hours: string }
export interface OneOff { date: string; hours: string; description: string | null }

/** A week of regular opening times in plain words, and the dated sessions still to come. */
export function openingWeek(schedules: ScheduleLike[], today: string): { week: WeekRow[]; sessions: OneOff[]; notes: string[] } {
  const regular = schedules.filter((s) => daysOf(s.byday).length > 0 && (!s.freq || s.freq === 'WEEKLY') && (!s.valid_to || s.valid_to >= today));
  const week = DAY_CODES.map((code) => {
    const spans = regular.filter((s) => daysOf(s.byday).includes(code))
      .map((s) => ({ opens: toMinutes(s.opens_at), closes: toMinutes(s.closes_at) }))
      .filter((s): s is { opens: number; closes: number } => s.opens !== null && s.closes !== null)
      .sort((a, b) => a.opens - b.opens);
    return { day: DAY_NAMES[code], hours: spans.length ? spans.map((s) => `${formatTime(s.opens)} to ${formatTime(s.closes)}`).join(' and ') : 'Closed' };
  });
  const sessions = schedules
    .filter((s) => daysOf(s.byday).length === 0 && (s.dtstart ?? s.valid_from) && (s.dtstart ?? s.valid_from)! >= today)
    .map((s) => {
      const opens = toMinutes(s.opens_at);
      const closes = toMinutes(s.closes_at);
      return { date: (s.dtstart ?? s.valid_from)!, hours: opens !== null && closes !== null ? `${formatTime(opens)} to ${formatTime(closes)}` : '', description: s.description };
    })
    .sort((a, b) => a.date.localeCompare(b.date));
  const notes = schedules.filter((s) => s.description && daysOf(s.byday).length > 0).map((s) => s.description!)
    .concat(schedules.filter((s) => s.freq === 'MONTHLY' && !s.description).map(() => 'Also meets monthly: contact them for dates'));
  return { week: regular.length ? week : [], sessions, notes: [...new Set(notes)] };
}
