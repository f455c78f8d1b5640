import { londonDay } from '../../platform/validation/dates.js';

/**
 * Working days in England and Wales: Monday to Friday, less the bank holidays. The regular holidays are computed
 * (Easter from the Gregorian computus, substitute days when one falls at a weekend); the one-off changes by
 * proclamation since 2020 are listed, and a future one will need adding here.
 */
const ONE_OFF_HOLIDAYS = new Set(['2020-05-08', '2022-06-02', '2022-06-03', '2022-09-19', '2023-05-08']);
/** Regular holidays moved by proclamation in those years (VE Day 2020, the Platinum Jubilee 2022). */
const MOVED_AWAY = new Set(['2020-05-04', '2022-05-30']);

const iso = (d: Date) => d.toISOString().slice(0, 10);
const utc = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d));
const addDays = (d: Date, n: number) => new Date(d.getTime() + n * 86_400_000);

function easterSunday(y: number): Date {
  const a = y % 19, b = Math.floor(y / 100), c = y % 100, d = Math.floor(b / 4), e = b % 4;
  const f = Math.floor((b + 8) / 25), g = Math.floor((b - f + 1) / 3), h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4), k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7, m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  return utc(y, month, ((h + l - 7 * m + 114) % 31) + 1);
}

/** The nth (1-based; -1 for the last) Monday of a month. */
function monday(y: number, month: number, nth: number): Date {
  if (nth > 0) {
    const first = utc(y, month, 1);
    return addDays(first, ((8 - first.getUTCDay()) % 7) + (nth - 1) * 7);
  }
  const last = utc(y, month + 1, 0);
  return addDays(last, -((last.getUTCDay() + 6) % 7));
}

const cache = new Map<number, Set<string>>();

export function bankHolidays(y: number): Set<string> {
  const known = cache.get(y);
  if (known) return known;
  const days: Date[] = [];
  const newYear = utc(y, 1, 1);
  days.push(newYear.getUTCDay() === 0 ? addDays(newYear, 1) : newYear.getUTCDay() === 6 ? addDays(newYear, 2) : newYear);
  const easter = easterSunday(y);
  days.push(addDays(easter, -2), addDays(easter, 1), monday(y, 5, 1), monday(y, 5, -1), monday(y, 8, -1));
  // Christmas and Boxing Day: a holiday at a weekend moves to the next weekday not already one.
  const christmas = utc(y, 12, 25).getUTCDay();
  if (christmas === 6) days.push(utc(y, 12, 27), utc(y, 12, 28));
  else if (christmas === 0) days.push(utc(y, 12, 26), utc(y, 12, 27));
  else if (christmas === 5) days.push(utc(y, 12, 25), utc(y, 12, 28));
  else days.push(utc(y, 12, 25), utc(y, 12, 26));
  const set = new Set(days.map(iso).filter((d) => !MOVED_AWAY.has(d)));
  for (const d of ONE_OFF_HOLIDAYS) if (d.startsWith(`${y}-`)) set.add(d);
  cache.set(y, set);
  return set;
}

/** Whether a day ("YYYY-MM-DD") is a working day in England and Wales. */
export function isWorkingDay(day: string): boolean {
  const weekday = new Date(`${day}T12:00:00Z`).getUTCDay();
  return weekday !== 0 && weekday !== 6 && !bankHolidays(Number(day.slice(0, 4))).has(day);
}

/**
 * The moment `n` working days after `from`: the same time of day on the nth working day after the day it is in
 * England at `from`. Referred on a Friday morning with n = 5, it is the next Friday morning; over a bank holiday
 * Monday, the Monday does not count.
 */
export function afterWorkingDays(from: Date, n: number): Date {
  let at = from;
  let counted = 0;
  while (counted < n) {
    at = addDays(at, 1);
    if (isWorkingDay(londonDay(at))) counted++;
  }
  return at;
}
