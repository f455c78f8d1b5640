/**
 * Opening times in the LIO's local time (Europe/London): whether a service is open now, when it
 * next opens, and its week in plain words. Schedules are HSDS rows (an iCalendar RRULE in columns):
 * weekly rules (byday such as "MO,WE", every `interval` weeks from dtstart), monthly rules (byday with
 * an ordinal such as "1SA" or "-1FR", or bymonthday such as "15" or "-1"; every `interval` months) and
 * one-off sessions (a date with neither byday nor bymonthday); times 'HH:MM[:SS]', dates 'YYYY-MM-DD'.
 * The public search's "open now" (public/repository.ts, scheduleOccursOn) follows the same rules in SQL,
 * from the place in the month `placeInMonth` gives.
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
  interval: number | null;
  bymonthday: string | null;
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

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/**
 * A byday token: a day, with or without its ordinal in the month ("SA", "1SA", "+1SA", "-1FR"); a bymonthday token: a
 * day of the month from the start or the end ("15", "-1"). The SQL twin (public/repository.ts) reads them alike;
 * tokens that do not fit are left out on both sides.
 */
const BYDAY_TOKEN = /^([+-]?[0-9]{1,2})?(MO|TU|WE|TH|FR|SA|SU)$/;
const BYMONTHDAY_TOKEN = /^[+-]?[0-9]{1,2}$/;
const tokensOf = (value: string | null) => (value ?? '').toUpperCase().replace(/\s+/g, '').split(',');

/** The byday of a rule, as days each with its ordinal in the month (1 the first, -1 the last) or none. */
function bydayOf(byday: string | null): { ordinal: number | null; day: DayCode }[] {
  return tokensOf(byday).flatMap((token) => {
    const m = BYDAY_TOKEN.exec(token);
    return m ? [{ ordinal: m[1] ? Number(m[1]) : null, day: m[2] as DayCode }] : [];
  });
}

const daysOf = (byday: string | null): DayCode[] => bydayOf(byday).map((d) => d.day);

function monthDaysOf(bymonthday: string | null): number[] {
  return tokensOf(bymonthday).filter((t) => BYMONTHDAY_TOKEN.test(t)).map(Number).filter((n) => n !== 0 && Math.abs(n) <= 31);
}

/** A rule with no days and no days of the month given: one session, on its date. */
const isOneOff = (s: ScheduleLike) => !s.byday?.trim() && !s.bymonthday?.trim();
const isMonthly = (s: ScheduleLike) => s.freq === 'MONTHLY';
/** Weekly on its days, every week: what the week's table shows. */
const isEveryWeek = (s: ScheduleLike) => !isOneOff(s) && !isMonthly(s) && bydayOf(s.byday).length > 0 && (s.interval ?? 1) <= 1;

const dayNumber = (date: string) => Math.round(Date.parse(`${date}T12:00:00Z`) / 86_400_000);
/** Months since year 0, for counting every few months. */
export const monthNumber = (date: string) => Number(date.slice(0, 4)) * 12 + Number(date.slice(5, 7)) - 1;
const daysInMonth = (date: string) => new Date(Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)), 0)).getUTCDate();

/**
 * Where a date sits in its month, as a monthly rule counts: its ordinal among the month's days of its weekday from the
 * start (1 for the first Saturday) and from the end (-1 for the last), and its day of the month from the start (6)
 * and from the end (-26 for the 6th of a 31-day month).
 */
export function placeInMonth(date: string): { ordinal: number; ordinalFromEnd: number; monthDay: number; monthDayFromEnd: number } {
  const monthDay = Number(date.slice(8, 10));
  const fromEnd = daysInMonth(date) - monthDay + 1;
  return { ordinal: Math.ceil(monthDay / 7), ordinalFromEnd: -Math.ceil(fromEnd / 7), monthDay, monthDayFromEnd: -fromEnd };
}

/** Whether a rule (not a one-off session) falls on the date: its days, its days of the month, and every how many weeks or months. */
function recursOn(s: ScheduleLike, date: string, day: DayCode): boolean {
  if (s.dtstart && s.dtstart > date) return false;
  const interval = Math.max(1, s.interval ?? 1);
  if (isMonthly(s)) {
    // every `interval` months counted from the month of dtstart; without one, which months cannot be told
    if (interval > 1 && (!s.dtstart || (monthNumber(date) - monthNumber(s.dtstart)) % interval !== 0)) return false;
    const at = placeInMonth(date);
    const days = bydayOf(s.byday);
    const monthDays = monthDaysOf(s.bymonthday);
    const onDay = days.some((d) => d.day === day && (d.ordinal === null || d.ordinal === at.ordinal || d.ordinal === at.ordinalFromEnd));
    const onMonthDay = monthDays.some((n) => n === at.monthDay || n === at.monthDayFromEnd);
    // as iCalendar reads a rule giving both: the days that are both (BYDAY=SA;BYMONTHDAY=1,…,7 is the first Saturday)
    return days.length && monthDays.length ? onDay && onMonthDay : onDay || onMonthDay;
  }
  if (!daysOf(s.byday).includes(day)) return false;
  if (interval === 1) return true;
  // every `interval` weeks counted from the week (Monday to Sunday) of dtstart
  if (!s.dtstart) return false;
  const weekOfStart = dayNumber(s.dtstart) - DAY_CODES.indexOf(dayOfDate(s.dtstart));
  return Math.floor((dayNumber(date) - weekOfStart) / 7) % interval === 0;
}

/** 1970-01-01 was a Thursday. */
const dayOfDate = (date: string): DayCode => DAY_CODES[(((dayNumber(date) + 3) % 7) + 7) % 7]!;

/** Whether a schedule has a session starting on the date. */
export function occursOn(s: ScheduleLike, date: string, day: DayCode): boolean {
  if (s.valid_from && s.valid_from > date) return false;
  if (s.valid_to && s.valid_to < date) return false;
  if (isOneOff(s)) return (s.dtstart ?? s.valid_from) === date;
  return recursOn(s, date, day);
}

interface Interval { opens: number; closes: number }

/** The opening intervals of one calendar day (minutes from midnight; an overnight session runs to 1440). */
function intervalsOn(schedules: ScheduleLike[], date: string, day: DayCode, yesterday: DayCode): Interval[] {
  const out: Interval[] = [];
  const dayBefore = addDays(date, -1);
  for (const s of schedules) {
    const opens = toMinutes(s.opens_at);
    const closes = toMinutes(s.closes_at);
    if (opens === null || closes === null) continue;
    if (occursOn(s, date, day)) out.push({ opens, closes: closes > opens ? closes : 1440 });
    // a session from the evening before running past midnight (a one-off session's date is its start, so the same)
    if (closes <= opens && occursOn(s, dayBefore, yesterday)) out.push({ opens: 0, closes });
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
  const current = (s: ScheduleLike) => !s.valid_to || s.valid_to >= today;
  const regular = schedules.filter((s) => isEveryWeek(s) && current(s));
  const week = DAY_CODES.map((code) => {
    const spans = regular.filter((s) => daysOf(s.byday).includes(code))
      .map((s) => ({ opens: toMinutes(s.opens_at), closes: toMinutes(s.closes_at) }))
      .filter((s): s is { opens: number; closes: number } => s.opens !== null && s.closes !== null)
      .sort((a, b) => a.opens - b.opens);
    return { day: DAY_NAMES[code], hours: spans.length ? spans.map((s) => `${formatTime(s.opens)} to ${formatTime(s.closes)}`).join(' and ') : 'Closed' };
  });
  const sessions = schedules
    .filter((s) => isOneOff(s) && (s.dtstart ?? s.valid_from) && (s.dtstart ?? s.valid_from)! >= today)
    .map((s) => {
      const opens = toMinutes(s.opens_at);
      const closes = toMinutes(s.closes_at);
      return { date: (s.dtstart ?? s.valid_from)!, hours: opens !== null && closes !== null ? `${formatTime(opens)} to ${formatTime(closes)}` : '', description: s.description };
    })
    .sort((a, b) => a.date.localeCompare(b.date));
  const notes = [
    ...schedules.filter((s) => !isOneOff(s) && !isEveryWeek(s) && current(s)).map(ruleInWords).filter((n): n is string => n !== null),
    ...schedules.filter((s) => s.description && isEveryWeek(s)).map((s) => s.description!),
  ];
  return { week: regular.length ? week : [], sessions, notes: [...new Set(notes)] };
}

const ORDINAL_WORDS: Record<string, string> = { 1: 'first', 2: 'second', 3: 'third', 4: 'fourth', 5: 'fifth', '-1': 'last', '-2': 'second to last', '-3': 'third to last' };
const andList = (items: string[]) => (items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`);
const nth = (n: number) => `${n}${n % 10 === 1 && n % 100 !== 11 ? 'st' : n % 10 === 2 && n % 100 !== 12 ? 'nd' : n % 10 === 3 && n % 100 !== 13 ? 'rd' : 'th'}`;
const dayOfMonthWords = (n: number) => (n === -1 ? 'the last day' : n < 0 ? `the ${nth(-n)} to last day` : `the ${nth(n)}`);

/**
 * A rule that is not every week, in plain words with its times: "On the first Saturday of each month, 10am to
 * midday", "Every other Tuesday, 7pm to 9pm", "On the 15th of every 3 months, …". Null for one it cannot word.
 */
export function ruleInWords(s: ScheduleLike): string | null {
  const interval = Math.max(1, s.interval ?? 1);
  const opens = toMinutes(s.opens_at);
  const closes = toMinutes(s.closes_at);
  const hours = opens !== null && closes !== null ? `, ${formatTime(opens)} to ${formatTime(closes)}` : '';
  const description = s.description ? `: ${s.description}` : '';
  const from = s.dtstart && interval > 1 ? `, from ${new Date(`${s.dtstart}T12:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' })}` : '';
  if (isMonthly(s)) {
    const ordinalWords = (n: number) => ORDINAL_WORDS[String(n)] ?? (n > 0 ? nth(n) : `${nth(-n)} to last`);
    const days = bydayOf(s.byday).map((d) => (d.ordinal === null ? `every ${DAY_NAMES[d.day]}` : `the ${ordinalWords(d.ordinal)} ${DAY_NAMES[d.day]}`));
    const monthDays = monthDaysOf(s.bymonthday).map(dayOfMonthWords);
    // both given: the days that are both ("every Saturday that is the 1st, …")
    const when = days.length && monthDays.length ? `${andList(days)} that ${monthDays.length === 1 ? 'is' : 'is one of'} ${andList(monthDays)}` : andList([...days, ...monthDays]);
    if (!when) return null;
    const months = interval === 1 ? 'each month' : interval === 2 ? 'every other month' : `every ${interval} months`;
    return `On ${when} of ${months}${from}${hours}${description}`;
  }
  const days = daysOf(s.byday).map((d) => DAY_NAMES[d]);
  if (!days.length) return null;
  const every = interval === 2 ? 'Every other' : `Every ${interval} weeks on`;
  return `${every} ${andList(days)}${from}${hours}${description}`;
}
