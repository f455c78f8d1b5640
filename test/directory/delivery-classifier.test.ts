import { describe, expect, it } from 'vitest';
import { classify, type HistoryEntry, type ServiceHistory } from '../../src/directory/delivery-history/report.js';
import { reportCsv } from '../../src/directory/delivery-history/present.js';
import { csvCell } from '../../src/directory/csv/csv.js';
import { londonDay, parseDay } from '../../src/platform/validation/dates.js';

const period = { from: '2025-04-01', to: '2026-03-31' };
const h = (changedOn: string, modes: string, status = 'active'): HistoryEntry => ({ changedOn, deliveryModes: modes ? modes.split(',') : [], status });
const service = (createdOn: string, history: HistoryEntry[], now?: { modes?: string; status?: string }): ServiceHistory => ({
  createdOn, history,
  deliveryModes: (now?.modes ?? history.at(-1)?.deliveryModes.join(',') ?? 'in_person').split(',').filter(Boolean),
  status: now?.status ?? history.at(-1)?.status ?? 'active',
});
const kind = (s: ServiceHistory, p = period) => classify(s, p).classification;

describe('Remaking: a service created within the period', () => {
  it('counts a service created inside the period, on its first day and on its last day', () => {
    expect(kind(service('2025-09-10', [h('2025-09-10', 'in_person')]))).toBe('remaking');
    expect(kind(service('2025-04-01', [h('2025-04-01', 'online')]))).toBe('remaking');
    expect(kind(service('2026-03-31', [h('2026-03-31', 'phone')]))).toBe('remaking');
  });
  it('stays Remaking when the new service also changed its modes or closed within the period', () => {
    expect(kind(service('2025-05-01', [h('2025-05-01', 'in_person'), h('2025-08-01', 'online')]))).toBe('remaking');
    expect(kind(service('2025-05-01', [h('2025-05-01', 'in_person'), h('2025-08-01', 'in_person', 'defunct')]))).toBe('remaking');
  });
  it('does not count a service created after the period, even by a day', () => {
    expect(kind(service('2026-04-01', [h('2026-04-01', 'in_person')]))).toBe('not_counted');
  });
});

describe('Rearranging: an existing service that changed how it is delivered', () => {
  it('counts a change of modes inside the period', () => {
    const c = classify(service('2019-01-01', [h('2019-01-01', 'in_person'), h('2025-06-15', 'phone,online')]), period);
    expect(c).toMatchObject({ classification: 'rearranging', modesAtStart: ['in_person'], modesAtEnd: ['phone', 'online'], modeChanges: ['2025-06-15'] });
  });
  it('counts changes on the first and on the last day of the period', () => {
    expect(kind(service('2019-01-01', [h('2019-01-01', 'in_person'), h('2025-04-01', 'online')]))).toBe('rearranging');
    expect(kind(service('2019-01-01', [h('2019-01-01', 'in_person'), h('2026-03-31', 'online')]))).toBe('rearranging');
  });
  it('ignores a change the day before the period starts or the day after it ends', () => {
    expect(kind(service('2019-01-01', [h('2019-01-01', 'in_person'), h('2025-03-31', 'online')]))).toBe('reaffirming');
    expect(kind(service('2019-01-01', [h('2019-01-01', 'in_person'), h('2026-04-01', 'online')]))).toBe('reaffirming');
  });
  it('counts a service that changed and changed back within the period', () => {
    const c = classify(service('2019-01-01', [h('2019-01-01', 'in_person'), h('2025-05-01', 'online'), h('2025-10-01', 'in_person')]), period);
    expect(c.classification).toBe('rearranging');
    expect(c.modeChanges).toEqual(['2025-05-01', '2025-10-01']);
  });
  it('counts a change even when the service then paused or closed', () => {
    expect(kind(service('2019-01-01', [h('2019-01-01', 'in_person'), h('2025-05-01', 'phone'), h('2025-09-01', 'phone', 'temporarily closed')]))).toBe('rearranging');
  });
  it('treats the same modes in another order as no change', () => {
    expect(kind(service('2019-01-01', [h('2019-01-01', 'in_person,phone'), h('2025-05-01', 'phone,in_person')]))).toBe('reaffirming');
  });
  it('does not take a change of status alone for a change of modes', () => {
    expect(kind(service('2019-01-01', [h('2019-01-01', 'in_person'), h('2025-05-01', 'in_person', 'temporarily closed'), h('2025-07-01', 'in_person')]))).toBe('reaffirming');
  });
  it('reads several rows of one day in order, the last being the day’s state', () => {
    expect(kind(service('2019-01-01', [h('2019-01-01', 'in_person'), h('2025-05-01', 'online'), h('2025-05-01', 'in_person')]))).toBe('rearranging');
  });
  it('does not depend on the order the history is given in', () => {
    expect(kind(service('2019-01-01', [h('2025-06-15', 'online'), h('2019-01-01', 'in_person')]))).toBe('rearranging');
  });
});

describe('Reaffirming: an existing service that carried on unchanged', () => {
  it('counts an active service with no change in the period', () => {
    const c = classify(service('2018-02-01', [h('2018-02-01', 'in_person,phone')]), period);
    expect(c).toMatchObject({ classification: 'reaffirming', modesAtStart: ['in_person', 'phone'], modesAtEnd: ['in_person', 'phone'], statusAtEnd: 'active', modeChanges: [] });
  });
  it('uses the service as it is now when it has no history at all', () => {
    expect(kind(service('2018-02-01', [], { modes: 'online', status: 'active' }))).toBe('reaffirming');
    expect(kind(service('2018-02-01', [], { modes: 'online', status: 'inactive' }))).toBe('not_counted');
  });
  it('counts a service created the day before the period as one that existed before it', () => {
    expect(kind(service('2025-03-31', [h('2025-03-31', 'in_person')]))).toBe('reaffirming');
  });
  it('counts a service that was paused and reopened with the same modes', () => {
    expect(kind(service('2019-01-01', [h('2019-01-01', 'in_person'), h('2024-12-01', 'in_person', 'temporarily closed'), h('2025-06-01', 'in_person')]))).toBe('reaffirming');
  });
  it('takes the first row within the period as the start when the history begins there (no change recorded)', () => {
    expect(kind(service('2019-01-01', [h('2025-06-01', 'online')]))).toBe('reaffirming');
  });
});

describe('Paused or closed, and not counted', () => {
  it('separates a service that was running and stopped in the period', () => {
    const c = classify(service('2019-01-01', [h('2019-01-01', 'in_person'), h('2025-08-01', 'in_person', 'defunct')]), period);
    expect(c).toMatchObject({ classification: 'paused_or_closed', statusAtEnd: 'defunct' });
    expect(kind(service('2019-01-01', [h('2019-01-01', 'in_person'), h('2026-03-31', 'in_person', 'temporarily closed')]))).toBe('paused_or_closed');
  });
  it('leaves out a service closed before the period and closed all through it', () => {
    expect(kind(service('2019-01-01', [h('2019-01-01', 'in_person'), h('2024-01-01', 'in_person', 'defunct')]))).toBe('not_counted');
  });
  it('judges the end of the period by the history, not by a later change', () => {
    // Closed after the period ended: it was still running then.
    expect(kind(service('2019-01-01', [h('2019-01-01', 'in_person'), h('2026-06-01', 'in_person', 'defunct')], { status: 'defunct' }))).toBe('reaffirming');
  });
  it('handles a one-day period', () => {
    const day = { from: '2025-06-15', to: '2025-06-15' };
    expect(kind(service('2025-06-15', [h('2025-06-15', 'phone')]), day)).toBe('remaking');
    expect(kind(service('2019-01-01', [h('2019-01-01', 'phone'), h('2025-06-15', 'online')]), day)).toBe('rearranging');
    expect(kind(service('2019-01-01', [h('2019-01-01', 'phone')]), day)).toBe('reaffirming');
  });
});

describe('days and CSV', () => {
  it('reads dates typed either way and refuses days that do not exist', () => {
    expect(parseDay('2026-03-01')).toBe('2026-03-01');
    expect(parseDay('1/3/2026')).toBe('2026-03-01');
    expect(parseDay('29/2/2024')).toBe('2024-02-29');
    expect(parseDay('29/2/2025')).toBeNull();
    expect(parseDay('2026-13-01')).toBeNull();
    expect(parseDay('yesterday')).toBeNull();
    expect(parseDay('')).toBeNull();
  });
  it('dates by the day in London, not UTC', () => {
    expect(londonDay(new Date('2026-06-30T23:30:00Z'))).toBe('2026-07-01');
    expect(londonDay(new Date('2026-01-31T23:30:00Z'))).toBe('2026-01-31');
  });
  it('writes CSV cells safely: quotes, commas, newlines and formula characters', () => {
    expect(csvCell('Plain')).toBe('Plain');
    expect(csvCell('Food, and more')).toBe('"Food, and more"');
    expect(csvCell('Say "hello"')).toBe('"Say ""hello"""');
    expect(csvCell('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvCell('-1')).toBe("'-1");
    expect(csvCell(null)).toBe('');
  });
  it('lists every counted service in the CSV with its kind of change', () => {
    const csv = reportCsv({
      period, counts: { remaking: 1, rearranging: 0, reaffirming: 0, paused_or_closed: 0 },
      rows: [{ classification: 'remaking', modesAtStart: ['in_person'], modesAtEnd: ['in_person', 'online'], statusAtEnd: 'active', modeChanges: [], id: 'a1', name: 'Lunch club, Tuesdays', organisationName: 'St Anne’s', createdOn: '2025-05-01', status: 'active', deliveryModes: ['in_person', 'online'] }],
    });
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe('classification,service_id,service,organisation,created_on,delivery_modes_at_start,delivery_modes_at_end,status_at_end,delivery_mode_changed_on');
    expect(lines[1]).toBe('Remaking,a1,"Lunch club, Tuesdays",St Anne’s,2025-05-01,In person,In person; Online,active,');
  });
});
