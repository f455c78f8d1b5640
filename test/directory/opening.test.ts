import { describe, expect, it } from 'vitest';
import { dayTokens, openingSummary, openingWeek, ruleInWords, type DayCode, type LocalNow, type ScheduleLike } from '../../src/directory/public/opening.js';

/** Opening times read from HSDS schedules: which days a rule falls on, when a service next opens, and the rule in words. */

const rule = (s: Partial<ScheduleLike>): ScheduleLike => ({
  freq: null, byday: null, opens_at: '10:00:00', closes_at: '12:00:00', valid_from: null, valid_to: null, dtstart: null, description: null,
  interval: null, bymonthday: null, ...s,
});
const at = (date: string, day: DayCode, time = '08:00:00'): LocalNow => {
  const codes: DayCode[] = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
  return { date, day, yesterday: codes[(codes.indexOf(day) + 6) % 7]!, time, minutes: Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5)) };
};

describe('opening times', () => {
  it('names the tokens a day matches: its day, its place in the month from either end, its day of the month', () => {
    // Saturday 31 January 2026: the fifth and last Saturday, the 31st and the last day
    expect(dayTokens('2026-01-31', 'SA')).toEqual({ day: 'SA', ordinals: ['5SA', '+5SA', '-1SA'], monthDays: ['31', '-1'] });
    // Saturday 3 January 2026: the first Saturday, the fifth from the end
    expect(dayTokens('2026-01-03', 'SA')).toEqual({ day: 'SA', ordinals: ['1SA', '+1SA', '-5SA'], monthDays: ['3', '-29'] });
    // February 2028 has 29 days
    expect(dayTokens('2028-02-29', 'TU').monthDays).toEqual(['29', '-1']);
  });

  it('finds the next session of a monthly rule, by ordinal day or day of the month', () => {
    // Monday 5 January 2026
    const monday = at('2026-01-05', 'MO');
    expect(openingSummary([rule({ freq: 'MONTHLY', byday: '2SA' })], monday)?.text).toBe('Opens Saturday at 10am');
    expect(openingSummary([rule({ freq: 'MONTHLY', byday: '1SA' })], monday)?.text).toBe('Not open in the next week');
    expect(openingSummary([rule({ freq: 'MONTHLY', bymonthday: '6' })], monday)?.text).toBe('Opens tomorrow at 10am');
    expect(openingSummary([rule({ freq: 'MONTHLY', byday: '-1MO' })], at('2026-01-26', 'MO', '11:00:00'))?.text).toBe('Open now until midday');
    // every other month from March: not in January
    expect(openingSummary([rule({ freq: 'MONTHLY', bymonthday: '6', interval: 2, dtstart: '2025-03-06' })], monday)?.text).toBe('Opens tomorrow at 10am');
    expect(openingSummary([rule({ freq: 'MONTHLY', bymonthday: '6', interval: 2, dtstart: '2025-02-06' })], monday)?.text).toBe('Not open in the next week');
  });

  it('counts weeks of an every-other-week rule from the week it started, and not before it starts', () => {
    const fortnightly = rule({ freq: 'WEEKLY', interval: 2, byday: 'WE', dtstart: '2026-01-07' });
    expect(openingSummary([fortnightly], at('2026-01-05', 'MO'))?.text).toBe('Opens Wednesday at 10am');
    expect(openingSummary([fortnightly], at('2026-01-12', 'MO'))?.text).toBe('Not open in the next week');
    expect(openingSummary([fortnightly], at('2026-01-19', 'MO'))?.text).toBe('Opens Wednesday at 10am');
    expect(openingSummary([fortnightly], at('2025-12-29', 'MO'))?.text).toBe('Not open in the next week');
    // with no start date, which weeks cannot be told: it is not claimed open
    expect(openingSummary([rule({ freq: 'WEEKLY', interval: 2, byday: 'WE' })], at('2026-01-05', 'MO'))?.text).toBe('Not open in the next week');
  });

  it('keeps an overnight one-off session open past midnight', () => {
    const night = rule({ dtstart: '2026-01-09', opens_at: '20:00:00', closes_at: '02:00:00' });
    expect(openingSummary([night], at('2026-01-10', 'SA', '01:00:00'))?.text).toBe('Open now until 2am');
    expect(openingSummary([night], at('2026-01-11', 'SU', '01:00:00'))?.text).toBe('Not open in the next week');
  });

  it('words each rule that is not every week, and keeps only every-week rules in the week’s table', () => {
    expect(ruleInWords(rule({ freq: 'MONTHLY', byday: '1SA' }))).toBe('On the first Saturday of each month, 10am to midday');
    expect(ruleInWords(rule({ freq: 'MONTHLY', byday: '2TU,4TU', opens_at: '19:00', closes_at: '21:00' }))).toBe('On the second Tuesday and the fourth Tuesday of each month, 7pm to 9pm');
    expect(ruleInWords(rule({ freq: 'MONTHLY', byday: '-1FR', description: 'Bring a dish' }))).toBe('On the last Friday of each month, 10am to midday: Bring a dish');
    expect(ruleInWords(rule({ freq: 'MONTHLY', bymonthday: '1,15' }))).toBe('On the 1st and the 15th of each month, 10am to midday');
    expect(ruleInWords(rule({ freq: 'MONTHLY', bymonthday: '-1', interval: 3, dtstart: '2026-03-31' }))).toBe('On the last day of every 3 months, from 31 March 2026, 10am to midday');
    expect(ruleInWords(rule({ freq: 'WEEKLY', byday: 'TU', interval: 2, dtstart: '2026-01-06' }))).toBe('Every other Tuesday, from 6 January 2026, 10am to midday');
    expect(ruleInWords(rule({ freq: 'WEEKLY', byday: 'MO,TH', interval: 3 }))).toBe('Every 3 weeks on Monday and Thursday, 10am to midday');

    const week = openingWeek([rule({ freq: 'WEEKLY', byday: 'MO' }), rule({ freq: 'MONTHLY', byday: '1SA' }), rule({ freq: 'WEEKLY', byday: 'TU', interval: 2 })], '2026-01-05');
    expect(week.week.filter((d) => d.hours !== 'Closed').map((d) => d.day)).toEqual(['Monday']);
    expect(week.notes).toEqual(['On the first Saturday of each month, 10am to midday', 'Every other Tuesday, 10am to midday']);
    expect(week.sessions).toEqual([]);
  });
});
