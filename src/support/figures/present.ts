import type { Period } from '../../platform/http/period.js';
import { dayText, periodText } from '../spend/present.js';
import type { SupportFigures } from './service.js';
import { financialYearOf, monthOf, quarterBefore, quarterOf } from './service.js';
import { penceText } from '../../platform/money.js';

/** '£3.50 for every £1', or why there is no figure. */
export function leverageText(f: Pick<SupportFigures, 'leveragePence'>): string {
  return f.leveragePence === null ? 'Not available: no spend on support is entered for this period' : `${penceText(f.leveragePence)} for every £1`;
}

const hoursText = (minutes: number) => (minutes / 60).toFixed(1);
const share = (part: number, whole: number) => (whole ? `${Math.round((100 * part) / whole)}%` : '0%');

export interface FigureSection { heading: string; id: string; rows: { label: string; value: string; href?: string }[] }

/**
 * The figures in one order, by section, for the page and the CSV alike (the CSV is these rows, so the two never
 * disagree). `leverageHref` links the funding figures to the records behind them.
 */
export function figureSections(f: SupportFigures, leverageHref?: string): FigureSection[] {
  const linked = (label: string, value: string) => ({ label, value, ...(leverageHref ? { href: leverageHref } : {}) });
  return [
    { heading: 'Groups and casework', id: 'casework', rows: [
      { label: 'Groups supported', value: String(f.groupsSupported) },
      { label: 'Cases opened', value: String(f.cases.opened) },
      { label: 'Cases closed', value: String(f.cases.closed) },
      { label: 'Hours of support', value: hoursText(f.supportMinutes) },
    ] },
    { heading: 'Cases by topic', id: 'topics', rows: f.cases.byTopic.flatMap((t) => [
      { label: `${t.label}: opened`, value: String(t.opened) }, { label: `${t.label}: closed`, value: String(t.closed) },
    ]) },
    { heading: 'Outcomes', id: 'outcomes', rows: [
      ...f.outcomes.byKind.map((k) => ({ label: k.label, value: String(k.count) })),
      { label: 'All outcomes', value: String(f.outcomes.total) },
    ] },
    { heading: 'Funding and leverage', id: 'funding', rows: [
      { label: 'Funding applications submitted', value: String(f.applications.submitted) },
      linked('Funding applications awarded', String(f.applications.awarded)),
      { label: 'Funding applications declined', value: String(f.applications.declined) },
      linked('Funding secured for groups', penceText(f.fundingSecuredPence)),
      linked('Spent on support to groups (by days in the period)', penceText(f.spendPence)),
      linked('Leverage', leverageText(f)),
    ] },
    { heading: 'Training', id: 'training', rows: [
      { label: 'Training places attended', value: String(f.training.places) },
      { label: 'People trained', value: String(f.training.people) },
      { label: 'Organisations trained', value: String(f.training.organisations) },
    ] },
    { heading: 'Bulletins', id: 'bulletins', rows: [
      { label: 'Bulletins sent', value: String(f.bulletins.bulletins) },
      { label: 'Copies sent', value: String(f.bulletins.sent) },
      { label: 'Copies opened', value: `${f.bulletins.opened} (${share(f.bulletins.opened, f.bulletins.sent)})` },
    ] },
  ];
}

/** The CSV's rows: section, figure, value. */
export const figureCsvRows = (f: SupportFigures) => figureSections(f).flatMap((s) => s.rows.map((r) => [s.heading, r.label, r.value]));

/** The spend counted in the period, each entry with its days inside and the share it carries. */
export const spendCountedRows = (f: SupportFigures) => f.spend.map((s) => ({
  id: s.id, period: periodText(s.periodStart, s.periodEnd), description: s.description ?? '', amount: penceText(s.amountPence),
  days: `${s.daysInside} of ${s.days}`, counted: penceText(s.countedPence),
}));

export const periodQuery = (p: Period) => new URLSearchParams({ from: p.from, to: p.to }).toString();

/** Periods a person often wants, as links beside the form. */
export function periodShortcuts(today: string) {
  const month = monthOf(today);
  const quarter = quarterOf(today);
  const last = quarterBefore(today, 1);
  const year = financialYearOf(today);
  return [
    { text: 'This month', period: { from: month.from, to: today } },
    { text: 'This quarter', period: { from: quarter.from, to: today } },
    { text: `Last quarter (${periodText(last.from, last.to)})`, period: last },
    { text: `This financial year (from ${dayText(year.from)})`, period: { from: year.from, to: today } },
  ];
}
