import { describe, expect, it } from 'vitest';
import { afterAll, beforeAll } from 'vitest';
import { sql } from 'kysely';
import { occursOn, openingSummary, openingWeek, placeInMonth, ruleInWords, DAY_CODES, type DayCode, type LocalNow, type ScheduleLike } from '../../src/directory/public/opening.js';
import { scheduleOccursOn } from '../../src/directory/public/repository.js';
import { createTestApp, type TestContext } from '../helpers/app.js';
import { directoryFactories } from '../helpers/directory-factories.js';

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
  it('places a day in its month, counted from either end', () => {
    // Saturday 31 January 2026: the fifth and last Saturday, the 31st and the last day
    expect(placeInMonth('2026-01-31')).toEqual({ ordinal: 5, ordinalFromEnd: -1, monthDay: 31, monthDayFromEnd: -1 });
    // Saturday 3 January 2026: the first Saturday, the fifth from the end
    expect(placeInMonth('2026-01-03')).toEqual({ ordinal: 1, ordinalFromEnd: -5, monthDay: 3, monthDayFromEnd: -29 });
    // February 2028 has 29 days
    expect(placeInMonth('2028-02-29')).toMatchObject({ monthDay: 29, monthDayFromEnd: -1 });
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
    expect(ruleInWords(rule({ freq: 'MONTHLY', byday: '-3WE' }))).toBe('On the third to last Wednesday of each month, 10am to midday');
    expect(ruleInWords(rule({ freq: 'MONTHLY', byday: 'SA', bymonthday: '1,2,3,4,5,6,7' })))
      .toBe('On every Saturday that is one of the 1st, the 2nd, the 3rd, the 4th, the 5th, the 6th and the 7th of each month, 10am to midday');

    const week = openingWeek([rule({ freq: 'WEEKLY', byday: 'MO' }), rule({ freq: 'MONTHLY', byday: '1SA' }), rule({ freq: 'WEEKLY', byday: 'TU', interval: 2 })], '2026-01-05');
    expect(week.week.filter((d) => d.hours !== 'Closed').map((d) => d.day)).toEqual(['Monday']);
    expect(week.notes).toEqual(['On the first Saturday of each month, 10am to midday', 'Every other Tuesday, 10am to midday']);
    expect(week.sessions).toEqual([]);
  });
});

/**
 * "Open now" is a filter in SQL (public/repository.ts, scheduleOccursOn) and a summary in TypeScript (occursOn): a service
 * listed as open must say it is open. The two are run here over the same schedules, day by day across two months.
 */
describe('the SQL and TypeScript readings of a schedule', () => {
  let t: TestContext;
  beforeAll(async () => { t = await createTestApp(); });
  afterAll(async () => { await t?.close(); });

  it('agree on every day, for every kind of rule, tidy or not', async () => {
    const schedules: (Partial<ScheduleLike> & { freq?: 'WEEKLY' | 'MONTHLY' | null })[] = [
      { freq: 'WEEKLY', byday: 'MO,WE' }, { freq: null, byday: 'SA' }, { freq: 'WEEKLY', byday: ' tu , th ' },
      { freq: 'WEEKLY', byday: 'TU', interval: 2, dtstart: '2026-01-08' }, { freq: 'WEEKLY', byday: 'FR', interval: 3 },
      { freq: 'WEEKLY', byday: '1SA' }, { freq: 'WEEKLY', byday: 'XX,MO' }, { freq: 'WEEKLY', byday: 'FR', dtstart: '2026-01-20' },
      { freq: 'MONTHLY', byday: '1SA' }, { freq: 'MONTHLY', byday: '+2TU,-1FR' }, { freq: 'MONTHLY', byday: '01SA' }, { freq: 'MONTHLY', byday: '-3WE' },
      { freq: 'MONTHLY', byday: 'SU' }, { freq: 'MONTHLY', bymonthday: '15' }, { freq: 'MONTHLY', bymonthday: '-1,+10' }, { freq: 'MONTHLY', bymonthday: '0,45,x' },
      { freq: 'MONTHLY', byday: 'SA', bymonthday: '1,2,3,4,5,6,7' }, { freq: 'MONTHLY', bymonthday: '6', interval: 2, dtstart: '2025-12-06' },
      { freq: 'MONTHLY', byday: '1MO', interval: 2 }, { dtstart: '2026-01-14' }, { valid_from: '2026-02-02' }, { freq: 'WEEKLY', byday: '' },
      { freq: 'WEEKLY', byday: 'MO', valid_from: '2026-01-12', valid_to: '2026-01-25' },
    ];
    const lio = await t.make.lio();
    const service = await directoryFactories(t.db).service(lio, { name: 'Every kind of time' });
    const ids = await t.db.withTenant(lio.id, (tx) => tx.insertInto('schedules')
      .values(schedules.map((s) => ({ lio_id: lio.id, service_id: service.id, opens_at: '10:00', closes_at: '12:00', ...s })))
      .returning('id').execute());
    const days = Array.from({ length: 59 }, (_, k) => new Date(Date.UTC(2026, 0, 1 + k)).toISOString().slice(0, 10));
    const disagreements: string[] = [];
    for (const date of days) {
      const day = DAY_CODES[(new Date(`${date}T12:00:00Z`).getUTCDay() + 6) % 7]!;
      const inSql = new Set(await t.db.withTenant(lio.id, async (tx) => (await sql<{ id: string }>`select sc.id from schedules sc
        where sc.service_id = ${service.id} and ${scheduleOccursOn(date, day)}`.execute(tx)).rows.map((r) => r.id)));
      schedules.forEach((s, k) => {
        const inTs = occursOn(rule(s), date, day);
        if (inTs !== inSql.has(ids[k]!.id)) disagreements.push(`${JSON.stringify(s)} on ${date}: TypeScript ${inTs}, SQL ${!inTs}`);
      });
    }
    expect(disagreements).toEqual([]);
    // and the rules are not all idle: each tidy one falls on some day
    expect(schedules.slice(0, 4).every((s) => days.some((date) => occursOn(rule(s), date, DAY_CODES[(new Date(`${date}T12:00:00Z`).getUTCDay() + 6) % 7]!)))).toBe(true);
  });
});
