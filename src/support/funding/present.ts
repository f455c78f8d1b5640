import { THEMES } from '../../platform/vocabulary/themes.js';
import { webAddressOrNull } from '../../platform/validation/web-addresses.js';
import { deadlineWords, type Fit } from './fit.js';
import { amountRange } from './money.js';
import { KNOWN_INCOME_BANDS as INCOME_BANDS, ORGANISATION_TYPES } from '../../platform/vocabulary/organisations.js';
import type { OpportunityFormValues } from './form.js';
import type { OpportunityRow } from './repository.js';

const labelsOf = (codes: string[], vocabulary: Record<string, string>) => codes.map((c) => vocabulary[c] ?? c);
const longDate = (day: string) => new Date(`${day}T12:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/London' });

export function opportunityView(o: OpportunityRow, today: string, fit?: Fit) {
  const open = o.status === 'published' && (!o.deadline || o.deadline >= today);
  return {
    id: o.id, funder: o.funder_name, programme: o.programme, summary: o.summary, amounts: amountRange(o.amount_min, o.amount_max) || 'Not given',
    deadline: o.deadline ? longDate(o.deadline) : 'None (rolling)', when: o.status === 'withdrawn' ? 'withdrawn' : deadlineWords(o.deadline, today),
    eligibility: o.eligibility, url: webAddressOrNull(o.url),
    types: o.organisation_types.length ? labelsOf(o.organisation_types, ORGANISATION_TYPES).join(', ') : 'Any',
    incomes: o.income_bands.length ? labelsOf(o.income_bands, INCOME_BANDS).join(', ') : 'Any',
    themes: o.themes.length ? labelsOf(o.themes, THEMES).join(', ') : 'Any',
    areas: o.areas.length ? o.areas.join(', ') : 'Anywhere',
    status: o.status, statusLabel: o.status === 'withdrawn' ? 'Withdrawn' : open ? 'Open' : 'Closed', open,
    ...(fit ? { explanation: fit.explanation, notEligible: fit.notEligible, toCheck: fit.toCheck } : {}),
  };
}
export type OpportunityView = ReturnType<typeof opportunityView>;

export function summaryRows(v: OpportunityView) {
  const row = (key: string, text: string) => ({ key: { text: key }, value: { text } });
  return [
    row('Funder', v.funder), row('What it funds', v.summary), row('Amounts', v.amounts), row('Deadline', v.deadline),
    row('Who can apply', v.eligibility ?? 'See the funder’s guidance'), row('Types of organisation', v.types), row('Income', v.incomes),
    row('Themes', v.themes), row('Areas', v.areas), row('Status', v.statusLabel),
  ];
}

const items = (vocabulary: Record<string, string>, chosen: string[]) => Object.entries(vocabulary).map(([value, text]) => ({ value, text, checked: chosen.includes(value) }));

export function formItems(values: OpportunityFormValues) {
  return {
    typeItems: items(ORGANISATION_TYPES, values.organisationTypes), incomeItems: items(INCOME_BANDS, values.incomeBands), themeItems: items(THEMES, values.themes),
    rollingItems: [{ value: 'no', text: 'Yes, it has a deadline', checked: values.rolling === 'no' }, { value: 'yes', text: 'No, it is rolling (apply any time)', checked: values.rolling === 'yes' }],
  };
}
